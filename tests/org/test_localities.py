"""Localities: the tree (paths, depths, moves), kind rules, the list page and its export."""

import io

import pytest
from django.conf import settings
from django.contrib.messages import get_messages
from django.db import IntegrityError, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from tests.factories import LocalityFactory
from vanco.core.tree import path_segment
from vanco.org.enums import LocalityKind
from vanco.org.models import Locality

LIST_URL = reverse("org:locality-list")
CREATE_URL = reverse("org:locality-create")


def tree_path(*nodes) -> str:
    """The materialised path of the last node, through its ancestors (zero-padded ids)."""
    return "/" + "".join(path_segment(node.pk) for node in nodes)


def translated(msgid: str, language: str = "vi") -> str:
    with translation.override(language):
        return translation.gettext(msgid)


def label(kind: LocalityKind, language: str = "vi") -> str:
    with translation.override(language):
        return str(kind.label)


def codes(response) -> list[str]:
    return [obj.code for obj in response.context["page"].object_list]


def edit_data(locality: Locality, **changes) -> dict:
    data = {
        "code": locality.code,
        "name": locality.name,
        "kind": locality.kind,
        "parent": locality.parent_id or "",
        "version": locality.version,
    }
    data.update(changes)
    return data


# --- Tree paths --------------------------------------------------------------------------------


@pytest.mark.django_db
def test_locality_tree_paths_and_depths_on_create():
    city = LocalityFactory(code="HP", kind=LocalityKind.CITY)
    district = LocalityFactory(code="HP-LC", parent=city)
    commune = LocalityFactory(code="HP-LC-1", parent=district, kind=LocalityKind.COMMUNE)

    rows = {
        row.code: (row.path, row.depth)
        for row in Locality.objects.filter(pk__in=[city.pk, district.pk, commune.pk])
    }
    assert rows == {
        "HP": (tree_path(city), 0),
        "HP-LC": (tree_path(city, district), 1),
        "HP-LC-1": (tree_path(city, district, commune), 2),
    }


@pytest.mark.django_db
def test_locality_create_view_writes_tree_path(world, coordinator_client):
    city, district = world["city"], world["district_a"]

    response = coordinator_client.post(
        CREATE_URL,
        {
            "code": "da-2",
            "name": "Phường Bắc Hà",
            "kind": LocalityKind.COMMUNE,
            "parent": district.pk,
        },
    )

    assert response.status_code == 302
    created = Locality.objects.get(code="DA-2")
    assert response["Location"] == reverse("org:locality-detail", args=[created.pk])
    assert (created.path, created.depth, created.version) == (
        tree_path(city, district, created),
        2,
        1,
    )


@pytest.mark.django_db
def test_locality_move_rewrites_every_descendant(world, coordinator_client):
    old_city, district = world["city"], world["district_a"]
    park = LocalityFactory(code="KCN-1", parent=district, kind=LocalityKind.INDUSTRIAL_PARK)
    other_city = LocalityFactory(code="CITY-2", kind=LocalityKind.CITY)

    response = coordinator_client.post(
        reverse("org:locality-edit", args=[district.pk]), edit_data(district, parent=other_city.pk)
    )

    assert response.status_code == 302
    base = tree_path(other_city, district)
    rows = {
        row.code: (row.path, row.depth)
        for row in Locality.objects.filter(path__startswith=tree_path(other_city))
    }
    assert rows == {
        "CITY-2": (tree_path(other_city), 0),
        "DA": (base, 1),
        "DA-1": (tree_path(other_city, district, world["commune_a"]), 2),
        "KCN-1": (tree_path(other_city, district, park), 2),
    }
    # Nothing is left under the old city's branch of district A.
    assert list(Locality.objects.filter(path__startswith=tree_path(old_city)).order_by("code")) == [
        old_city,
        world["district_b"],
        world["commune_b"],
    ]


