"""Enterprise pages: scoped list (filters, search, export), detail, edit, contacts, import."""

import io

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from tests.conftest import ENTERPRISE_TAX_CODE
from tests.enterprises.factories import HEADER_EN, read_xlsx, xlsx_file
from tests.factories import (
    ContactFactory,
    EnterpriseFactory,
    IndustryFactory,
    ProjectFactory,
    valid_tax_code,
)
from vanco.accounts.enums import Role
from vanco.accounts.models import User
from vanco.core.models import ImportJob
from vanco.enterprises.enums import EnterpriseStatus
from vanco.enterprises.models import Contact, Enterprise


@pytest.fixture(autouse=True)
def _english_messages(request):
    """These tests compare messages with their English source; their users read English."""
    with translation.override("en"):
        if "world" in request.fixturenames:
            request.getfixturevalue("world")
            User.objects.update(language="en")
        yield


LIST = reverse("enterprises:enterprise-list")


def login(world, role_or_name) -> Client:
    client = Client()
    user = world["users"].get(role_or_name) or world["others"][role_or_name]
    client.force_login(user)
    return client


def names(response) -> list[str]:
    return [obj.name for obj, _cells in response.context["rows"]]


@pytest.fixture
def firms(world):
    return {
        "a": EnterpriseFactory(name="Công ty Ánh Dương", locality=world["district_a"]),
        "commune_a": EnterpriseFactory(
            name="Công ty Đông Hà", locality=world["commune_a"], status=EnterpriseStatus.PROSPECT
        ),
        "b": EnterpriseFactory(name="Công ty Bình Sơn", locality=world["district_b"]),
        "own": EnterpriseFactory(
            name="Công ty Của Tôi", tax_code=ENTERPRISE_TAX_CODE, locality=world["district_b"]
        ),
    }


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        (
            Role.COORDINATOR,
            ["Công ty Ánh Dương", "Công ty Bình Sơn", "Công ty Của Tôi", "Công ty Đông Hà"],
        ),
        (
            Role.LEADER,
            ["Công ty Ánh Dương", "Công ty Bình Sơn", "Công ty Của Tôi", "Công ty Đông Hà"],
        ),
        (Role.LOCALITY, ["Công ty Ánh Dương", "Công ty Đông Hà"]),
        ("loc_commune_a", ["Công ty Đông Hà"]),
        (Role.ENTERPRISE, ["Công ty Của Tôi"]),
        (Role.CADRE, []),
        (Role.DEPARTMENT, []),
    ],
)
def test_enterprise_list_is_scoped(world, firms, who, expected):
    response = login(world, who).get(LIST)
    assert response.status_code == 200
    # Sorting by name follows the database's collation; the set is what the scope decides.
    assert sorted(names(response)) == sorted(expected)


def test_enterprise_list_filters_and_search(world, firms):
    client = login(world, Role.COORDINATOR)
    assert sorted(names(client.get(LIST, {"locality": world["district_a"].pk}))) == [
        "Công ty Ánh Dương",
        "Công ty Đông Hà",
    ]
    assert names(client.get(LIST, {"status": "prospect"})) == ["Công ty Đông Hà"]
    assert names(client.get(LIST, {"q": "DONG ha"})) == ["Công ty Đông Hà"]
    assert names(client.get(LIST, {"q": firms["b"].tax_code})) == ["Công ty Bình Sơn"]
    ascending = names(client.get(LIST, {"sort": "name"}))
    assert names(client.get(LIST, {"sort": "-name"})) == ascending[::-1]


def test_enterprise_list_export_is_filtered_and_masked(world, firms):
    ContactFactory(enterprise=firms["a"], phone="0912345612", email="lien@example.vn")
    response = login(world, Role.LOCALITY).get(LIST, {"export": "xlsx", "q": "anh duong"})
    rows = read_xlsx(b"".join(response.streaming_content))
    assert [row[0] for row in rows[1:]] == ["Công ty Ánh Dương"]
    assert rows[1][-2:] == ["09******12", "l***@example.vn"]


def test_enterprise_detail_shows_contacts_and_visible_projects(world, firms):
    ContactFactory(enterprise=firms["a"], name="Trần Thị Liên")
    ProjectFactory(investor=firms["a"], locality=world["district_a"], name="Nhà máy A")
    ProjectFactory(investor=firms["a"], locality=world["district_b"], name="Nhà máy B")
    url = firms["a"].get_absolute_url()
    response = login(world, Role.LOCALITY).get(url)
    assert response.status_code == 200
    assert [c.name for c in response.context["contacts"]] == ["Trần Thị Liên"]
    assert [p.name for p in response.context["projects"]] == ["Nhà máy A"]
    assert response.context["can_manage"] is True
    response = login(world, Role.COORDINATOR).get(url)
    assert sorted(p.name for p in response.context["projects"]) == ["Nhà máy A", "Nhà máy B"]


@pytest.mark.parametrize("who", [Role.LOCALITY, Role.ENTERPRISE, Role.CADRE])
def test_enterprise_detail_out_of_scope_is_404(world, firms, who):
    target = firms["own"] if who == Role.LOCALITY else firms["a"]
    assert login(world, who).get(target.get_absolute_url()).status_code == 404


