"""Departments: create, edit, uniqueness, deactivation, the list page and its export."""

import io

import pytest
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from tests.factories import DepartmentFactory
from vanco.accounts.enums import Role
from vanco.org.models import Department

LIST_URL = reverse("org:department-list")
CREATE_URL = reverse("org:department-create")


def codes(response) -> list[str]:
    return [obj.code for obj in response.context["page"].object_list]


def edit_data(department: Department, **changes) -> dict:
    data = {
        "code": department.code,
        "name": department.name,
        "short_name": department.short_name,
        "email": department.email,
        "phone": department.phone,
        "version": department.version,
    }
    data.update(changes)
    return data


@pytest.mark.django_db
def test_department_create_saves_normalised_code(world, coordinator_client):
    response = coordinator_client.post(
        CREATE_URL,
        {
            "code": " sct ",
            "name": "Sở Công Thương",
            "short_name": "SCT",
            "email": "sct@example.org",
            "phone": "0225 3842 000",
        },
    )

    assert response.status_code == 302
    department = Department.objects.get(name="Sở Công Thương")
    assert response["Location"] == reverse("org:department-detail", args=[department.pk])
    assert (department.code, department.short_name, department.email, department.version) == (
        "SCT",
        "SCT",
        "sct@example.org",
        1,
    )
    assert department.search_text == "sct so cong thuong sct"


@pytest.mark.django_db
def test_department_create_requires_name_and_code(world, coordinator_client):
    response = coordinator_client.post(CREATE_URL, {"code": "", "name": ""})

    assert response.status_code == 400
    assert sorted(response.context["form"].errors) == ["code", "name"]
    assert Department.objects.count() == 2


@pytest.mark.django_db
def test_department_create_invalid_email_refused(world, coordinator_client):
    response = coordinator_client.post(
        CREATE_URL, {"code": "STC", "name": "Sở Tài chính", "email": "not-an-address"}
    )

    assert response.status_code == 400
    assert list(response.context["form"].errors) == ["email"]
    assert not Department.objects.filter(code="STC").exists()


@pytest.mark.django_db
def test_department_create_duplicate_name_refused(world, coordinator_client):
    response = coordinator_client.post(
        CREATE_URL, {"code": "SXD2", "name": "Sở Xây dựng", "short_name": "SXD2"}
    )

    assert response.status_code == 400
    assert list(response.context["form"].errors) == ["name"]
    assert Department.objects.filter(name="Sở Xây dựng").count() == 1


@pytest.mark.django_db
def test_department_create_duplicate_code_refused(world, coordinator_client):
    response = coordinator_client.post(CREATE_URL, {"code": "sxd", "name": "Sở Xây dựng mới"})

    assert response.status_code == 400
    assert list(response.context["form"].errors) == ["code"]
    assert not Department.objects.filter(name="Sở Xây dựng mới").exists()


@pytest.mark.django_db
def test_department_edit_saves_and_bumps_version(world, coordinator_client):
    department = world["dept_a"]

    response = coordinator_client.post(
        reverse("org:department-edit", args=[department.pk]),
        edit_data(department, name="Sở Kế hoạch, Tài chính và Đầu tư", phone="0225 111"),
    )

    assert response.status_code == 302
    department.refresh_from_db()
    assert (department.name, department.phone, department.version, department.code) == (
        "Sở Kế hoạch, Tài chính và Đầu tư",
        "0225 111",
        2,
        "SKHDT",
    )
    assert "tai chinh" in department.search_text


@pytest.mark.django_db
def test_department_edit_to_another_departments_name_refused(world, coordinator_client):
    department = world["dept_a"]

    response = coordinator_client.post(
        reverse("org:department-edit", args=[department.pk]),
        edit_data(department, name="Sở Xây dựng"),
    )

    assert response.status_code == 400
    assert list(response.context["form"].errors) == ["name"]
    department.refresh_from_db()
    assert (department.name, department.version) == ("Sở Kế hoạch và Đầu tư", 1)


@pytest.mark.django_db
def test_department_edit_keeping_own_name_is_allowed(world, coordinator_client):
    department = world["dept_a"]

    response = coordinator_client.post(
        reverse("org:department-edit", args=[department.pk]), edit_data(department)
    )

    assert response.status_code == 302


