"""Project pages: list (filters, search, totals, bulk reassign, export), detail (timeline,
attachments), create/edit, stage changes; scoping for a coordinator and a locality officer."""

import datetime
import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from tests.factories import (
    ChainNodeFactory,
    DispatchPeriodFactory,
    EnterpriseFactory,
    IndustryFactory,
    ProgressReportFactory,
    ProjectFactory,
    UserFactory,
    user_with_role,
)
from vanco.accounts.enums import Role
from vanco.core.services import STALE_EDIT_MESSAGE
from vanco.projects.enums import Light, ReportStatus, Stage, TaskForce
from vanco.projects.models import Attachment, Project, ProjectLight, ProjectStageChange

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def make_projects(world) -> dict:
    """Three projects: P1 in district A, P2 in a commune of district A, P3 in district B."""
    i1 = IndustryFactory(code="DT", name="Điện tử")
    i2 = IndustryFactory(code="CK", name="Cơ khí")
    n1 = ChainNodeFactory(industry=i1, code="CHIP", name="Vi mạch")
    leader = world["users"][Role.LEADER]
    officer = world["users"][Role.LOCALITY]
    p1 = ProjectFactory(
        code="DA-1",
        name="Nhà máy Thành phố Xanh",
        investor=EnterpriseFactory(locality=world["district_a"]),
        locality=world["district_a"],
        industry=i1,
        chain_node=n1,
        stage=Stage.SIGNED,
        signing_date=datetime.date(2026, 2, 1),
        task_force=TaskForce.PROMOTION,
        planned_investment=Decimal("100.000"),
        signed_amount=Decimal("80.000"),
        funds_in_place=Decimal("30.000"),
        planned_start_date=datetime.date(2026, 3, 1),
        officer=officer,
        leader=leader,
        light=Light.RED,
        major_flag=True,
    )
    p2 = ProjectFactory(
        code="DA-2",
        name="Xưởng cơ khí Đông Hà",
        investor=EnterpriseFactory(locality=world["commune_a"]),
        locality=world["commune_a"],
        industry=i2,
        stage=Stage.LEAD,
        task_force=TaskForce.CONSTRUCTION,
        planned_investment=Decimal("200.500"),
        planned_start_date=datetime.date(2026, 6, 1),
        light=Light.YELLOW,
    )
    p3 = ProjectFactory(
        code="DA-3",
        name="Khu công nghệ Bình Sơn",
        investor=EnterpriseFactory(locality=world["district_b"]),
        locality=world["district_b"],
        industry=i1,
        stage=Stage.UNDER_CONSTRUCTION,
        planned_investment=Decimal("1500.000"),
        signed_amount=Decimal("1400.000"),
        funds_in_place=Decimal("500.000"),
        planned_start_date=datetime.date(2025, 12, 1),
        light=Light.GREEN,
    )
    return {"i1": i1, "i2": i2, "n1": n1, "p1": p1, "p2": p2, "p3": p3, **world}


@pytest.fixture
def data(world):
    return make_projects(world)


@pytest.fixture
def officer(world):
    return world["users"][Role.LOCALITY]


@pytest.fixture
def as_user(client):
    def login(user):
        if user.language != "en":
            user.language = "en"
            user.save(update_fields=["language"])
        client.force_login(user)
        return client

    return login


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def listed(response) -> list[str]:
    return [obj.code for obj, _cells in response.context["rows"]]


LIST = reverse("projects:project-list")


# --- list -----------------------------------------------------------------------------------


def test_project_list_coordinator_sees_every_project(data, as_user, coordinator):
    response = as_user(coordinator).get(LIST, {"sort": "code"})
    assert response.status_code == 200
    assert listed(response) == ["DA-1", "DA-2", "DA-3"]


def test_project_list_locality_officer_sees_own_area_with_sub_localities(data, as_user, officer):
    response = as_user(officer).get(LIST, {"sort": "code"})
    assert response.status_code == 200
    assert listed(response) == ["DA-1", "DA-2"]


