"""Optimistic locking: an edit based on a stale version is refused, never silently lost.

Expected messages are computed with `translation.override(<language of the request>)`, and the
English text is also checked literally. Should the Vietnamese catalogue lose a translation, the
"vi" expectation falls back to the English msgid and the tests keep holding.
"""

import pytest
from django import forms
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import reverse
from django.utils import translation

from tests.factories import ChainNodeFactory, IndustryFactory, user_with_role
from vanco.accounts.enums import Role
from vanco.accounts.models import RoleAssignment, User
from vanco.accounts.services import issue_token
from vanco.core.services import STALE_EDIT_MESSAGE, StaleEditError, save_versioned
from vanco.industries.models import ChainNode, Industry
from vanco.org.models import Department, Locality

ENGLISH_STALE = (
    "Someone else changed this record while you were editing it. Your changes were not saved: "
    "reload the page to see the current version, then make your changes again."
)
INCOMPLETE_FORM = "The form is incomplete; reload the page."


def stale_message(language: str) -> str:
    with translation.override(language):
        return str(STALE_EDIT_MESSAGE)


def translated(msgid: str, language: str = "vi") -> str:
    with translation.override(language):
        return translation.gettext(msgid)


def form_data(form) -> dict:
    """What a browser posts back for an unchanged form."""
    data = {}
    for name, field in form.fields.items():
        value = form[name].value()
        if isinstance(field.widget, forms.CheckboxInput):
            if value:
                data[name] = "on"
            continue
        data[name] = "" if value is None else value
    return data


@pytest.fixture
def second_coordinator(world):
    return user_with_role(Role.COORDINATOR, username="coordinator2", full_name="Lê Thị Hoa")


@pytest.fixture
def second_client(second_coordinator):
    client = Client()
    client.force_login(second_coordinator)
    return client


def _industry(world):
    return IndustryFactory(code="DT", name="Điện tử")


def _node(world):
    return ChainNodeFactory(code="CHIP", name="Chip bán dẫn")


# label: (object maker, edit URL name, model)
EDITABLE = {
    "locality": (lambda world: world["district_a"], "org:locality-edit", Locality),
    "department": (lambda world: world["dept_a"], "org:department-edit", Department),
    "industry": (_industry, "industries:industry-edit", Industry),
    "chain node": (_node, "industries:node-edit", ChainNode),
}


def test_stale_message_english_text_is_the_msgid():
    assert stale_message("en") == ENGLISH_STALE


@pytest.mark.parametrize("kind", list(EDITABLE))
@pytest.mark.django_db
def test_web_edit_stale_version_is_refused_and_first_save_wins(
    kind, world, coordinator_client, second_client
):
    make, url_name, model = EDITABLE[kind]
    obj = make(world)
    url = reverse(url_name, args=[obj.pk])
    start_version = model.objects.get(pk=obj.pk).version

    # Both open the same form, at the same version.
    first = form_data(coordinator_client.get(url).context["form"])
    second = form_data(second_client.get(url).context["form"])
    assert int(first["version"]) == start_version
    assert int(second["version"]) == start_version

    first["name"] = "Tên của người thứ nhất"
    response = coordinator_client.post(url, first)
    assert response.status_code == 302
    assert model.objects.get(pk=obj.pk).version == start_version + 1

    second["name"] = "Tên của người thứ hai"
    response = second_client.post(url, second)
    assert response.status_code == 400
    assert response.context["form"].non_field_errors() == [stale_message("vi")]

    saved = model.objects.get(pk=obj.pk)
    assert saved.name == "Tên của người thứ nhất"
    assert saved.version == start_version + 1


@pytest.mark.django_db
def test_web_edit_stale_message_follows_user_language(
    world, coordinator_client, second_client, second_coordinator
):
    second_coordinator.language = "en"
    second_coordinator.save()
    locality = world["district_a"]
    url = reverse("org:locality-edit", args=[locality.pk])
    data = form_data(second_client.get(url).context["form"])
    coordinator_client.post(url, {**form_data(coordinator_client.get(url).context["form"])})

    response = second_client.post(url, {**data, "name": "Quận Mới"})

    assert response.status_code == 400
    assert response["Content-Language"] == "en"
    assert response.context["form"].non_field_errors() == [ENGLISH_STALE]
    assert ENGLISH_STALE in response.content.decode()


