"""Every list page answers the filter bar's htmx requests with its results fragment."""

import re

import pytest
from django import forms
from django.urls import resolve, reverse

from tests.core.test_access_matrix import PAGES, URL_KWARGS
from vanco.accounts.enums import Role
from vanco.core.views import FastSelect, ListPage, fast_selects
from vanco.org.models import Locality

HTMX = {"HX-Request": "true", "HX-Target": "list-results"}


def _list_pages():
    for name, (method, kind, roles, _status) in PAGES.items():
        # Pages the coordinator opens (the personal inboxes of other roles test their own).
        if method != "get" or kind is not None or Role.COORDINATOR not in roles:
            continue
        view = getattr(resolve(_url(name)).func, "view_class", None)
        if view is not None and issubclass(view, ListPage):
            yield name


def _url(name):
    return reverse(name, kwargs=URL_KWARGS.get(name))


def test_list_pages_found():
    assert len(list(_list_pages())) >= 13


@pytest.mark.django_db
@pytest.mark.parametrize("name", list(_list_pages()))
def test_list_page_htmx_sort_returns_the_results_fragment(coordinator_client, name):
    response = coordinator_client.get(_url(name), {"sort": "-pk"}, headers=HTMX)
    assert response.status_code == 200
    html = response.content.decode()
    assert "<html" not in html
    assert html.strip() != ""


def _tags_only(html: str) -> str:
    return re.sub(r">\s+<", "><", html.strip())


@pytest.mark.parametrize(
    ("choices", "value"),
    [
        ([("", "All"), ("1", "Điện tử"), ("2", 'Cơ khí <& "quoted">')], "2"),
        ([("", "All"), (1, "One"), (2, "Two")], None),
        ([("", "—"), ("Group <a>", [("a", "A"), ("b", "B")]), ("c", "C")], "b"),
        ([("x", "X"), ("x", "X again")], "x"),
    ],
)
def test_fast_select_renders_the_html_of_django_select(choices, value):
    attrs = {"class": "form-select form-select-sm", "data-search": "1"}
    django_select = forms.Select(attrs=attrs, choices=choices)
    fast = FastSelect(attrs=attrs, choices=choices)
    expected = django_select.render("field", value, attrs={"id": "id_field"})
    assert _tags_only(fast.render("field", value, attrs={"id": "id_field"})) == _tags_only(expected)


@pytest.mark.django_db
def test_fast_selects_swaps_plain_selects_only(world):
    class Form(forms.Form):
        locality = forms.ModelChoiceField(queryset=Locality.objects.order_by("path"))
        kinds = forms.MultipleChoiceField(choices=[("a", "A")])
        radio = forms.ChoiceField(choices=[("a", "A")], widget=forms.RadioSelect)
        name = forms.CharField()

    form = fast_selects(Form(initial={"locality": world["district_a"].pk}))
    assert [type(field.widget).__name__ for field in form.fields.values()] == [
        "FastSelect",
        "SelectMultiple",
        "RadioSelect",
        "TextInput",
    ]
    html = str(form["locality"])
    assert f'<option value="{world["district_a"].pk}" selected>' in html
    assert html.count("<option") == Locality.objects.count() + 1


@pytest.mark.django_db
@pytest.mark.parametrize("page", ["abc", "1.5", "-3", "999999999999999999999"])
def test_list_page_answers_any_page_number(coordinator_client, page):
    response = coordinator_client.get(reverse("projects:project-list"), {"page": page})
    assert response.status_code == 200
    assert response.context["page"].number == 1