FILTERS = [
    ("stage", lambda d: Stage.SIGNED, ["DA-1"]),
    ("industry", lambda d: d["i1"].pk, ["DA-1", "DA-3"]),
    ("chain_node", lambda d: d["n1"].pk, ["DA-1"]),
    ("locality", lambda d: d["district_a"].pk, ["DA-1", "DA-2"]),
    ("locality", lambda d: d["commune_a"].pk, ["DA-2"]),
    ("task_force", lambda d: TaskForce.CONSTRUCTION, ["DA-2"]),
    ("light", lambda d: Light.RED, ["DA-1"]),
    ("major", lambda d: "1", ["DA-1", "DA-3"]),
    ("major", lambda d: "0", ["DA-2"]),
    ("leader", lambda d: d["users"][Role.LEADER].pk, ["DA-1"]),
    ("officer", lambda d: d["users"][Role.LOCALITY].pk, ["DA-1"]),
    ("planned_start_from", lambda d: "2026-01-01", ["DA-1", "DA-2"]),
    ("planned_start_to", lambda d: "2026-01-01", ["DA-3"]),
]


@pytest.mark.parametrize(("name", "value", "expected"), FILTERS)
def test_project_list_filter_keeps_exact_rows(data, as_user, coordinator, name, value, expected):
    response = as_user(coordinator).get(LIST, {name: value(data), "sort": "code"})
    assert response.status_code == 200
    assert listed(response) == expected


@pytest.mark.parametrize("term", ["thanh pho", "THÀNH PHỐ xanh", "nha may thanh"])
def test_project_list_search_ignores_diacritics_and_case(data, as_user, coordinator, term):
    response = as_user(coordinator).get(LIST, {"q": term})
    assert listed(response) == ["DA-1"]


def test_project_list_totals_sum_the_filtered_rows(data, as_user, coordinator):
    response = as_user(coordinator).get(
        LIST,
        {
            "industry": data["i1"].pk,
            "per_page": 1,
            "cols": "1",
            "col": ["planned_investment", "funds_in_place"],
        },
    )
    assert response.context["paginator"].count == 2
    assert response.context["totals"] == {
        "planned_investment": Decimal("1600.000"),
        "signed_amount": Decimal("1480.000"),
        "funds_in_place": Decimal("530.000"),
    }
    content = response.content.decode()
    assert 'data-total="planned_investment">1,600<' in content
    assert 'data-total="funds_in_place">530<' in content


def test_project_list_totals_use_vietnamese_separators(data, client, coordinator):
    client.force_login(coordinator)
    response = client.get(LIST, {"q": "ong ha"})
    assert listed(response) == ["DA-2"]
    assert 'data-total="planned_investment">200,5<' in response.content.decode()


def test_project_list_export_has_the_filtered_rows(data, as_user, coordinator):
    response = as_user(coordinator).get(
        LIST, {"industry": data["i1"].pk, "sort": "code", "export": "xlsx"}
    )
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:2] == ("Code", "Name")
    assert [row[0] for row in rows[1:]] == ["DA-1", "DA-3"]


def test_project_list_export_of_locality_officer_stays_in_scope(data, as_user, officer):
    response = as_user(officer).get(LIST, {"sort": "code", "export": "xlsx"})
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    assert [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)] == ["DA-1", "DA-2"]


def test_project_list_default_columns_fit_the_page(data, as_user, coordinator):
    response = as_user(coordinator).get(LIST)
    assert [column.name for column in response.context["columns"]] == [
        "code",
        "name",
        "locality",
        "stage",
        "light",
        "planned_investment",
        "progress_percent",
    ]
    assert response.context["rows"][0][1][0][1] == "DA-3"


def test_project_list_column_chooser_keeps_code_and_name(data, as_user, coordinator):
    response = as_user(coordinator).get(
        LIST, {"cols": "1", "col": ["officer", "investor", "no_such_column"], "sort": "code"}
    )
    assert [column.name for column in response.context["columns"]] == [
        "code",
        "name",
        "investor",
        "officer",
    ]
    assert [cells[3][1] for _obj, cells in response.context["rows"]] == [
        data["p1"].officer.get_full_name(),
        None,
        None,
    ]
    choices = {column.name: shown for column, shown in response.context["column_choices"]}
    assert choices["investor"] is True
    assert choices["locality"] is False
    assert "code" not in choices
    # The choice stays in the sort and page links.
    assert "cols=1&amp;col=officer&amp;col=investor" in response.content.decode()