@pytest.mark.django_db
def test_locality_move_to_another_depth_updates_depth(world, coordinator_client):
    city, district_a, district_b = world["city"], world["district_a"], world["district_b"]
    park = LocalityFactory(code="KCN-2", parent=city, kind=LocalityKind.INDUSTRIAL_PARK)
    assert park.depth == 1

    response = coordinator_client.post(
        reverse("org:locality-edit", args=[park.pk]), edit_data(park, parent=district_b.pk)
    )

    assert response.status_code == 302
    park.refresh_from_db()
    assert (park.path, park.depth) == (tree_path(city, district_b, park), 2)
    district_a.refresh_from_db()
    assert district_a.path == tree_path(city, district_a)


@pytest.mark.django_db
def test_locality_move_query_count_does_not_grow_with_descendants(world):
    """The branch is rewritten in one UPDATE, not one save per descendant."""
    other_city = LocalityFactory(code="CITY-2", kind=LocalityKind.CITY)
    small = LocalityFactory(code="SMALL", parent=world["city"])
    big = LocalityFactory(code="BIG", parent=world["city"])
    LocalityFactory(parent=small, kind=LocalityKind.COMMUNE)
    for _ in range(15):
        LocalityFactory(parent=big, kind=LocalityKind.COMMUNE)

    counts = []
    for district in (small, big):
        district = Locality.objects.get(pk=district.pk)
        district.parent = other_city
        with CaptureQueriesContext(transaction.get_connection()) as queries:
            district.save()
        counts.append(len(queries))

    assert counts[0] == counts[1]
    assert Locality.objects.filter(path__startswith=tree_path(other_city, big)).count() == 16
    assert set(
        Locality.objects.filter(path__startswith=tree_path(other_city, big)).values_list(
            "depth", flat=True
        )
    ) == {1, 2}


@pytest.mark.django_db
def test_locality_cannot_move_under_own_descendant_in_form(world, coordinator_client):
    district = world["district_a"]

    response = coordinator_client.post(
        reverse("org:locality-edit", args=[district.pk]),
        edit_data(district, parent=world["commune_a"].pk),
    )

    assert response.status_code == 400
    assert list(response.context["form"].errors) == ["parent"]
    district.refresh_from_db()
    assert district.parent_id == world["city"].pk


@pytest.mark.django_db
def test_locality_cannot_move_under_itself_in_form(world, coordinator_client):
    district = world["district_a"]

    response = coordinator_client.post(
        reverse("org:locality-edit", args=[district.pk]), edit_data(district, parent=district.pk)
    )

    assert response.status_code == 400
    assert list(response.context["form"].errors) == ["parent"]


@pytest.mark.django_db
def test_locality_clean_refuses_own_descendant_as_parent(world):
    from django.core.exceptions import ValidationError

    district = Locality.objects.get(pk=world["district_a"].pk)
    district.parent = world["commune_a"]

    with pytest.raises(ValidationError) as excinfo:
        district.full_clean()

    with translation.override("en"):
        assert excinfo.value.message_dict == {
            "parent": ["An item cannot be placed under itself or its own descendant."]
        }


@pytest.mark.django_db
def test_locality_form_parent_choices_exclude_own_subtree(world, coordinator_client):
    response = coordinator_client.get(reverse("org:locality-edit", args=[world["district_a"].pk]))

    choices = set(response.context["form"].fields["parent"].queryset.values_list("code", flat=True))
    assert choices == {"CITY", "DB", "DB-1"}


# --- Kind rules --------------------------------------------------------------------------------


@pytest.mark.django_db
def test_locality_town_under_district_is_refused_naming_both_kinds(world, coordinator_client):
    # A town (thị xã) belongs to the province only.
    response = coordinator_client.post(
        CREATE_URL,
        {
            "code": "TX-1",
            "name": "Thị xã Lạc",
            "kind": LocalityKind.TOWN,
            "parent": world["district_a"].pk,
        },
    )

    assert response.status_code == 400
    errors = response.context["form"].errors
    assert list(errors) == ["parent"]
    [message] = errors["parent"]
    assert label(LocalityKind.TOWN) in message
    assert label(LocalityKind.DISTRICT) in message
    assert not Locality.objects.filter(code="TX-1").exists()


