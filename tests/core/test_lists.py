"""Every list page answers the filter bar's htmx requests with its results fragment."""

import pytest
from django.urls import resolve, reverse

from tests.core.test_access_matrix import PAGES
from vanco.core.views import ListPage

HTMX = {"HX-Request": "true", "HX-Target": "list-results"}


def _list_pages():
    for name, (method, kind, _roles, _status) in PAGES.items():
        if method != "get" or kind is not None:
            continue
        view = getattr(resolve(reverse(name)).func, "view_class", None)
        if view is not None and issubclass(view, ListPage):
            yield name


def test_list_pages_found():
    assert len(list(_list_pages())) >= 13


@pytest.mark.django_db
@pytest.mark.parametrize("name", list(_list_pages()))
def test_list_page_htmx_sort_returns_the_results_fragment(coordinator_client, name):
    response = coordinator_client.get(reverse(name), {"sort": "-pk"}, headers=HTMX)
    assert response.status_code == 200
    html = response.content.decode()
    assert "<html" not in html
    assert html.strip() != ""