@pytest.mark.parametrize(
    "sort", ["code", "-code", "name", "-investor", "locality", "-planned_investment", "-light"]
)
def test_project_list_pages_keep_the_sort_order(data, as_user, coordinator, world, sort):
    for n in range(4, 8):
        ProjectFactory(
            code=f"DA-{n}",
            name=f"Dự án {n % 3}",
            locality=world["district_b"],
            investor=EnterpriseFactory(locality=world["district_b"]),
            planned_investment=Decimal(n % 2),
        )
    expression = dict(
        code="code",
        name="name",
        investor="investor__name",
        locality="locality__name",
        planned_investment="planned_investment",
        light="light",
    )[sort.lstrip("-")]
    ordering = f"-{expression}" if sort.startswith("-") else expression
    expected = list(Project.objects.order_by(ordering, "pk").values_list("code", flat=True))
    client = as_user(coordinator)
    shown = []
    for page in (1, 2, 3):
        response = client.get(LIST, {"sort": sort, "per_page": 3, "page": page})
        shown += listed(response)
    assert shown == expected


def test_project_list_sorts_on_a_column_not_shown(data, as_user, coordinator):
    response = as_user(coordinator).get(LIST, {"sort": "-funds_in_place"})
    assert "funds_in_place" not in [column.name for column in response.context["columns"]]
    assert listed(response) == ["DA-3", "DA-1", "DA-2"]


def test_project_list_money_headers_carry_the_unit(data, as_user, coordinator, settings):
    settings.VANCO_MONEY_UNIT = "ty_dong"
    content = as_user(coordinator).get(LIST).content.decode()
    assert '<span class="vanco-unit"> (billion VND)</span>' in content
    assert content.count('class="vanco-unit"') == 1


def test_project_list_export_keeps_every_column_whatever_the_choice(data, as_user, coordinator):
    response = as_user(coordinator).get(
        LIST, {"cols": "1", "col": ["investor"], "sort": "code", "export": "xlsx"}
    )
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    header = next(sheet.iter_rows(values_only=True))
    assert len(header) == 18
    assert header[-5:] == (
        "Chain node",
        "Task force",
        "Leader in charge",
        "Major project",
        "Planned completion",
    )


def test_project_list_count_and_totals_follow_scope_and_changes(data, as_user, officer, world):
    client = as_user(officer)
    response = client.get(LIST)
    assert response.context["paginator"].count == 2
    assert response.context["totals"]["planned_investment"] == Decimal("300.500")
    ProjectFactory(
        code="DA-4",
        locality=world["commune_a"],
        investor=EnterpriseFactory(locality=world["commune_a"]),
        planned_investment=Decimal("9.000"),
    )
    ProjectFactory(
        code="DA-5",
        locality=world["district_b"],
        investor=EnterpriseFactory(locality=world["district_b"]),
        planned_investment=Decimal("7.000"),
    )
    response = client.get(LIST)
    assert response.context["paginator"].count == 3
    assert response.context["totals"]["planned_investment"] == Decimal("309.500")
    response = as_user(world["users"][Role.COORDINATOR]).get(LIST)
    assert response.context["paginator"].count == 5
    assert response.context["totals"]["planned_investment"] == Decimal("1816.500")


def test_project_list_leader_has_no_bulk_actions(data, as_user, world):
    response = as_user(world["users"][Role.LEADER]).get(LIST)
    assert response.status_code == 200
    assert response.context["can_bulk"] is False
    assert b'name="ids"' not in response.content


# --- bulk reassign --------------------------------------------------------------------------

BULK = reverse("projects:project-bulk-reassign")


def test_bulk_reassign_changes_officer_of_checked_rows(data, as_user, coordinator, world):
    new_officer = world["others"]["loc_commune_a"]
    response = as_user(coordinator).post(
        BULK,
        {"ids": [data["p1"].pk, data["p2"].pk], "officer": new_officer.pk, "next": LIST + "?q=x"},
    )
    assert response.status_code == 302
    assert response["Location"] == LIST + "?q=x"
    officers = dict(Project.objects.values_list("code", "officer_id"))
    assert officers == {"DA-1": new_officer.pk, "DA-2": new_officer.pk, "DA-3": None}