@pytest.mark.django_db
def test_locality_kind_message_in_english_names_both_kinds(world, coordinator_client, coordinator):
    coordinator.language = "en"
    coordinator.save()
    park = LocalityFactory(code="KCN", parent=world["city"], kind=LocalityKind.INDUSTRIAL_PARK)

    response = coordinator_client.post(
        CREATE_URL,
        {"code": "X-1", "name": "Xã Lạc", "kind": LocalityKind.COMMUNE, "parent": park.pk},
    )

    assert response.status_code == 400
    [message] = response.context["form"].errors["parent"]
    assert "Ward / commune" in message
    assert "Industrial park" in message


@pytest.mark.django_db
def test_locality_kind_change_that_breaks_childrens_rule_is_refused(world, coordinator_client):
    """District A has a ward under it; turning A into a ward would leave a ward under a ward."""
    district = world["district_a"]

    response = coordinator_client.post(
        reverse("org:locality-edit", args=[district.pk]),
        edit_data(district, kind=LocalityKind.COMMUNE),
    )

    assert response.status_code == 400
    district.refresh_from_db()
    assert (district.kind, district.version) == (LocalityKind.DISTRICT, 1)


@pytest.mark.django_db
def test_locality_commune_directly_under_province_is_allowed(world, coordinator_client):
    """Vietnam's two-level administration (since July 2025): wards under the province."""
    city = world["city"]

    response = coordinator_client.post(
        CREATE_URL,
        {"code": "P-1", "name": "Phường Một", "kind": LocalityKind.COMMUNE, "parent": city.pk},
    )

    assert response.status_code == 302
    commune = Locality.objects.get(code="P-1")
    assert (commune.path, commune.depth) == (tree_path(city, commune), 1)


@pytest.mark.django_db
def test_locality_district_without_parent_is_refused(world, coordinator_client):
    response = coordinator_client.post(
        CREATE_URL, {"code": "Q9", "name": "Quận 9", "kind": LocalityKind.DISTRICT, "parent": ""}
    )

    assert response.status_code == 400
    assert response.context["form"].errors == {
        "parent": [translated("Choose the locality this one belongs to.")]
    }


@pytest.mark.django_db
def test_locality_city_with_parent_is_refused(world, coordinator_client):
    response = coordinator_client.post(
        CREATE_URL,
        {
            "code": "C2",
            "name": "Thành phố Hai",
            "kind": LocalityKind.CITY,
            "parent": world["city"].pk,
        },
    )

    assert response.status_code == 400
    assert response.context["form"].errors == {
        "parent": [translated("The city (province) has no parent.")]
    }


@pytest.mark.django_db
def test_locality_check_constraint_refuses_district_without_parent(db):
    with pytest.raises(IntegrityError) as excinfo, transaction.atomic():
        Locality.objects.create(code="Q1", name="Quận 1", kind=LocalityKind.DISTRICT)
    assert "locality_city_is_root" in str(excinfo.value)
    assert not Locality.objects.filter(code="Q1").exists()


@pytest.mark.django_db
def test_locality_check_constraint_refuses_city_with_parent(city):
    with pytest.raises(IntegrityError) as excinfo, transaction.atomic():
        Locality.objects.create(
            code="C2", name="Thành phố Hai", kind=LocalityKind.CITY, parent=city
        )
    assert "locality_city_is_root" in str(excinfo.value)


# --- Create: code normalisation and uniqueness ---------------------------------------------