@pytest.mark.django_db
def test_web_edit_stale_message_rendered_in_vietnamese_page(
    world, coordinator_client, second_client
):
    locality = world["district_a"]
    url = reverse("org:locality-edit", args=[locality.pk])
    data = form_data(second_client.get(url).context["form"])
    coordinator_client.post(url, form_data(coordinator_client.get(url).context["form"]))

    response = second_client.post(url, {**data, "name": "Quận Mới"})

    assert response.status_code == 400
    assert response["Content-Language"] == "vi"
    assert stale_message("vi") in response.content.decode()


@pytest.mark.django_db
def test_web_edit_without_version_is_refused(world, coordinator_client):
    locality = world["district_a"]
    url = reverse("org:locality-edit", args=[locality.pk])
    data = form_data(coordinator_client.get(url).context["form"])
    del data["version"]
    data["name"] = "Quận Không Phiên Bản"

    response = coordinator_client.post(url, data)

    assert response.status_code == 400
    assert response.context["form"].errors["version"] == [translated(INCOMPLETE_FORM)]
    locality.refresh_from_db()
    assert locality.name == "Quận Ánh Dương"
    assert locality.version == 1


@pytest.mark.django_db
def test_web_edit_with_empty_version_is_refused(world, coordinator_client):
    department = world["dept_a"]
    url = reverse("org:department-edit", args=[department.pk])
    data = form_data(coordinator_client.get(url).context["form"])

    response = coordinator_client.post(url, {**data, "version": "", "name": "Sở Mới"})

    assert response.status_code == 400
    assert response.context["form"].errors["version"] == [translated(INCOMPLETE_FORM)]
    department.refresh_from_db()
    assert department.name == "Sở Kế hoạch và Đầu tư"


@pytest.mark.django_db
def test_web_edit_with_future_version_is_refused(world, coordinator_client):
    locality = world["district_a"]
    url = reverse("org:locality-edit", args=[locality.pk])
    data = form_data(coordinator_client.get(url).context["form"])

    response = coordinator_client.post(url, {**data, "version": "7", "name": "Quận Tương Lai"})

    assert response.status_code == 400
    assert response.context["form"].non_field_errors() == [stale_message("vi")]
    locality.refresh_from_db()
    assert (locality.name, locality.version) == ("Quận Ánh Dương", 1)


@pytest.mark.django_db
def test_web_edit_after_deactivation_is_refused(world, coordinator_client, second_client):
    """Deactivating bumps the version, so a form opened before it cannot overwrite it."""
    locality = world["district_b"]
    url = reverse("org:locality-edit", args=[locality.pk])
    data = form_data(second_client.get(url).context["form"])
    response = coordinator_client.post(
        reverse("org:locality-toggle", args=[locality.pk]), {"active": "0"}
    )
    assert response.status_code == 302

    response = second_client.post(url, {**data, "name": "Huyện Đổi Tên"})

    assert response.status_code == 400
    locality.refresh_from_db()
    assert (locality.name, locality.is_active, locality.version) == ("Huyện Bình Sơn", False, 2)


# --- Users: the edit form carries a role formset ---------------------------------------------


def user_post_data(user: User, version: int, **changes) -> dict:
    data = {
        "username": user.username,
        "full_name": user.full_name,
        "title": user.title,
        "email": user.email,
        "phone": user.phone,
        "language": user.language,
        "new_password": "",
        "version": str(version),
        "roles-TOTAL_FORMS": "1",
        "roles-INITIAL_FORMS": "0",
        "roles-MIN_NUM_FORMS": "0",
        "roles-MAX_NUM_FORMS": "10",
        "roles-0-role": Role.CADRE,
        "roles-0-locality": "",
        "roles-0-department": "",
        "roles-0-enterprise_tax_code": "",
    }
    data.update(changes)
    return data