def test_bulk_reassign_task_force_by_locality_officer(data, as_user, officer):
    response = as_user(officer).post(
        BULK, {"ids": [data["p1"].pk, data["p2"].pk], "task_force": TaskForce.CONSTRUCTION}
    )
    assert response.status_code == 302
    forces = dict(Project.objects.values_list("code", "task_force"))
    assert forces == {
        "DA-1": TaskForce.CONSTRUCTION,
        "DA-2": TaskForce.CONSTRUCTION,
        "DA-3": TaskForce.PROMOTION,
    }


def test_bulk_reassign_refuses_all_when_one_row_is_out_of_scope(data, as_user, officer):
    response = as_user(officer).post(
        BULK, {"ids": [data["p1"].pk, data["p3"].pk], "task_force": TaskForce.CONSTRUCTION}
    )
    assert response.status_code == 404
    forces = dict(Project.objects.values_list("code", "task_force"))
    assert forces == {
        "DA-1": TaskForce.PROMOTION,
        "DA-2": TaskForce.CONSTRUCTION,
        "DA-3": TaskForce.PROMOTION,
    }


def test_bulk_reassign_without_a_change_says_what_to_do(data, as_user, coordinator):
    client = as_user(coordinator)
    response = client.post(BULK, {"ids": [data["p1"].pk]}, follow=True)
    assert [str(m) for m in response.context["messages"]] == [
        "Choose a new officer, leader or task force for the selected projects."
    ]


def test_bulk_reassign_is_forbidden_to_a_leader(data, as_user, world):
    response = as_user(world["users"][Role.LEADER]).post(
        BULK, {"ids": [data["p1"].pk], "task_force": TaskForce.CONSTRUCTION}
    )
    assert response.status_code == 403


# --- detail ---------------------------------------------------------------------------------


def detail(project):
    return reverse("projects:project-detail", args=[project.pk])


def test_project_detail_shows_header_for_coordinator(data, as_user, coordinator):
    response = as_user(coordinator).get(detail(data["p1"]))
    assert response.status_code == 200
    content = response.content.decode()
    assert 'data-money="planned">100 billion VND<' in content
    assert 'data-money="signed">80 billion VND<' in content
    assert 'data-light="red"' in content
    investor = data["p1"].investor
    assert f'<a href="/enterprises/{investor.pk}/">{investor.name}</a>' in content
    assert [stage.value for stage, _back in response.context["transitions"]] == [
        "lead",
        "negotiating",
        "approved",
        "under_construction",
        "completed",
        "in_operation",
        "paused",
        "dropped",
    ]


def test_project_detail_locality_officer_in_and_out_of_scope(data, as_user, officer):
    client = as_user(officer)
    assert client.get(detail(data["p2"])).status_code == 200
    assert client.get(detail(data["p3"])).status_code == 404


def test_project_detail_locality_officer_moves_only_forward(data, as_user, officer):
    response = as_user(officer).get(detail(data["p1"]))
    assert [stage.value for stage, _back in response.context["transitions"]] == [
        "approved",
        "under_construction",
        "completed",
        "in_operation",
        "paused",
        "dropped",
    ]


def test_project_detail_timeline_is_newest_first(data, as_user, coordinator):
    project = data["p1"]
    now = timezone.now()
    change = ProjectStageChange.objects.create(
        project=project,
        from_stage=Stage.NEGOTIATING,
        to_stage=Stage.SIGNED,
        effective_date=datetime.date(2026, 2, 1),
        actor=coordinator,
        reason="",
    )
    ProjectStageChange.objects.filter(pk=change.pk).update(created_at=now - datetime.timedelta(3))
    period = DispatchPeriodFactory()
    report = ProgressReportFactory(
        project=project,
        period=period,
        status=ReportStatus.SUBMITTED,
        submitted_at=now - datetime.timedelta(days=1),
        submitted_by=coordinator,
        funds_this_period=Decimal("30"),
        progress_percent=Decimal("12"),
    )
    ProgressReportFactory(
        project=project,
        period=DispatchPeriodFactory(
            label="10/2026",
            starts_on=datetime.date(2026, 10, 1),
            ends_on=datetime.date(2026, 10, 31),
            due_on=datetime.date(2026, 11, 5),
            cycle=period.cycle,
        ),
    )  # a due slot: not on the timeline
    light = ProjectLight.objects.create(
        project=project, period=period, light=Light.RED, reasons=[{"code": "report_missing"}]
    )
    response = as_user(coordinator).get(detail(project))
    timeline = [(entry.kind, entry.obj.pk) for entry in response.context["timeline"]]
    assert timeline == [("light", light.pk), ("report", report.pk), ("stage", change.pk)]
    assert response.context["chart"] == {
        "labels": ["11/2026"],
        "dates": ["2026-11-30"],
        "funds": [30.0],
        "plan": [100.0],
    }
    content = response.content.decode()
    assert 'id="funds-chart-data"' in content
    assert "Progress report 11/2026: Submitted" in content