@pytest.mark.django_db
def test_locality_create_normalises_code_to_upper_case(world, coordinator_client):
    response = coordinator_client.post(
        CREATE_URL,
        {
            "code": "  hp-kcn.3 ",
            "name": "KCN Nam Cầu",
            "kind": "industrial_park",
            "parent": world["city"].pk,
        },
    )

    assert response.status_code == 302
    created = Locality.objects.get(name="KCN Nam Cầu")
    assert created.code == "HP-KCN.3"


@pytest.mark.django_db
def test_locality_create_duplicate_code_is_refused(world, coordinator_client):
    response = coordinator_client.post(
        CREATE_URL,
        {
            "code": "da",
            "name": "Quận Trùng Mã",
            "kind": LocalityKind.DISTRICT,
            "parent": world["city"].pk,
        },
    )

    assert response.status_code == 400
    assert list(response.context["form"].errors) == ["code"]
    assert Locality.objects.filter(code="DA").count() == 1
    assert not Locality.objects.filter(name="Quận Trùng Mã").exists()


@pytest.mark.django_db
def test_locality_create_invalid_code_characters_refused(world, coordinator_client):
    response = coordinator_client.post(
        CREATE_URL,
        {
            "code": "Q 1/2",
            "name": "Quận Lỗi",
            "kind": LocalityKind.DISTRICT,
            "parent": world["city"].pk,
        },
    )

    assert response.status_code == 400
    assert list(response.context["form"].errors) == ["code"]


@pytest.mark.django_db
def test_locality_create_refused_for_locality_officer(world, client):
    from vanco.accounts.enums import Role

    client.force_login(world["users"][Role.LOCALITY])
    response = client.post(
        CREATE_URL,
        {"code": "Q7", "name": "Quận 7", "kind": LocalityKind.DISTRICT, "parent": world["city"].pk},
    )

    assert response.status_code == 403
    assert not Locality.objects.filter(code="Q7").exists()


# --- Deactivate / reactivate -------------------------------------------------------------------


@pytest.mark.django_db
def test_locality_toggle_deactivates_and_reactivates(world, coordinator_client):
    locality = world["district_b"]
    url = reverse("org:locality-toggle", args=[locality.pk])

    response = coordinator_client.post(url, {"active": "0"})
    assert response.status_code == 302
    assert response["Location"] == locality.get_absolute_url()
    locality.refresh_from_db()
    assert (locality.is_active, locality.version) == (False, 2)
    with translation.override("vi"):
        expected = translation.gettext("Deactivated: %(name)s") % {"name": locality.name}
    assert [str(m) for m in get_messages(response.wsgi_request)] == [expected]

    response = coordinator_client.post(url, {"active": "1"})
    assert response.status_code == 302
    locality.refresh_from_db()
    assert (locality.is_active, locality.version) == (True, 3)


@pytest.mark.django_db
def test_locality_toggle_refuses_get(world, coordinator_client):
    response = coordinator_client.get(reverse("org:locality-toggle", args=[world["city"].pk]))

    assert response.status_code == 405


@pytest.mark.django_db
def test_locality_deactivated_leaves_parent_choices(world, coordinator_client):
    coordinator_client.post(
        reverse("org:locality-toggle", args=[world["district_b"].pk]), {"active": "0"}
    )

    response = coordinator_client.get(CREATE_URL)

    choices = set(response.context["form"].fields["parent"].queryset.values_list("code", flat=True))
    assert choices == {"CITY", "DA", "DA-1", "DB-1"}


# --- List page: filters, search, sort, pagination, htmx -------------------------------------


@pytest.mark.django_db
def test_locality_list_filters_by_kind(world, coordinator_client):
    response = coordinator_client.get(LIST_URL, {"kind": "commune", "sort": "code"})

    assert codes(response) == ["DA-1", "DB-1"]
    assert response.context["paginator"].count == 2


@pytest.mark.django_db
def test_locality_list_filters_within_subtree(world, coordinator_client):
    response = coordinator_client.get(LIST_URL, {"within": world["district_a"].pk, "sort": "code"})

    assert codes(response) == ["DA", "DA-1"]