@pytest.mark.django_db
def test_user_edit_stale_version_is_refused_and_first_save_wins(
    world, coordinator_client, second_client
):
    cadre = world["users"][Role.CADRE]
    url = reverse("accounts:user-edit", args=[cadre.pk])
    assert coordinator_client.get(url).context["form"]["version"].value() == 1
    assert second_client.get(url).context["form"]["version"].value() == 1

    response = coordinator_client.post(url, user_post_data(cadre, 1, title="Chuyên viên"))
    assert response.status_code == 302

    response = second_client.post(
        url,
        user_post_data(
            cadre,
            1,
            title="Trưởng phòng",
            **{"roles-0-role": Role.LOCALITY, "roles-0-locality": str(world["district_b"].pk)},
        ),
    )
    assert response.status_code == 400
    assert response.context["form"].non_field_errors() == [stale_message("vi")]

    cadre.refresh_from_db()
    assert (cadre.title, cadre.version) == ("Chuyên viên", 2)
    # The refused edit did not touch the roles either (one transaction).
    assert list(RoleAssignment.objects.filter(user=cadre).values_list("role", "locality_id")) == [
        (Role.CADRE, None)
    ]


@pytest.mark.django_db
def test_user_edit_without_version_is_refused(world, coordinator_client):
    cadre = world["users"][Role.CADRE]
    url = reverse("accounts:user-edit", args=[cadre.pk])
    data = user_post_data(cadre, 1, title="Chuyên viên")
    del data["version"]

    response = coordinator_client.post(url, data)

    assert response.status_code == 400
    assert response.context["form"].errors["version"] == [translated(INCOMPLETE_FORM)]
    cadre.refresh_from_db()
    assert (cadre.title, cadre.version) == ("", 1)


# --- API: a stale version is a 409 conflict ---------------------------------------------------


def _api_patch(client, url, token, payload, language="en"):
    return client.patch(
        url,
        data=payload,
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
        HTTP_ACCEPT_LANGUAGE=language,
    )


API_EDITABLE = {
    "locality": (lambda world: world["district_a"], "/api/v1/localities/{}", Locality),
    "department": (lambda world: world["dept_a"], "/api/v1/departments/{}", Department),
    "industry": (_industry, "/api/v1/industries/{}", Industry),
    "chain node": (_node, "/api/v1/chain-nodes/{}", ChainNode),
}


@pytest.mark.parametrize("kind", list(API_EDITABLE))
@pytest.mark.django_db
def test_api_patch_stale_version_is_conflict(kind, client, world, coordinator):
    make, url_template, model = API_EDITABLE[kind]
    obj = make(world)
    url = url_template.format(obj.pk)
    _token, raw = issue_token(user=coordinator)

    response = _api_patch(client, url, raw, {"version": 1, "name": "Bản thứ nhất"})
    assert response.status_code == 200
    assert response.json()["version"] == 2

    response = _api_patch(client, url, raw, {"version": 1, "name": "Bản thứ hai"})
    assert response.status_code == 409
    assert response.json() == {
        "error": {"code": "conflict", "message": ENGLISH_STALE, "fields": {}}
    }
    saved = model.objects.get(pk=obj.pk)
    assert (saved.name, saved.version) == ("Bản thứ nhất", 2)


@pytest.mark.django_db
def test_api_patch_stale_message_follows_accept_language(client, world, coordinator):
    locality = world["district_a"]
    _token, raw = issue_token(user=coordinator)
    url = f"/api/v1/localities/{locality.pk}"
    _api_patch(client, url, raw, {"version": 1, "name": "Bản thứ nhất"})

    response = _api_patch(client, url, raw, {"version": 1, "name": "Bản hai"}, language="vi")

    assert response.status_code == 409
    assert response["Content-Language"] == "vi"
    assert response.json()["error"]["message"] == stale_message("vi")


@pytest.mark.django_db
def test_api_patch_without_version_is_refused(client, world, coordinator):
    locality = world["district_a"]
    _token, raw = issue_token(user=coordinator)

    response = _api_patch(client, f"/api/v1/localities/{locality.pk}", raw, {"name": "Không"})

    assert response.status_code == 422
    body = response.json()
    assert body["error"]["code"] == "invalid"
    assert list(body["error"]["fields"]) == ["version"]
    locality.refresh_from_db()
    assert (locality.name, locality.version) == ("Quận Ánh Dương", 1)