# --- stage change ---------------------------------------------------------------------------


def transition(project, stage):
    return reverse("projects:project-transition", args=[project.pk, stage])


def test_transition_form_asks_what_signing_needs(data, as_user, coordinator):
    response = as_user(coordinator).get(transition(data["p2"], Stage.SIGNED))
    assert response.status_code == 200
    assert list(response.context["form"].fields) == [
        "effective_date",
        "signed_amount",
        "reason",
        "evidence",
        "version",
    ]
    assert response.context["form"].fields["reason"].required is False


def test_transition_form_backwards_needs_a_reason(data, as_user, coordinator):
    response = as_user(coordinator).get(transition(data["p1"], Stage.LEAD))
    form = response.context["form"]
    assert list(form.fields) == ["effective_date", "reason", "evidence", "version"]
    assert form.fields["reason"].required is True


def test_transition_happy_path_moves_the_project(data, as_user, officer, media):
    project = data["p2"]
    today = timezone.localdate()
    response = as_user(officer).post(
        transition(project, Stage.SIGNED),
        {
            "effective_date": today.isoformat(),
            "signed_amount": "150.5",
            "reason": "",
            "version": project.version,
            "evidence": SimpleUploadedFile("hop dong.pdf", PDF, "application/pdf"),
        },
    )
    assert response.status_code == 302
    assert response["Location"] == detail(project)
    project.refresh_from_db()
    assert (project.stage, project.signed_amount, project.signing_date) == (
        Stage.SIGNED,
        Decimal("150.500"),
        today,
    )
    change = ProjectStageChange.objects.get(project=project)
    assert (change.from_stage, change.to_stage, change.actor) == (Stage.LEAD, Stage.SIGNED, officer)
    assert change.evidence.original_name == "hop dong.pdf"


def test_transition_refusal_is_shown_next_to_the_field(data, as_user, coordinator):
    project = data["p2"]
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    response = as_user(coordinator).post(
        transition(project, Stage.NEGOTIATING),
        {"effective_date": tomorrow.isoformat(), "version": project.version},
    )
    assert response.status_code == 400
    assert response.context["form"].errors == {
        "effective_date": ["The date cannot be in the future."]
    }
    assert "The date cannot be in the future." in response.content.decode()
    project.refresh_from_db()
    assert project.stage == Stage.LEAD


def test_transition_stale_version_is_refused(data, as_user, coordinator):
    project = data["p2"]
    response = as_user(coordinator).post(
        transition(project, Stage.NEGOTIATING),
        {"effective_date": timezone.localdate().isoformat(), "version": project.version + 5},
    )
    assert response.status_code == 400
    assert response.context["form"].non_field_errors() == [str(STALE_EDIT_MESSAGE)]


def test_transition_backwards_by_locality_officer_is_refused_politely(data, as_user, officer):
    response = as_user(officer).get(transition(data["p1"], Stage.LEAD))
    assert response.status_code == 403
    assert b'data-testid="refusal"' in response.content
    response = as_user(officer).post(
        transition(data["p1"], Stage.LEAD),
        {"effective_date": timezone.localdate().isoformat(), "reason": "x"},
    )
    assert response.status_code == 403
    data["p1"].refresh_from_db()
    assert data["p1"].stage == Stage.SIGNED


def test_transition_out_of_scope_is_404(data, as_user, officer):
    response = as_user(officer).get(transition(data["p3"], Stage.COMPLETED))
    assert response.status_code == 404


