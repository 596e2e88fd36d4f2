"""Users and their roles: the create/edit form with its role formset, deactivation, the list."""

import pytest
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse
from django.utils import translation

from tests.conftest import ENTERPRISE_TAX_CODE
from tests.factories import PASSWORD, RoleAssignmentFactory, UserFactory
from vanco.accounts.enums import Role
from vanco.accounts.models import ApiToken, RoleAssignment, User
from vanco.accounts.services import issue_token

CREATE_URL = reverse("accounts:user-create")
LIST_URL = reverse("accounts:user-list")
NEW_PASSWORD = "mật-khẩu-đủ-dài-2026"


def translated(msgid: str, language: str = "vi") -> str:
    with translation.override(language):
        return translation.gettext(msgid)


def role_rows(*rows: dict) -> dict:
    """Management form + one form per row, as the user_form template posts them."""
    data = {
        "roles-TOTAL_FORMS": str(len(rows)),
        "roles-INITIAL_FORMS": "0",
        "roles-MIN_NUM_FORMS": "0",
        "roles-MAX_NUM_FORMS": "10",
    }
    for index, row in enumerate(rows):
        full = {"role": "", "locality": "", "department": "", "enterprise_tax_code": ""}
        full.update(row)
        for key, value in full.items():
            data[f"roles-{index}-{key}"] = value
    return data


def user_data(*rows: dict, **fields) -> dict:
    data = {
        "username": "tranlan",
        "full_name": "Trần Thị Lan",
        "title": "Chuyên viên",
        "email": "lan@example.org",
        "phone": "",
        "language": "vi",
        "new_password": NEW_PASSWORD,
    }
    data.update(fields)
    data.update(role_rows(*rows))
    return data


def assignments(user) -> set[tuple]:
    return set(
        RoleAssignment.objects.filter(user=user).values_list(
            "role", "locality_id", "department_id", "enterprise_tax_code"
        )
    )


def usernames(response) -> list[str]:
    return [user.username for user in response.context["page"].object_list]


# --- Create with roles ------------------------------------------------------------------------


@pytest.mark.django_db
def test_user_create_locality_role_without_locality_refused(world, coordinator_client):
    response = coordinator_client.post(CREATE_URL, user_data({"role": Role.LOCALITY}))

    assert response.status_code == 400
    assert response.context["roles"].forms[0].errors == {
        "locality": [translated("A locality officer needs a locality.")]
    }
    assert not User.objects.filter(username="tranlan").exists()


@pytest.mark.django_db
def test_user_create_department_role_without_department_refused(world, coordinator_client):
    response = coordinator_client.post(CREATE_URL, user_data({"role": Role.DEPARTMENT}))

    assert response.status_code == 400
    assert response.context["roles"].forms[0].errors == {
        "department": [translated("A department officer needs a department.")]
    }
    assert not User.objects.filter(username="tranlan").exists()


@pytest.mark.django_db
def test_user_create_enterprise_role_with_invalid_tax_code_refused(world, coordinator_client):
    # Right shape, wrong check digit (the valid code ends in 6).
    response = coordinator_client.post(
        CREATE_URL, user_data({"role": Role.ENTERPRISE, "enterprise_tax_code": "0100109107"})
    )

    assert response.status_code == 400
    errors = response.context["roles"].forms[0].errors
    assert list(errors) == ["enterprise_tax_code"]
    assert len(errors["enterprise_tax_code"]) == 1
    assert "0100109107" in errors["enterprise_tax_code"][0]
    assert not User.objects.filter(username="tranlan").exists()


@pytest.mark.django_db
def test_user_create_enterprise_role_without_tax_code_refused(world, coordinator_client):
    response = coordinator_client.post(CREATE_URL, user_data({"role": Role.ENTERPRISE}))

    assert response.status_code == 400
    assert response.context["roles"].forms[0].errors == {
        "enterprise_tax_code": [translated("An enterprise user needs a tax code.")]
    }


@pytest.mark.django_db
def test_user_create_without_any_role_refused(world, coordinator_client):
    response = coordinator_client.post(CREATE_URL, user_data({}))

    assert response.status_code == 400
    assert response.context["roles"].non_form_errors() == [
        translated("Give the user at least one role.")
    ]
    assert not User.objects.filter(username="tranlan").exists()


@pytest.mark.django_db
def test_user_create_no_role_message_in_english(world, coordinator_client, coordinator):
    coordinator.language = "en"
    coordinator.save()

    response = coordinator_client.post(CREATE_URL, user_data({}))

    assert response.context["roles"].non_form_errors() == ["Give the user at least one role."]
    assert "Give the user at least one role." in response.content.decode()


