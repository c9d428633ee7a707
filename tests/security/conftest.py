"""Fixtures of the security matrix: helpers that snapshot the database, and another scope's
objects. (`province`, `tomorrow` and `field_setup` come from the root conftest.)"""

import pytest
from django.apps import apps

from tests.security.scope_cases import World


def row_counts() -> dict[str, int]:
    """Rows per table of every model (sessions included): what a leaked write would change."""
    return {model._meta.label: model._default_manager.count() for model in apps.get_models()}


def row_state(obj) -> dict:
    """Every column of one row as stored now."""
    fresh = type(obj)._default_manager.get(pk=obj.pk)
    return {field.attname: getattr(fresh, field.attname) for field in fresh._meta.concrete_fields}


@pytest.fixture
def snapshot():
    """snapshot(*rows) -> a callable returning what changed since: tables whose row count moved,
    and target rows with any column changed (updated_at included)."""

    def take(*rows):
        counts, states = row_counts(), [(row, row_state(row)) for row in rows]

        def changes() -> list[str]:
            now = row_counts()
            found = [
                f"{label}: {counts[label]} → {now[label]} rows"
                for label in counts
                if counts[label] != now[label]
            ]
            for row, before in states:
                after = row_state(row)
                found += [
                    f"{row._meta.label}#{row.pk}.{k}: {before[k]!r} → {after[k]!r}"
                    for k in before
                    if before[k] != after[k]
                ]
            return found

        return changes

    return take


@pytest.fixture
def world(province, tomorrow, settings):
    settings.SMS_GATEWAY_URL = (
        "http://127.0.0.1:9/sms"  # so that publishing writes personal deliveries
    )
    return World(tree=province, when=tomorrow)