def test_transition_htmx_returns_the_dialog_only(data, as_user, coordinator):
    response = as_user(coordinator).get(
        transition(data["p2"], Stage.NEGOTIATING), HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    assert b"<html" not in response.content
    assert b'data-testid="transition-form"' in response.content


# --- attachments ----------------------------------------------------------------------------


def test_attachment_upload_and_download(data, as_user, officer, world, media):
    project = data["p1"]
    client = as_user(officer)
    response = client.post(
        reverse("projects:attachment-upload", args=[project.pk]),
        {"file": SimpleUploadedFile("biên bản.pdf", PDF), "description": "Biên bản họp"},
    )
    assert response.status_code == 302
    attachment = Attachment.objects.get(project=project)
    assert (attachment.description, attachment.uploaded_by) == ("Biên bản họp", officer)
    download = client.get(attachment.get_absolute_url())
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == PDF
    page = client.get(detail(project))
    assert [a.pk for a in page.context["attachments"]] == [attachment.pk]
    outsider = as_user(world["others"]["loc_b"])
    assert outsider.get(attachment.get_absolute_url()).status_code == 404


def test_attachment_upload_refuses_a_disguised_file(data, as_user, officer, media):
    project = data["p1"]
    response = as_user(officer).post(
        reverse("projects:attachment-upload", args=[project.pk]),
        {"file": SimpleUploadedFile("hop-dong.pdf", b"MZ\x90\x00not a pdf")},
        follow=True,
    )
    assert response.status_code == 200
    assert Attachment.objects.count() == 0
    assert len(list(response.context["messages"])) == 1


def test_attachment_upload_out_of_scope_is_404(data, as_user, officer, media):
    response = as_user(officer).post(
        reverse("projects:attachment-upload", args=[data["p3"].pk]),
        {"file": SimpleUploadedFile("a.pdf", PDF)},
    )
    assert response.status_code == 404
    assert Attachment.objects.count() == 0


# --- create and edit ------------------------------------------------------------------------

CREATE = reverse("projects:project-create")


def form_data(data, **overrides):
    values = {
        "name": "Nhà máy pin mặt trời",
        "initial_stage": Stage.NEGOTIATING,
        "investor": data["p1"].investor.pk,
        "industry": data["i1"].pk,
        "chain_node": data["n1"].pk,
        "locality": data["commune_a"].pk,
        "task_force": TaskForce.PROMOTION,
        "project_type": "new",
        "lead_source": "",
        "planned_investment": "320.5",
        "planned_start_date": "2027-01-15",
        "notes": "",
    }
    values.update(overrides)
    return values


def test_project_create_by_locality_officer(data, as_user, officer):
    client = as_user(officer)
    assert client.get(CREATE).status_code == 200
    response = client.post(CREATE, form_data(data))
    project = Project.objects.get(name="Nhà máy pin mặt trời")
    assert response.status_code == 302
    assert response["Location"] == detail(project)
    assert (project.stage, project.locality, project.planned_investment, project.version) == (
        Stage.NEGOTIATING,
        data["commune_a"],
        Decimal("320.500"),
        1,
    )
    assert project.code != ""


def test_project_create_refuses_a_locality_outside_scope(data, as_user, officer):
    response = as_user(officer).post(CREATE, form_data(data, locality=data["district_b"].pk))
    assert response.status_code == 400
    assert list(response.context["form"].errors) == ["locality"]
    assert Project.objects.count() == 3


def test_project_create_refuses_a_chain_node_of_another_industry(data, as_user, coordinator):
    response = as_user(coordinator).post(CREATE, form_data(data, industry=data["i2"].pk))
    assert response.status_code == 400
    assert response.context["form"].errors == {
        "chain_node": ["The chain node must belong to the project's leading industry."]
    }


def test_project_create_is_forbidden_to_a_leader(data, as_user, world):
    assert as_user(world["users"][Role.LEADER]).get(CREATE).status_code == 403


def test_project_edit_saves_with_version(data, as_user, officer):
    project = data["p2"]
    url = reverse("projects:project-edit", args=[project.pk])
    client = as_user(officer)
    assert client.get(url).status_code == 200
    values = form_data(data, name="Xưởng mới", version=project.version)
    del values["initial_stage"]
    response = client.post(url, values)
    assert response.status_code == 302
    project.refresh_from_db()
    assert (project.name, project.version) == ("Xưởng mới", 2)
    stale = client.post(url, {**values, "name": "Lần hai"})
    assert stale.status_code == 400
    assert stale.context["form"].non_field_errors() == [str(STALE_EDIT_MESSAGE)]


def test_project_edit_out_of_scope_is_404(data, as_user, officer):
    url = reverse("projects:project-edit", args=[data["p3"].pk])
    assert as_user(officer).get(url).status_code == 404


# --- query counts ---------------------------------------------------------------------------


def grow(world, n: int) -> None:
    industry = IndustryFactory()
    node = ChainNodeFactory(industry=industry)
    for i in range(n):
        locality = world["commune_a"] if i % 2 else world["district_b"]
        user = user_with_role(Role.LOCALITY, locality=locality)
        project = ProjectFactory(
            investor=EnterpriseFactory(locality=locality),
            locality=locality,
            industry=industry,
            chain_node=node,
            officer=user,
            leader=UserFactory(),
            light=Light.YELLOW,
            light_reasons=[{"code": "report_missing"}],
        )
        ProjectStageChange.objects.create(
            project=project,
            from_stage=Stage.LEAD,
            to_stage=Stage.NEGOTIATING,
            effective_date=datetime.date(2026, 1, 1),
            actor=user,
        )


def count_queries(client, url, params=None) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, params or {})
    assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize("role", [Role.COORDINATOR, Role.LOCALITY])