@pytest.mark.django_db
def test_user_create_with_only_removed_row_refused(world, coordinator_client):
    response = coordinator_client.post(CREATE_URL, user_data({"role": Role.CADRE, "DELETE": "on"}))

    assert response.status_code == 400
    assert response.context["roles"].non_form_errors() == [
        translated("Give the user at least one role.")
    ]


@pytest.mark.django_db
def test_user_create_makes_exactly_the_role_assignments(world, coordinator_client):
    district_a, dept_b = world["district_a"], world["dept_b"]

    response = coordinator_client.post(
        CREATE_URL,
        user_data(
            {"role": Role.LOCALITY, "locality": district_a.pk},
            {"role": Role.DEPARTMENT, "department": dept_b.pk},
            {"role": Role.ENTERPRISE, "enterprise_tax_code": " 0100109106 "},
            {"role": Role.CADRE},
            {},  # the empty extra row
        ),
    )

    assert response.status_code == 302
    user = User.objects.get(username="tranlan")
    assert response["Location"] == reverse("accounts:user-detail", args=[user.pk])
    assert assignments(user) == {
        (Role.LOCALITY, district_a.pk, None, ""),
        (Role.DEPARTMENT, None, dept_b.pk, ""),
        (Role.ENTERPRISE, None, None, ENTERPRISE_TAX_CODE),
        (Role.CADRE, None, None, ""),
    }
    assert RoleAssignment.objects.filter(user=user).count() == 4
    assert user.check_password(NEW_PASSWORD)
    assert (user.full_name, user.title, user.version, user.is_active) == (
        "Trần Thị Lan",
        "Chuyên viên",
        1,
        True,
    )


@pytest.mark.django_db
def test_user_create_ignores_scope_fields_of_other_roles(world, coordinator_client):
    """A coordinator row with a stray locality still covers the whole city."""
    response = coordinator_client.post(
        CREATE_URL,
        user_data({"role": Role.COORDINATOR, "locality": world["district_a"].pk}),
    )

    assert response.status_code == 302
    user = User.objects.get(username="tranlan")
    assert assignments(user) == {(Role.COORDINATOR, None, None, "")}


@pytest.mark.django_db
def test_user_create_duplicate_rows_make_one_assignment(world, coordinator_client):
    district_a = world["district_a"]

    response = coordinator_client.post(
        CREATE_URL,
        user_data(
            {"role": Role.LOCALITY, "locality": district_a.pk},
            {"role": Role.LOCALITY, "locality": district_a.pk},
        ),
    )

    assert response.status_code == 302
    assert assignments(User.objects.get(username="tranlan")) == {
        (Role.LOCALITY, district_a.pk, None, "")
    }


@pytest.mark.django_db
def test_user_create_requires_password(world, coordinator_client):
    response = coordinator_client.post(CREATE_URL, user_data({"role": Role.CADRE}, new_password=""))

    assert response.status_code == 400
    assert list(response.context["form"].errors) == ["new_password"]


@pytest.mark.django_db
def test_user_create_refuses_weak_password(world, coordinator_client):
    response = coordinator_client.post(
        CREATE_URL, user_data({"role": Role.CADRE}, new_password="12345678")
    )

    assert response.status_code == 400
    assert list(response.context["form"].errors) == ["new_password"]
    assert not User.objects.filter(username="tranlan").exists()


@pytest.mark.django_db
def test_user_create_refused_for_locality_officer(world, client):
    client.force_login(world["users"][Role.LOCALITY])

    response = client.post(CREATE_URL, user_data({"role": Role.CADRE}))

    assert response.status_code == 403
    assert not User.objects.filter(username="tranlan").exists()


# --- Edit: roles are replaced ----------------------------------------------------------------


def edit_data(user: User, *rows: dict, **fields) -> dict:
    data = {
        "username": user.username,
        "full_name": user.full_name,
        "title": user.title,
        "email": user.email,
        "phone": user.phone,
        "language": user.language,
        "new_password": "",
        "version": str(user.version),
    }
    data.update(fields)
    data.update(role_rows(*rows))
    return data


@pytest.mark.django_db
def test_user_edit_form_shows_current_roles(world, coordinator_client):
    officer = world["users"][Role.LOCALITY]

    response = coordinator_client.get(reverse("accounts:user-edit", args=[officer.pk]))

    roles = response.context["roles"]
    assert [form.initial for form in roles.forms[:-1]] == [
        {
            "role": Role.LOCALITY,
            "locality": world["district_a"].pk,
            "department": None,
            "enterprise_tax_code": "",
        }
    ]
    assert roles.forms[-1].initial == {}
    content = response.content.decode()
    assert 'name="roles-TOTAL_FORMS"' in content
    assert 'name="roles-INITIAL_FORMS"' in content