@pytest.mark.django_db
def test_locality_list_within_whole_city(world, coordinator_client):
    response = coordinator_client.get(LIST_URL, {"within": world["city"].pk, "sort": "code"})

    assert codes(response) == ["CITY", "DA", "DA-1", "DB", "DB-1"]


@pytest.mark.django_db
def test_locality_list_filters_by_status(world, coordinator_client):
    coordinator_client.post(
        reverse("org:locality-toggle", args=[world["commune_b"].pk]), {"active": "0"}
    )

    inactive = coordinator_client.get(LIST_URL, {"active": "0", "sort": "code"})
    active = coordinator_client.get(LIST_URL, {"active": "1", "sort": "code"})
    everyone = coordinator_client.get(LIST_URL, {"active": "", "sort": "code"})

    assert codes(inactive) == ["DB-1"]
    assert codes(active) == ["CITY", "DA", "DA-1", "DB"]
    assert codes(everyone) == ["CITY", "DA", "DA-1", "DB", "DB-1"]


@pytest.mark.django_db
@pytest.mark.parametrize("term", ["dong ha", "ĐÔNG HÀ", "Đông", "da-1"])
def test_locality_list_search_ignores_diacritics_and_case(world, coordinator_client, term):
    response = coordinator_client.get(LIST_URL, {"q": term})

    assert codes(response) == ["DA-1"]


@pytest.mark.django_db
def test_locality_list_search_and_filter_combine(world, coordinator_client):
    response = coordinator_client.get(LIST_URL, {"q": "son", "kind": "commune"})

    assert codes(response) == ["DB-1"]


@pytest.mark.django_db
def test_locality_list_sorts_by_name_descending(world, coordinator_client):
    response = coordinator_client.get(LIST_URL, {"sort": "-name"})

    # Xã Tây Sơn, Thành phố Thử Nghiệm, Quận Ánh Dương, Phường Đông Hà, Huyện Bình Sơn
    assert codes(response) == ["DB-1", "CITY", "DA", "DA-1", "DB"]
    assert response.context["sort"] == "-name"


@pytest.mark.django_db
def test_locality_list_sorts_by_code_ascending(world, coordinator_client):
    response = coordinator_client.get(LIST_URL, {"sort": "code"})

    assert codes(response) == ["CITY", "DA", "DA-1", "DB", "DB-1"]


@pytest.mark.django_db
def test_locality_list_ignores_unknown_sort(world, coordinator_client):
    response = coordinator_client.get(LIST_URL, {"sort": "-search_text"})

    assert response.status_code == 200
    assert response.context["sort"] == ""
    # Default order is the tree order (path): a parent comes right before its children.
    listed = codes(response)
    assert listed[0] == "CITY"
    assert listed.index("DA") + 1 == listed.index("DA-1")
    assert listed.index("DB") + 1 == listed.index("DB-1")


def _bulk_communes(parent: Locality, count: int) -> None:
    Locality.objects.bulk_create(
        Locality(
            code=f"BULK-{n:04d}",
            name=f"Phường Số {n}",
            kind=LocalityKind.COMMUNE,
            parent=parent,
            path="",
            depth=parent.depth + 1,
        )
        for n in range(count)
    )


@pytest.mark.django_db
def test_locality_list_page_size_is_capped(world, coordinator_client):
    cap = settings.VANCO_MAX_PAGE_SIZE
    _bulk_communes(world["district_a"], cap + 20)

    response = coordinator_client.get(LIST_URL, {"per_page": cap * 5, "sort": "code"})

    assert len(response.context["page"].object_list) == cap
    assert response.context["paginator"].count == cap + 20 + 5
    assert response.context["paginator"].num_pages == 2