@pytest.mark.django_db
@pytest.mark.parametrize("role", [Role.LOCALITY, Role.DEPARTMENT, Role.LEADER, Role.AUDITOR])
def test_department_edit_refused_for_other_roles(world, client, role):
    department = world["dept_a"]
    client.force_login(world["users"][role])

    response = client.post(
        reverse("org:department-edit", args=[department.pk]), edit_data(department, name="Hack")
    )

    assert response.status_code == 403
    department.refresh_from_db()
    assert department.name == "Sở Kế hoạch và Đầu tư"


@pytest.mark.django_db
def test_department_deactivate_and_reactivate(world, coordinator_client):
    department = world["dept_b"]
    url = reverse("org:department-toggle", args=[department.pk])

    assert coordinator_client.post(url, {"active": "0"}).status_code == 302
    department.refresh_from_db()
    assert (department.is_active, department.version) == (False, 2)

    assert coordinator_client.post(url, {"active": "1"}).status_code == 302
    department.refresh_from_db()
    assert (department.is_active, department.version) == (True, 3)


@pytest.mark.django_db
def test_department_deactivated_leaves_role_choices(world, coordinator_client):
    """A deactivated department can no longer be given to a department officer."""
    coordinator_client.post(
        reverse("org:department-toggle", args=[world["dept_b"].pk]), {"active": "0"}
    )

    response = coordinator_client.get(reverse("accounts:user-create"))

    role_form = response.context["roles"].forms[0]
    assert list(role_form.fields["department"].queryset) == [world["dept_a"]]


@pytest.mark.django_db
def test_department_deactivated_keeps_existing_assignments(world, coordinator_client):
    coordinator_client.post(
        reverse("org:department-toggle", args=[world["dept_b"].pk]), {"active": "0"}
    )

    response = coordinator_client.get(
        reverse("accounts:user-list"), {"department": world["dept_b"].pk}
    )

    assert [u.username for u in response.context["page"].object_list] == ["dept_b"]


@pytest.mark.django_db
def test_department_list_filters_by_status(world, coordinator_client):
    DepartmentFactory(code="SNV", name="Sở Nội vụ", is_active=False)

    assert codes(coordinator_client.get(LIST_URL, {"active": "0"})) == ["SNV"]
    assert codes(coordinator_client.get(LIST_URL, {"active": "1", "sort": "code"})) == [
        "SKHDT",
        "SXD",
    ]


@pytest.mark.django_db
@pytest.mark.parametrize("term", ["xay dung", "XÂY", "sxd"])
def test_department_list_search_ignores_diacritics(world, coordinator_client, term):
    assert codes(coordinator_client.get(LIST_URL, {"q": term})) == ["SXD"]


@pytest.mark.django_db
def test_department_list_sorts_by_code_descending(world, coordinator_client):
    DepartmentFactory(code="SCT", name="Sở Công Thương")

    assert codes(coordinator_client.get(LIST_URL, {"sort": "-code"})) == ["SXD", "SKHDT", "SCT"]


@pytest.mark.django_db
def test_department_list_visible_to_locality_officer_without_create_button(world, client):
    client.force_login(world["users"][Role.LOCALITY])

    response = client.get(LIST_URL, {"sort": "code"})

    assert codes(response) == ["SKHDT", "SXD"]
    assert response.context["can_create"] is False
    assert CREATE_URL not in response.content.decode()


@pytest.mark.django_db
def test_department_export_contains_filtered_rows(world, coordinator_client, coordinator):
    coordinator.language = "en"
    coordinator.save()
    DepartmentFactory(code="SNV", name="Sở Nội vụ", short_name="", is_active=False)

    response = coordinator_client.get(LIST_URL, {"export": "xlsx", "active": "1", "sort": "code"})

    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True)
    rows = [tuple(row) for row in workbook.active.iter_rows(values_only=True)]
    dept_a, dept_b = world["dept_a"], world["dept_b"]
    assert rows == [
        ("Code", "Name", "Short name", "Email", "Phone", "Active"),
        ("SKHDT", "Sở Kế hoạch và Đầu tư", dept_a.short_name, dept_a.email or None, None, True),
        ("SXD", "Sở Xây dựng", dept_b.short_name, dept_b.email or None, None, True),
    ]


@pytest.mark.django_db
def test_department_detail_shows_fields(world, coordinator_client):
    department = world["dept_a"]
    department.email = "skhdt@example.org"
    department.save()

    response = coordinator_client.get(reverse("org:department-detail", args=[department.pk]))

    content = response.content.decode()
    assert response.status_code == 200
    assert "Sở Kế hoạch và Đầu tư" in content
    assert "skhdt@example.org" in content
    assert response.context["can_edit"] is True
    with translation.override("vi"):
        assert translation.gettext("Deactivate") in content