def test_project_pages_query_count_does_not_grow(data, as_user, world, role):
    client = as_user(world["users"][role])
    filtered = {"q": "nha may", "stage": Stage.LEAD, "industry": data["i1"].pk}
    before = (
        count_queries(client, LIST),
        count_queries(client, LIST, filtered),
        count_queries(client, detail(data["p1"])),
    )
    grow(world, 12)
    for project in (data["p1"], data["p2"]):
        for _ in range(3):
            ProjectStageChange.objects.create(
                project=project,
                from_stage=Stage.LEAD,
                to_stage=Stage.NEGOTIATING,
                effective_date=datetime.date(2026, 1, 1),
                actor=world["users"][Role.COORDINATOR],
            )
    after = (
        count_queries(client, LIST),
        count_queries(client, LIST, filtered),
        count_queries(client, detail(data["p1"])),
    )
    assert after == before
    assert max(after) <= 25


def test_attachment_upload_is_forbidden_to_a_leader(data, as_user, world, media):
    response = as_user(world["users"][Role.LEADER]).post(
        reverse("projects:attachment-upload", args=[data["p1"].pk]),
        {"file": SimpleUploadedFile("a.pdf", PDF)},
    )
    assert response.status_code == 403
    assert Attachment.objects.count() == 0


def test_attachment_download_by_leader_and_enterprise_scope(data, as_user, world, officer, media):
    as_user(officer).post(
        reverse("projects:attachment-upload", args=[data["p1"].pk]),
        {"file": SimpleUploadedFile("a.pdf", PDF)},
    )
    url = Attachment.objects.get().get_absolute_url()
    assert as_user(world["users"][Role.LEADER]).get(url).status_code == 200
    assert as_user(world["users"][Role.CADRE]).get(url).status_code == 404


def test_project_list_htmx_filter_returns_the_results_only(data, as_user, coordinator):
    response = as_user(coordinator).get(
        LIST, {"stage": Stage.LEAD}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="list-results"
    )
    assert response.status_code == 200
    assert b"<html" not in response.content
    assert listed(response) == ["DA-2"]
    assert b'data-testid="totals"' in response.content


@pytest.mark.parametrize(
    ("language", "unit", "expected"),
    [
        ("en", "ty_dong", "1,234.5 billion VND"),
        ("vi", "ty_dong", "1.234,5 "),
        ("zh-hans", "wan_yuan", "1,234.5 "),
        ("en", "trieu_dong", "1,234.5 million VND"),
        ("en", "wan_yuan", "1,234.5 ten thousand yuan"),
    ],
)
def test_money_filter_uses_locale_separators_and_unit(settings, language, unit, expected):
    from django.utils import translation

    from vanco.projects.templatetags.vanco_projects import money

    settings.VANCO_MONEY_UNIT = unit
    with translation.override(language):
        assert money(Decimal("1234.500")).startswith(expected)
