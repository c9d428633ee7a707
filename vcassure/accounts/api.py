from django.http import HttpRequest
from ninja.security import HttpBearer
from ninja.security import SessionAuth as NinjaSessionAuth

from vcassure.accounts.services import api_token_authenticate


class BearerTokenAuth(HttpBearer):
    """`Authorization: Bearer <token>`: a per-user token from `manage.py api_token`."""

    def authenticate(self, request: HttpRequest, token: str):
        user = api_token_authenticate(token)
        if user is not None:
            request.user = user
        return user


class SessionAuth(NinjaSessionAuth):
    """The logged-in browser session (pages calling the API); CSRF is checked on writes."""
