"""Error pages in the user's language, inside the normal layout where it is safe to render it."""

from django.shortcuts import render
from django.template.loader import get_template


def _page(request, status: int):
    return render(request, "errors/error.html", {"status": status}, status=status)


def bad_request(request, exception=None):
    return _page(request, 400)


def permission_denied(request, exception=None):
    return _page(request, 403)


def page_not_found(request, exception=None):
    return _page(request, 404)


def server_error(request):
    # No context processors: the failure may be in one of them.
    from django.http import HttpResponseServerError

    return HttpResponseServerError(get_template("errors/500.html").render({}))