def form_data(enterprise=None, **changes):
    data = {
        "name": "Công ty Mới",
        "tax_code": valid_tax_code(99),
        "locality": "",
        "status": "operating",
        "size": "",
        "ownership": "domestic",
        "country": "VN",
        "address": "",
        "employees": "",
        "notes": "",
    }
    if enterprise is not None:
        data.update(
            name=enterprise.name,
            tax_code=enterprise.tax_code,
            locality=enterprise.locality_id,
            version=enterprise.version,
        )
    data.update(changes)
    return data


def test_enterprise_create_by_locality_officer_within_subtree_only(world):
    client = login(world, Role.LOCALITY)
    create = reverse("enterprises:enterprise-create")
    response = client.get(create)
    choices = list(response.context["form"].fields["locality"].queryset)
    assert choices == [world["district_a"], world["commune_a"]]
    response = client.post(create, form_data(locality=world["district_b"].pk))
    assert response.status_code == 400
    assert list(response.context["form"].errors) == ["locality"]
    response = client.post(
        create, form_data(locality=world["commune_a"].pk, tax_code=" 0100109106 ")
    )
    assert response.status_code == 302
    created = Enterprise.objects.get()
    assert (created.tax_code, created.locality, created.version) == (
        ENTERPRISE_TAX_CODE,
        world["commune_a"],
        1,
    )


@pytest.mark.parametrize("role", [Role.LEADER, Role.AUDITOR, Role.CADRE, Role.ENTERPRISE])
def test_enterprise_create_without_the_action_is_403(world, role):
    assert login(world, role).get(reverse("enterprises:enterprise-create")).status_code == 403


def test_enterprise_edit_refuses_a_stale_version(world, firms):
    client = login(world, Role.COORDINATOR)
    url = reverse("enterprises:enterprise-edit", args=[firms["a"].pk])
    stale = form_data(firms["a"], name="Phiên bản cũ")
    assert client.post(url, form_data(firms["a"], name="Phiên bản mới")).status_code == 302
    response = client.post(url, stale)
    assert response.status_code == 400
    firms["a"].refresh_from_db()
    assert (firms["a"].name, firms["a"].version) == ("Phiên bản mới", 2)


def test_enterprise_edit_out_of_scope_is_404_and_cannot_move_out(world, firms):
    client = login(world, Role.LOCALITY)
    assert (
        client.get(reverse("enterprises:enterprise-edit", args=[firms["b"].pk])).status_code == 404
    )
    url = reverse("enterprises:enterprise-edit", args=[firms["a"].pk])
    response = client.post(url, form_data(firms["a"], locality=world["district_b"].pk))
    assert response.status_code == 400
    firms["a"].refresh_from_db()
    assert firms["a"].locality == world["district_a"]


def test_contacts_add_edit_remove(world, firms):
    client = login(world, Role.LOCALITY)
    add = reverse("enterprises:contact-create", args=[firms["a"].pk])
    data = {
        "name": "Nguyễn Văn Hùng",
        "position": "Giám đốc",
        "phone": "0912 000 111",
        "email": "hung@example.vn",
        "is_primary": "on",
    }
    assert client.post(add, data).status_code == 302
    contact = Contact.objects.get()
    assert (contact.enterprise, contact.is_primary, contact.version) == (firms["a"], True, 1)
    second = {**data, "name": "Lê Thị Mai", "email": "mai@example.vn"}
    assert client.post(add, second).status_code == 302
    contact.refresh_from_db()
    assert contact.is_primary is False
    edit = reverse("enterprises:contact-edit", args=[contact.pk])
    response = client.post(edit, {**data, "phone": "0988", "is_primary": "", "version": 2})
    assert response.status_code == 302
    contact.refresh_from_db()
    assert (contact.phone, contact.version) == ("0988", 3)
    response = client.post(edit, {**data, "version": 2})
    assert response.status_code == 400
    assert client.post(reverse("enterprises:contact-delete", args=[contact.pk])).status_code == 302
    assert list(Contact.objects.values_list("name", flat=True)) == ["Lê Thị Mai"]


def test_contacts_out_of_scope_404_and_read_only_roles_403(world, firms):
    theirs = ContactFactory(enterprise=firms["b"])
    officer = login(world, Role.LOCALITY)
    assert officer.get(reverse("enterprises:contact-edit", args=[theirs.pk])).status_code == 404
    assert officer.post(reverse("enterprises:contact-delete", args=[theirs.pk])).status_code == 404
    add_b = reverse("enterprises:contact-create", args=[firms["b"].pk])
    assert officer.post(add_b, {"name": "X"}).status_code == 404
    auditor = login(world, Role.AUDITOR)
    assert auditor.get(reverse("enterprises:contact-edit", args=[theirs.pk])).status_code == 403
    assert auditor.post(reverse("enterprises:contact-delete", args=[theirs.pk])).status_code == 403
    assert Contact.objects.count() == 1


IMPORT = reverse("enterprises:enterprise-import")


