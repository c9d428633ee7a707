"""Errors that services raise and that views and the API turn into messages."""

from typing import Any


class ApplicationError(Exception):
    """A business rule refused the request. `message` is already translated for the user."""

    status_code = 400

    def __init__(self, message: str, *, errors: list[dict[str, Any]] | None = None, code: str = ""):
        super().__init__(message)
        self.message = message
        self.errors = errors or []
        self.code = code


class ConflictError(ApplicationError):
    """The request is valid but clashes with the current state (HTTP 409)."""

    status_code = 409


class InvalidInputError(ApplicationError):
    """Input that is well-formed but not acceptable (HTTP 422)."""

    status_code = 422
