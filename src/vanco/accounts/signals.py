"""Security events go to the `vanco.security` log (and to axes' own tables for lockouts)."""

import logging

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

logger = logging.getLogger("vanco.security")


def _address(request) -> str:
    return request.META.get("REMOTE_ADDR", "-") if request is not None else "-"


@receiver(user_logged_in, dispatch_uid="vanco_login")
def log_login(sender, request, user, **kwargs):
    logger.info("login user=%s addr=%s", user.username, _address(request))
    if request is not None and user.language:
        request.session["vanco_language"] = user.language


@receiver(user_logged_out, dispatch_uid="vanco_logout")
def log_logout(sender, request, user, **kwargs):
    logger.info("logout user=%s addr=%s", getattr(user, "username", "-"), _address(request))


@receiver(user_login_failed, dispatch_uid="vanco_login_failed")
def log_login_failed(sender, credentials, request=None, **kwargs):
    logger.warning(
        "login failed user=%s addr=%s", credentials.get("username", "-"), _address(request)
    )