def _job_url(response) -> str:
    assert response.status_code == 302
    return response["Location"]


def test_import_page_checks_then_applies(world, settings, tmp_path):
    settings.DATA_DIR = tmp_path
    client = login(world, Role.LOCALITY)
    assert client.get(IMPORT).status_code == 200
    upload = xlsx_file([HEADER_EN, ["Công ty A", valid_tax_code(1), "DA", "operating"]])
    job_url = _job_url(client.post(IMPORT, {"file": upload}))
    job = ImportJob.objects.get()
    assert job_url == reverse("core:import-job", args=[job.pk])
    assert (job.status, job.created_count, Enterprise.objects.count()) == ("checked", 1, 0)
    assert client.get(job_url).status_code == 200
    assert _job_url(client.post(job_url)) == job_url
    job.refresh_from_db()
    assert (job.status, job.dry_run, job.created_count) == ("done", False, 1)
    assert list(Enterprise.objects.values_list("name", flat=True)) == ["Công ty A"]
    assert list((tmp_path / "imports").iterdir()) == []
    # The checked file is used once.
    assert client.post(job_url).status_code == 400
    assert Enterprise.objects.count() == 1


def test_import_page_lists_row_errors_and_writes_nothing(world, settings, tmp_path):
    settings.DATA_DIR = tmp_path
    client = login(world, Role.LOCALITY)
    upload = xlsx_file([HEADER_EN, ["Công ty B", valid_tax_code(1), "DB", "operating"]])
    job_url = _job_url(client.post(IMPORT, {"file": upload}))
    response = client.get(job_url)
    assert response.context["job"].errors == [
        "row 2, column Locality code: “Huyện Bình Sơn” is outside the area you are responsible for."
    ]
    assert response.context["job"].status == "failed"
    assert client.post(job_url).status_code == 400
    assert Enterprise.objects.count() == 0


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("notes.txt", b"hello", "Only Excel workbooks (.xlsx) can be imported."),
        (
            "renamed.xlsx",
            b"name,tax code\n",
            "The file could not be read as an Excel workbook (.xlsx). Save it from Excel as "
            "“Excel Workbook (*.xlsx)” and try again.",
        ),
    ],
)
def test_import_page_refuses_files_that_are_not_workbooks(world, name, content, message):
    upload = io.BytesIO(content)
    upload.name = name
    response = login(world, Role.COORDINATOR).post(IMPORT, {"file": upload})
    assert response.status_code == 400
    assert response.context["problems"] == [message]


def test_import_page_refuses_files_over_the_size_limit(world, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024 * 1024
    upload = xlsx_file([HEADER_EN, ["A" * 1000, valid_tax_code(1), "DA", ""]] * 1)
    upload = io.BytesIO(upload.getvalue() + b"\0" * (1024 * 1024))
    upload.name = "big.xlsx"
    response = login(world, Role.COORDINATOR).post(IMPORT, {"file": upload})
    assert response.status_code == 400
    assert response.context["problems"] == ["The file is too large: at most 1 MB."]


@pytest.mark.parametrize("role", [Role.LEADER, Role.AUDITOR, Role.CADRE, Role.ENTERPRISE])
def test_import_pages_without_the_action_are_403(world, role):
    client = login(world, role)
    assert client.get(IMPORT).status_code == 403
    assert client.get(reverse("enterprises:enterprise-import-template")).status_code == 403


def test_import_template_downloads_in_the_users_language(world):
    client = login(world, Role.COORDINATOR)
    response = client.get(
        reverse("enterprises:enterprise-import-template"), HTTP_ACCEPT_LANGUAGE="en"
    )
    rows = read_xlsx(b"".join(response.streaming_content))
    assert len(rows) == 2
    assert rows[1][1] == "0100109106"


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
        if hasattr(response, "streaming_content"):
            b"".join(response.streaming_content)
    assert response.status_code == 200
    return len(captured)


@pytest.mark.parametrize("page", ["list", "detail", "export"])
def test_enterprise_pages_query_count_does_not_grow(world, page):
    industry = IndustryFactory()
    anchor = EnterpriseFactory(locality=world["district_a"], industry=industry)
    client = login(world, Role.LOCALITY)
    url = {
        "list": LIST + "?q=cong",
        "detail": anchor.get_absolute_url(),
        "export": LIST + "?export=xlsx",
    }[page]

    def grow(n):
        for _ in range(n):
            firm = EnterpriseFactory(locality=world["commune_a"], industry=industry)
            ContactFactory(enterprise=anchor)
            ContactFactory(enterprise=firm)
            ProjectFactory(investor=anchor, locality=world["district_a"])

    grow(3)
    client.get(url)
    small = _queries(client, url)
    grow(30)
    assert _queries(client, url) == small


def test_enterprise_list_htmx_returns_the_results_fragment(world, firms):
    response = login(world, Role.COORDINATOR).get(
        LIST, {"q": "anh"}, headers={"HX-Request": "true", "HX-Target": "list-results"}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith('<div class="small text-secondary mb-2"')
    assert "Công ty Ánh Dương" in html
    assert "<form" not in html
