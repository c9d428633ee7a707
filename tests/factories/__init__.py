"""Shared test data: factory_boy factories and plain builder functions, one module per app
(`tests.factories.orgs`, `.venues`, `.meetings`, ...). Import from the module that owns the name;
this package re-exports nothing. Shared pytest fixtures live in conftest.py files instead (the
root one for fixtures used by more than one app's tests)."""