@pytest.mark.django_db
def test_locality_list_per_page_and_page(world, coordinator_client):
    response = coordinator_client.get(LIST_URL, {"per_page": "2", "page": "2", "sort": "code"})

    assert codes(response) == ["DA-1", "DB"]
    assert response.context["paginator"].num_pages == 3


@pytest.mark.django_db
def test_locality_list_bad_per_page_falls_back_to_default(world, coordinator_client):
    _bulk_communes(world["district_a"], settings.VANCO_PAGE_SIZE + 3)

    response = coordinator_client.get(LIST_URL, {"per_page": "many"})

    assert len(response.context["page"].object_list) == settings.VANCO_PAGE_SIZE


@pytest.mark.django_db
def test_locality_list_page_past_the_end_shows_last_page(world, coordinator_client):
    response = coordinator_client.get(LIST_URL, {"per_page": "2", "page": "99", "sort": "code"})

    assert response.status_code == 200
    assert codes(response) == ["DB-1"]


@pytest.mark.django_db
def test_locality_list_htmx_returns_results_fragment_only(world, coordinator_client):
    response = coordinator_client.get(
        LIST_URL,
        {"within": world["district_b"].pk},
        headers={"HX-Request": "true", "HX-Target": "list-results"},
    )

    content = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in content
    assert 'data-testid="result-count"' in content
    assert "Xã Tây Sơn" in content
    # District A is neither a row nor (as it would be in the full page) a filter choice.
    assert "Quận Ánh Dương" not in content
    assert 'role="search"' not in content


@pytest.mark.django_db
def test_locality_list_full_page_without_htmx(world, coordinator_client):
    response = coordinator_client.get(LIST_URL, {"kind": "commune"})

    content = response.content.decode()
    assert "<html" in content
    assert 'role="search"' in content
    assert 'data-testid="result-count"' in content


# --- Export ------------------------------------------------------------------------------------


def _sheet_rows(response) -> list[tuple]:
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True)
    return [tuple(row) for row in workbook.active.iter_rows(values_only=True)]


@pytest.mark.django_db
def test_locality_export_contains_exactly_filtered_rows(world, coordinator_client, coordinator):
    coordinator.language = "en"
    coordinator.save()

    response = coordinator_client.get(
        LIST_URL, {"export": "xlsx", "within": world["district_a"].pk, "sort": "code"}
    )

    assert response.status_code == 200
    assert response["Content-Type"] == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    assert 'filename="localities.xlsx"' in response["Content-Disposition"]
    assert _sheet_rows(response) == [
        ("Code", "Name", "Kind", "Belongs to", "Active"),
        ("DA", "Quận Ánh Dương", "Urban district", "Thành phố Thử Nghiệm", True),
        ("DA-1", "Phường Đông Hà", "Ward / commune", "Quận Ánh Dương", True),
    ]


@pytest.mark.django_db
def test_locality_export_ignores_pagination(world, coordinator_client):
    response = coordinator_client.get(
        LIST_URL, {"export": "xlsx", "per_page": "2", "page": "1", "sort": "code"}
    )

    rows = _sheet_rows(response)
    assert [row[0] for row in rows[1:]] == ["CITY", "DA", "DA-1", "DB", "DB-1"]


@pytest.mark.django_db
def test_locality_export_neutralises_formulas(world, coordinator_client):
    LocalityFactory(code="F1", name='=HYPERLINK("http://evil.example","x")', parent=world["city"])
    LocalityFactory(code="F2", name="+1+1", parent=world["city"])
    LocalityFactory(code="F3", name="@SUM(A1)", parent=world["city"])

    response = coordinator_client.get(LIST_URL, {"export": "xlsx", "q": "", "sort": "code"})

    names = {row[0]: row[1] for row in _sheet_rows(response)[1:]}
    assert names["F1"] == '\'=HYPERLINK("http://evil.example","x")'
    assert names["F2"] == "'+1+1"
    assert names["F3"] == "'@SUM(A1)"
    assert names["DA"] == "Quận Ánh Dương"