@pytest.mark.django_db
def test_user_edit_replaces_roles(world, coordinator_client):
    officer = world["users"][Role.LOCALITY]
    dept_b = world["dept_b"]

    response = coordinator_client.post(
        reverse("accounts:user-edit", args=[officer.pk]),
        edit_data(officer, {"role": Role.DEPARTMENT, "department": dept_b.pk}, {}),
    )

    assert response.status_code == 302
    assert assignments(officer) == {(Role.DEPARTMENT, None, dept_b.pk, "")}
    officer.refresh_from_db()
    assert officer.version == 2
    assert officer.check_password(PASSWORD)


@pytest.mark.django_db
def test_user_edit_keeps_unchanged_assignment_rows(world, coordinator_client):
    officer = world["users"][Role.LOCALITY]
    kept = RoleAssignment.objects.get(user=officer)

    response = coordinator_client.post(
        reverse("accounts:user-edit", args=[officer.pk]),
        edit_data(
            officer,
            {"role": Role.LOCALITY, "locality": world["district_a"].pk},
            {"role": Role.CADRE},
        ),
    )

    assert response.status_code == 302
    assert assignments(officer) == {
        (Role.LOCALITY, world["district_a"].pk, None, ""),
        (Role.CADRE, None, None, ""),
    }
    assert RoleAssignment.objects.filter(pk=kept.pk).exists()


@pytest.mark.django_db
def test_user_edit_removing_a_row_deletes_it(world, coordinator_client):
    officer = world["users"][Role.LOCALITY]
    RoleAssignmentFactory(user=officer, role=Role.CADRE)

    response = coordinator_client.post(
        reverse("accounts:user-edit", args=[officer.pk]),
        edit_data(
            officer,
            {"role": Role.LOCALITY, "locality": world["district_a"].pk},
            {"role": Role.CADRE, "DELETE": "on"},
        ),
    )

    assert response.status_code == 302
    assert assignments(officer) == {(Role.LOCALITY, world["district_a"].pk, None, "")}


@pytest.mark.django_db
def test_user_edit_with_new_password_changes_it(world, coordinator_client):
    cadre = world["users"][Role.CADRE]

    response = coordinator_client.post(
        reverse("accounts:user-edit", args=[cadre.pk]),
        edit_data(cadre, {"role": Role.CADRE}, new_password=NEW_PASSWORD),
    )

    assert response.status_code == 302
    cadre.refresh_from_db()
    assert cadre.check_password(NEW_PASSWORD)


@pytest.mark.django_db
def test_user_edit_invalid_roles_change_nothing(world, coordinator_client):
    officer = world["users"][Role.LOCALITY]

    response = coordinator_client.post(
        reverse("accounts:user-edit", args=[officer.pk]),
        edit_data(officer, {"role": Role.DEPARTMENT}, title="Phó phòng"),
    )

    assert response.status_code == 400
    officer.refresh_from_db()
    assert (officer.title, officer.version) == ("", 1)
    assert assignments(officer) == {(Role.LOCALITY, world["district_a"].pk, None, "")}


# --- Deactivation ----------------------------------------------------------------------------


@pytest.mark.django_db
def test_user_coordinator_cannot_deactivate_themselves(world, coordinator_client, coordinator):
    response = coordinator_client.post(
        reverse("accounts:user-toggle", args=[coordinator.pk]), {"active": "0"}
    )

    assert response.status_code == 302
    coordinator.refresh_from_db()
    assert (coordinator.is_active, coordinator.version) == (True, 1)
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        translated("You cannot deactivate your own account.")
    ]


@pytest.mark.django_db
def test_user_deactivate_revokes_tokens_and_blocks_api(world, coordinator_client):
    cadre = world["users"][Role.CADRE]
    token, raw = issue_token(user=cadre)

    response = coordinator_client.post(
        reverse("accounts:user-toggle", args=[cadre.pk]), {"active": "0"}
    )

    assert response.status_code == 302
    cadre.refresh_from_db()
    assert (cadre.is_active, cadre.version) == (False, 2)
    token.refresh_from_db()
    assert token.revoked_at is not None
    # A fresh client: the coordinator's session would otherwise authenticate the call.
    response = Client().get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert response.status_code == 401


