"""One error body for every API failure: {"error": {"code", "message", "fields"}}, translated."""

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError


def error_body(code: str, message: str, fields: dict | None = None) -> dict:
    return {"error": {"code": code, "message": message, "fields": fields or {}}}


def form_errors(form) -> dict[str, list[str]]:
    return {
        ("__all__" if name == "__all__" else name): [str(message) for message in messages]
        for name, messages in form.errors.items()
    }


class FormInvalid(Exception):
    def __init__(self, fields: dict[str, list[str]]):
        self.fields = fields


def install(api) -> None:
    def respond(request, status, code, message, fields=None):
        return api.create_response(request, error_body(code, message, fields), status=status)

    @api.exception_handler(NinjaValidationError)
    def _invalid_input(request, exc):
        fields: dict[str, list[str]] = {}
        for item in exc.errors:
            where, *path = item.get("loc", ()) or ("",)
            if where == "body" and len(path) > 1:
                path = path[1:]  # drop the name of the payload parameter itself
            location = ".".join(str(part) for part in path) or "__all__"
            fields.setdefault(location, []).append(item.get("msg", ""))
        return respond(request, 422, "invalid", _("The request has invalid values."), fields)

    @api.exception_handler(FormInvalid)
    def _form_invalid(request, exc):
        return respond(request, 422, "invalid", _("The request has invalid values."), exc.fields)

    @api.exception_handler(DjangoValidationError)
    def _model_invalid(request, exc):
        code = getattr(exc, "code", None) or "invalid"
        fields = exc.message_dict if hasattr(exc, "error_dict") else {}
        message = " ".join(exc.messages)
        status = 409 if code == "stale_edit" else 422
        return respond(request, status, "conflict" if status == 409 else code, message, fields)

    @api.exception_handler(AuthenticationError)
    def _unauthenticated(request, exc):
        message = exc.message if exc.message != "Unauthorized" else ""
        return respond(
            request, 401, "unauthenticated", message or _("Log in or send a valid API token.")
        )

    @api.exception_handler(Http404)
    def _not_found(request, exc):
        return respond(request, 404, "not_found", _("Not found."))

    @api.exception_handler(PermissionDenied)
    def _forbidden(request, exc):
        return respond(request, 403, "forbidden", _("You are not allowed to do this."))

    @api.exception_handler(HttpError)
    def _http_error(request, exc):
        if exc.status_code == 400:
            # ninja's only 400 is an unreadable body; its own text is English and technical.
            return respond(request, 400, "bad_request", _("The request body is not valid JSON."))
        return respond(request, exc.status_code, "error", str(exc))