@pytest.mark.django_db
def test_api_patch_user_stale_version_is_conflict(client, world, coordinator):
    cadre = world["users"][Role.CADRE]
    _token, raw = issue_token(user=coordinator)
    url = f"/api/v1/users/{cadre.pk}"

    assert _api_patch(client, url, raw, {"version": 1, "title": "Một"}).status_code == 200
    response = _api_patch(client, url, raw, {"version": 1, "title": "Hai"})

    assert response.status_code == 409
    assert response.json() == {
        "error": {"code": "conflict", "message": ENGLISH_STALE, "fields": {}}
    }
    cadre.refresh_from_db()
    assert (cadre.title, cadre.version) == ("Một", 2)


# --- save_versioned itself ---------------------------------------------------------------------


@pytest.mark.django_db
def test_save_versioned_creates_at_version_one(world, coordinator):
    department = Department(code="SCT", name="Sở Công Thương", version=9)

    save_versioned(instance=department, expected_version=None, actor=coordinator)

    assert Department.objects.get(pk=department.pk).version == 1


@pytest.mark.django_db
def test_save_versioned_bumps_version_on_matching_edit(world, coordinator):
    locality = Locality.objects.get(pk=world["district_a"].pk)
    locality.name = "Quận Mới"

    saved = save_versioned(instance=locality, expected_version=1, actor=coordinator)

    assert saved.version == 2
    fresh = Locality.objects.get(pk=locality.pk)
    assert (fresh.name, fresh.version) == ("Quận Mới", 2)


@pytest.mark.django_db
def test_save_versioned_refuses_stale_version(world, coordinator):
    first = Locality.objects.get(pk=world["district_a"].pk)
    second = Locality.objects.get(pk=world["district_a"].pk)
    first.name = "Người thứ nhất"
    save_versioned(instance=first, expected_version=1, actor=coordinator)

    second.name = "Người thứ hai"
    with pytest.raises(StaleEditError) as excinfo:
        save_versioned(instance=second, expected_version=1, actor=coordinator)

    assert excinfo.value.code == "stale_edit"
    fresh = Locality.objects.get(pk=first.pk)
    assert (fresh.name, fresh.version) == ("Người thứ nhất", 2)


@pytest.mark.django_db
def test_save_versioned_refuses_missing_version_on_edit(world, coordinator):
    department = Department.objects.get(pk=world["dept_a"].pk)
    department.name = "Sở Đổi Tên"

    with pytest.raises(StaleEditError):
        save_versioned(instance=department, expected_version=None, actor=coordinator)

    fresh = Department.objects.get(pk=department.pk)
    assert (fresh.name, fresh.version) == ("Sở Kế hoạch và Đầu tư", 1)


@pytest.mark.django_db
def test_save_versioned_rolls_back_when_actor_cannot_edit(world):
    """The scope re-check runs inside the transaction: a refused save leaves no trace."""
    officer = world["users"][Role.LOCALITY]
    locality = Locality.objects.get(pk=world["district_a"].pk)
    locality.name = "Không được sửa"

    with pytest.raises(PermissionDenied):
        save_versioned(instance=locality, expected_version=1, actor=officer)

    fresh = Locality.objects.get(pk=locality.pk)
    assert (fresh.name, fresh.version) == ("Quận Ánh Dương", 1)


@pytest.mark.django_db
def test_save_versioned_on_users(world, coordinator):
    cadre = User.objects.get(pk=world["users"][Role.CADRE].pk)
    cadre.title = "Chuyên viên"
    save_versioned(instance=cadre, expected_version=1, actor=coordinator)

    stale = User.objects.get(pk=cadre.pk)
    stale.version = 1
    stale.title = "Cũ"
    with pytest.raises(StaleEditError):
        save_versioned(instance=stale, expected_version=1, actor=coordinator)

    fresh = User.objects.get(pk=cadre.pk)
    assert (fresh.title, fresh.version) == ("Chuyên viên", 2)
