from ninja.security import HttpBearer, SessionAuth

from vanco.accounts.services import user_for_token
from vanco.core.audit import bind_actor


class BearerToken(HttpBearer):
    """`Authorization: Bearer vnc_…`: a hashed, revocable token of one user."""

    def authenticate(self, request, token):
        user = user_for_token(token)
        if user is None:
            return None
        request.user = user
        bind_actor(user)
        return user


class BrowserSession(SessionAuth):
    """The signed-in browser (the API docs page); CSRF-checked for writes."""

    def authenticate(self, request, key):
        user = super().authenticate(request, key)
        if user is not None:
            bind_actor(user)
        return user