@pytest.mark.django_db
def test_user_reactivate_does_not_restore_tokens(world, coordinator_client):
    cadre = world["users"][Role.CADRE]
    issue_token(user=cadre)
    url = reverse("accounts:user-toggle", args=[cadre.pk])
    coordinator_client.post(url, {"active": "0"})

    coordinator_client.post(url, {"active": "1"})

    cadre.refresh_from_db()
    assert (cadre.is_active, cadre.version) == (True, 3)
    assert ApiToken.objects.filter(user=cadre, revoked_at__isnull=True).count() == 0


# --- List: filters and scope -----------------------------------------------------------------


@pytest.mark.django_db
def test_user_list_filters_by_role(world, coordinator_client):
    response = coordinator_client.get(LIST_URL, {"role": Role.DEPARTMENT, "sort": "username"})

    assert usernames(response) == ["dept_a", "dept_b"]


@pytest.mark.django_db
def test_user_list_filters_by_locality_subtree(world, coordinator_client):
    response = coordinator_client.get(
        LIST_URL, {"locality": world["district_a"].pk, "sort": "username"}
    )

    assert usernames(response) == ["loc_a", "loc_ca"]


@pytest.mark.django_db
def test_user_list_filters_by_city_covers_all_locality_officers(world, coordinator_client):
    response = coordinator_client.get(LIST_URL, {"locality": world["city"].pk, "sort": "username"})

    assert usernames(response) == ["loc_a", "loc_b", "loc_ca"]


@pytest.mark.django_db
def test_user_list_filters_by_department(world, coordinator_client):
    response = coordinator_client.get(LIST_URL, {"department": world["dept_a"].pk})

    assert usernames(response) == ["dept_a"]


@pytest.mark.django_db
def test_user_list_filters_by_status(world, coordinator_client):
    UserFactory(username="old_user", is_active=False)

    response = coordinator_client.get(LIST_URL, {"active": "0"})

    assert usernames(response) == ["old_user"]


@pytest.mark.django_db
def test_user_list_hides_system_account(world, coordinator_client):
    # The system actor is created by a migration.
    assert User.objects.get(username="system").is_system is True

    response = coordinator_client.get(LIST_URL, {"per_page": 100})

    assert "system" not in usernames(response)
    # The ten people of the world fixture, not the system account.
    assert response.context["paginator"].count == 10


@pytest.mark.django_db
def test_user_list_search_ignores_diacritics(world, coordinator_client):
    UserFactory(username="hung", full_name="Nguyễn Văn Hùng")

    response = coordinator_client.get(LIST_URL, {"q": "van hung"})

    assert usernames(response) == ["hung"]


@pytest.mark.django_db
def test_user_list_locality_officer_sees_own_subtree_and_self(world, client):
    client.force_login(world["users"][Role.LOCALITY])

    response = client.get(LIST_URL, {"sort": "username"})

    # Officials also see the roster of paired officials (cadres), whom they pair and visit with.
    assert usernames(response) == ["cadre", "loc_a", "loc_ca"]


@pytest.mark.django_db
def test_user_list_commune_officer_does_not_see_district_officer(world, client):
    client.force_login(world["others"]["loc_commune_a"])

    response = client.get(LIST_URL, {"sort": "username"})

    assert usernames(response) == ["cadre", "loc_ca"]


@pytest.mark.django_db
def test_user_list_locality_officer_filter_cannot_widen_scope(world, client):
    client.force_login(world["users"][Role.LOCALITY])

    response = client.get(LIST_URL, {"locality": world["district_b"].pk})

    assert usernames(response) == []


@pytest.mark.django_db
def test_user_list_department_officer_sees_own_department(world, client):
    client.force_login(world["users"][Role.DEPARTMENT])

    response = client.get(LIST_URL, {"sort": "username"})

    assert usernames(response) == ["cadre", "dept_a"]


@pytest.mark.django_db
def test_user_list_enterprise_user_does_not_see_the_cadre_roster(world, client):
    client.force_login(world["users"][Role.ENTERPRISE])

    response = client.get(LIST_URL, {"sort": "username"})

    assert usernames(response) == ["enterprise"]


@pytest.mark.django_db
def test_user_list_shows_roles_column(world, coordinator_client):
    response = coordinator_client.get(LIST_URL, {"q": "loc_a"})

    [(_user, cells)] = response.context["rows"]
    roles = dict((column.name, value) for column, value in cells)["roles"]
    with translation.override("vi"):
        expected = f"{Role.LOCALITY.label} — {world['district_a'].name}"
    assert roles == expected
