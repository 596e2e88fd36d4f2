from django.utils import translation
from django.utils.translation import gettext as _
from ninja.errors import AuthenticationError
from ninja.security import HttpBearer, SessionAuth

from vanco.accounts.services import user_for_token
from vanco.core.audit import bind_actor


class BearerToken(HttpBearer):
    """`Authorization: Bearer vnc_…`: a hashed, revocable token of one user."""

    def authenticate(self, request, token):
        user = user_for_token(token)
        if user is None:
            # A wrong token is an error even if the browser also has a session.
            raise AuthenticationError(message=str(_("The API token is invalid or revoked.")))
        request.user = user
        bind_actor(user)
        if "HTTP_ACCEPT_LANGUAGE" not in request.META and user.language:
            # A script that does not say which language it reads gets its user's.
            translation.activate(user.language)
        return user


class BrowserSession(SessionAuth):
    """The signed-in browser (the API docs page); CSRF-checked for writes."""

    def authenticate(self, request, key):
        user = super().authenticate(request, key)
        if user is not None:
            bind_actor(user)
        return user
