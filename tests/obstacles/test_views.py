"""The obstacle pages: lists and inboxes, detail, each step, raising, time limits."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from tests.conftest import ENTERPRISE_TAX_CODE
from tests.factories import (
    EnterpriseFactory,
    ObstacleFactory,
    ProgressReportFactory,
    ProjectFactory,
)
from vanco.accounts.enums import Role
from vanco.obstacles import services
from vanco.obstacles.enums import Category, EventKind, Level, Source, Status
from vanco.obstacles.models import CategoryLimit, Obstacle, ObstacleAttachment

pytestmark = pytest.mark.django_db

LIST = reverse("obstacles:obstacle-list")


@pytest.fixture
def company(world):
    return EnterpriseFactory(tax_code=ENTERPRISE_TAX_CODE, locality=world["district_a"])


@pytest.fixture
def filed(world, company):
    """An obstacle the enterprise user filed for their company (district A), submitted."""
    return services.raise_obstacle(
        actor=world["users"][Role.ENTERPRISE],
        data={
            "title": "Chưa được cấp điện 22kV",
            "description": "Nhà máy chờ đấu nối từ tháng 9.",
            "category": Category.POWER,
            "enterprise": company,
        },
    )


@pytest.fixture
def other(world):
    """Another company's obstacle in district B."""
    return ObstacleFactory(
        title="Vướng giải phóng mặt bằng",
        enterprise=EnterpriseFactory(locality=world["district_b"]),
    )


def _assign(world, obstacle, **kwargs):
    return services.assign_obstacle(
        actor=world["users"][Role.COORDINATOR],
        obstacle=obstacle,
        lead_department=world["dept_a"],
        **kwargs,
    )


def _client(client, user):
    client.force_login(user)
    return client


def _pks(response) -> list[int]:
    return [obj.pk for obj, *_rest in response.context["rows"]]


def _error_codes(form, field=None) -> list[str]:
    errors = form.errors.as_data().get(field or "__all__", [])
    return [error.code for error in errors]


# --- list and inboxes -------------------------------------------------------------------------


@pytest.mark.parametrize("role", list(Role))
def test_list_opens_for_every_role(client, world, filed, role):
    response = _client(client, world["users"][role]).get(LIST)
    assert response.status_code == 200


def test_list_anonymous_redirects_to_login(client, world):
    assert client.get(LIST).status_code == 302


def test_list_enterprise_user_sees_only_own_company(client, world, filed, other):
    response = _client(client, world["users"][Role.ENTERPRISE]).get(LIST + "?view=all")
    assert response.context["preset"] == "mine"
    assert _pks(response) == [filed.pk]
    assert [tab for tab, _label in response.context["tabs"]] == ["mine"]


def test_list_enterprise_export_holds_only_own_company(client, world, filed, other):
    import io

    from openpyxl import load_workbook

    response = _client(client, world["users"][Role.ENTERPRISE]).get(LIST + "?export=xlsx")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    titles = [row[1] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert titles == [filed.title]


def test_list_coordinator_lands_on_to_assign(client, world, filed, other):
    _assign(world, filed)
    response = _client(client, world["users"][Role.COORDINATOR]).get(LIST)
    assert response.context["preset"] == "to_assign"
    assert _pks(response) == [other.pk]


def test_list_department_inbox_shows_own_department_with_counts(client, world, filed, other):
    _assign(world, filed)
    mine_too = ObstacleFactory(
        enterprise=EnterpriseFactory(locality=world["district_b"]),
        category=Category.LAND,
        status=Status.ASSIGNED,
        lead_department=world["dept_a"],
        due_on=timezone.localdate() - datetime.timedelta(days=4),
    )
    ObstacleFactory(
        status=Status.ASSIGNED,
        lead_department=world["dept_b"],
        enterprise=EnterpriseFactory(locality=world["district_a"]),
    )
    response = _client(client, world["users"][Role.DEPARTMENT]).get(LIST)
    assert response.context["preset"] == "inbox"
    assert _pks(response) == [mine_too.pk, filed.pk]  # by due date, the late one first
    counts = response.context["inbox_counts"]
    assert (counts["new"], counts["due_soon"], counts["overdue"]) == (2, 0, 1)
    assert [(value, n) for value, _label, n in counts["categories"]] == [
        ("land", 1),
        ("power", 1),
    ]
    assert "quá hạn 4 ngày" in response.content.decode()


def test_list_leader_escalated_and_coordinator_agenda(client, world, filed, other):
    Obstacle.objects.filter(pk=filed.pk).update(escalation_level=Level.LEADER)
    Obstacle.objects.filter(pk=other.pk).update(escalation_level=Level.GROUP)
    leader = _client(client, world["users"][Role.LEADER]).get(LIST)
    assert leader.context["preset"] == "escalated"
    assert sorted(_pks(leader)) == sorted([filed.pk, other.pk])
    agenda = _client(client, world["users"][Role.COORDINATOR]).get(LIST + "?view=agenda")
    assert _pks(agenda) == [other.pk]


def test_list_locality_officer_sees_own_district(client, world, filed, other):
    response = _client(client, world["users"][Role.LOCALITY]).get(LIST)
    assert response.context["preset"] == "locality"
    assert _pks(response) == [filed.pk]


def test_list_filter_locality_includes_sub_localities(client, world, filed, other):
    in_commune = ObstacleFactory(enterprise=EnterpriseFactory(locality=world["commune_a"]))
    url = f"{LIST}?view=all&locality={world['district_a'].pk}"
    response = _client(client, world["users"][Role.COORDINATOR]).get(url)
    assert sorted(_pks(response)) == sorted([filed.pk, in_commune.pk])


def test_list_filter_overdue(client, world, filed, other):
    _assign(world, filed)
    Obstacle.objects.filter(pk=filed.pk).update(
        due_on=timezone.localdate() - datetime.timedelta(days=1)
    )
    url = f"{LIST}?view=all&deadline=overdue"
    response = _client(client, world["users"][Role.COORDINATOR]).get(url)
    assert _pks(response) == [filed.pk]


def test_list_search_without_accents(client, world, filed, other):
    url = f"{LIST}?view=all&q=giai phong mat bang"
    response = _client(client, world["users"][Role.COORDINATOR]).get(url)
    assert _pks(response) == [other.pk]


def test_list_htmx_returns_results_fragment(client, world, filed):
    response = _client(client, world["users"][Role.COORDINATOR]).get(
        LIST + "?view=all", HTTP_HX_REQUEST="true", HTTP_HX_TARGET="list-results"
    )
    assert response.status_code == 200
    assert b"<form" not in response.content
    assert b'data-testid="result-count"' in response.content


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_list_query_count_bounded(client, world):
    dept_user = _client(client, world["users"][Role.DEPARTMENT])
    url = LIST + "?view=inbox"

    def make(n):
        for _ in range(n):
            ObstacleFactory(
                status=Status.ASSIGNED,
                lead_department=world["dept_a"],
                due_on=timezone.localdate(),
                project=ProjectFactory(
                    locality=world["district_b"], investor__locality=world["district_b"]
                ),
                enterprise=EnterpriseFactory(locality=world["district_b"]),
            )

    make(2)
    small = _queries(dept_user, url)
    make(20)
    assert _queries(dept_user, url) == small


# --- detail -----------------------------------------------------------------------------------


def test_detail_shows_header_and_timeline(client, world, filed):
    _assign(world, filed)
    response = _client(client, world["users"][Role.ENTERPRISE]).get(filed.get_absolute_url())
    assert response.status_code == 200
    assert [e.kind for e in response.context["events"]] == [
        EventKind.CREATED,
        EventKind.ASSIGNED,
    ]
    assert response.context["actions"] == []
    assert f"VM-{filed.pk}".encode() in response.content


def test_detail_out_of_scope_is_404(client, world, filed, other):
    assert (
        _client(client, world["users"][Role.ENTERPRISE]).get(other.get_absolute_url()).status_code
        == 404
    )
    assert (
        _client(client, world["others"]["loc_b"]).get(filed.get_absolute_url()).status_code == 404
    )


def test_detail_actions_for_department(client, world, filed):
    _assign(world, filed)
    response = _client(client, world["users"][Role.DEPARTMENT]).get(filed.get_absolute_url())
    assert [name for name, _label, _icon in response.context["actions"]] == [
        "accept",
        "hand_back",
    ]


def test_detail_query_count_bounded(client, world, filed):
    coordinator = _client(client, world["users"][Role.COORDINATOR])
    _assign(world, filed, cooperating=[world["dept_b"]])
    small = _queries(coordinator, filed.get_absolute_url())
    for n in range(15):
        services.comment_obstacle(
            actor=world["users"][Role.COORDINATOR], obstacle=filed, comment=f"Ghi chú {n}"
        )
    assert _queries(coordinator, filed.get_absolute_url()) == small


def test_detail_timeline_shows_the_newest_steps_only(client, world, filed, settings):
    from vanco.obstacles import views
    from vanco.obstacles.models import ObstacleEvent

    coordinator = _client(client, world["users"][Role.COORDINATOR])
    limit = views.TIMELINE_LIMIT
    ObstacleEvent.objects.bulk_create(
        ObstacleEvent(
            obstacle=filed,
            kind=EventKind.COMMENTED,
            actor=world["users"][Role.COORDINATOR],
            at=timezone.now() + datetime.timedelta(minutes=n),
            comment=f"Ghi chú {n}",
        )
        for n in range(limit + 4)
    )
    response = coordinator.get(filed.get_absolute_url())
    events = response.context["events"]
    assert len(events) == limit
    assert (events[0].comment, events[-1].comment) == ("Ghi chú 4", f"Ghi chú {limit + 3}")
    # The "raised" step and the four oldest comments are left out, and the page says so.
    assert response.context["events_hidden"] == 5


# --- steps ------------------------------------------------------------------------------------


def _step(obstacle, action):
    return reverse("obstacles:obstacle-step", args=[obstacle.pk, action])


def test_step_assign_by_coordinator(client, world, filed):
    coordinator = _client(client, world["users"][Role.COORDINATOR])
    form = coordinator.get(_step(filed, "assign"))
    assert form.status_code == 200
    due = form.context["form"]["due_on"].initial
    response = coordinator.post(
        _step(filed, "assign"),
        {
            "version": filed.version,
            "lead_department": world["dept_a"].pk,
            "cooperating": [world["dept_b"].pk],
            "due_on": due.isoformat(),
        },
    )
    assert response.status_code == 302
    filed.refresh_from_db()
    assert (filed.status, filed.lead_department, filed.due_on) == (
        Status.ASSIGNED,
        world["dept_a"],
        due,
    )
    assert list(filed.cooperating_departments.all()) == [world["dept_b"]]


def test_step_assign_other_due_date_needs_reason(client, world, filed):
    coordinator = _client(client, world["users"][Role.COORDINATOR])
    later = timezone.localdate() + datetime.timedelta(days=90)
    response = coordinator.post(
        _step(filed, "assign"),
        {"version": filed.version, "lead_department": world["dept_a"].pk, "due_on": later},
    )
    assert response.status_code == 400
    assert list(response.context["form"].errors) == ["reason"]


def test_step_htmx_get_returns_dialog_fragment(client, world, filed):
    coordinator = _client(client, world["users"][Role.COORDINATOR])
    response = coordinator.get(_step(filed, "assign"), HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert b"<html" not in response.content
    assert b'data-testid="step-form"' in response.content


def test_step_stale_version_refused(client, world, filed):
    coordinator = _client(client, world["users"][Role.COORDINATOR])
    response = coordinator.post(
        _step(filed, "escalate"), {"version": filed.version + 1, "reason": "Quá chậm"}
    )
    assert response.status_code == 400
    assert _error_codes(response.context["form"]) == ["stale_edit"]
    filed.refresh_from_db()
    assert filed.escalation_level == Level.NONE


def test_step_department_cannot_assign(client, world, filed):
    department = _client(client, world["users"][Role.DEPARTMENT])
    filed_visible = _assign(world, filed)
    assert department.get(_step(filed_visible, "assign")).status_code == 403
    response = department.post(
        _step(filed_visible, "assign"),
        {
            "version": filed_visible.version,
            "lead_department": world["dept_b"].pk,
            "due_on": filed_visible.due_on,
        },
    )
    assert response.status_code == 403


def test_step_out_of_scope_is_404(client, world, other):
    department = _client(client, world["users"][Role.DEPARTMENT])
    assert department.get(_step(other, "accept")).status_code == 404
    assert department.post(_step(other, "accept"), {"version": 1}).status_code == 404


def test_step_unknown_action_is_404(client, world, filed):
    coordinator = _client(client, world["users"][Role.COORDINATOR])
    assert coordinator.get(_step(filed, "delete")).status_code == 404


def test_step_department_accepts_starts_resolves(client, world, filed):
    department = _client(client, world["users"][Role.DEPARTMENT])
    current = _assign(world, filed)
    for action, data in [
        ("accept", {"comment": "Đã nhận"}),
        ("start", {}),
        ("resolve", {"resolution": "Đã đấu nối điện 22kV."}),
    ]:
        response = department.post(_step(current, action), {"version": current.version, **data})
        assert response.status_code == 302, action
        current.refresh_from_db()
    assert current.status == Status.RESOLVED
    assert current.resolution == "Đã đấu nối điện 22kV."


def test_step_resolve_without_text_shows_field_error(client, world, filed):
    department = _client(client, world["users"][Role.DEPARTMENT])
    current = _assign(world, filed)
    services.accept_obstacle(actor=world["users"][Role.DEPARTMENT], obstacle=current)
    current.refresh_from_db()
    response = department.post(_step(current, "resolve"), {"version": current.version})
    assert response.status_code == 400
    assert _error_codes(response.context["form"], "resolution") == ["required"]


def test_step_hand_back_needs_reason(client, world, filed):
    department = _client(client, world["users"][Role.DEPARTMENT])
    current = _assign(world, filed)
    refused = department.post(_step(current, "hand_back"), {"version": current.version})
    assert refused.status_code == 400
    assert _error_codes(refused.context["form"], "reason") == ["required"]
    done = department.post(
        _step(current, "hand_back"), {"version": current.version, "reason": "Không thuộc sở"}
    )
    assert done.status_code == 302
    current.refresh_from_db()
    assert (current.status, current.lead_department) == (Status.SUBMITTED, None)


def _resolved(world, obstacle):
    department = world["users"][Role.DEPARTMENT]
    current = _assign(world, obstacle)
    services.accept_obstacle(actor=department, obstacle=current)
    return services.resolve_obstacle(actor=department, obstacle=current, resolution="Xong")


def test_step_enterprise_confirms_and_rates(client, world, filed):
    current = _resolved(world, filed)
    enterprise = _client(client, world["users"][Role.ENTERPRISE])
    assert enterprise.get(_step(current, "confirm")).status_code == 200
    response = enterprise.post(
        _step(current, "confirm"), {"version": current.version, "rating": "4", "comment": "Tốt"}
    )
    assert response.status_code == 302
    current.refresh_from_db()
    assert (current.status, current.rating, current.rating_comment) == (Status.CLOSED, 4, "Tốt")


def test_step_confirm_without_rating_refused(client, world, filed):
    current = _resolved(world, filed)
    enterprise = _client(client, world["users"][Role.ENTERPRISE])
    response = enterprise.post(_step(current, "confirm"), {"version": current.version})
    assert response.status_code == 400
    assert _error_codes(response.context["form"], "rating") == ["required"]


def test_step_department_cannot_confirm(client, world, filed):
    current = _resolved(world, filed)
    department = _client(client, world["users"][Role.DEPARTMENT])
    assert department.get(_step(current, "confirm")).status_code == 403
    response = department.post(_step(current, "confirm"), {"version": current.version, "rating": 5})
    assert response.status_code == 403


def test_step_enterprise_reopens(client, world, filed):
    current = _resolved(world, filed)
    enterprise = _client(client, world["users"][Role.ENTERPRISE])
    response = enterprise.post(
        _step(current, "reopen"), {"version": current.version, "reason": "Vẫn mất điện"}
    )
    assert response.status_code == 302
    current.refresh_from_db()
    assert current.status == Status.REOPENED


def test_step_coordinator_changes_due_date(client, world, filed):
    current = _assign(world, filed)
    later = timezone.localdate() + datetime.timedelta(days=40)
    coordinator = _client(client, world["users"][Role.COORDINATOR])
    response = coordinator.post(
        _step(current, "due"),
        {"version": current.version, "due_on": later.isoformat(), "reason": "Chờ EVN"},
    )
    assert response.status_code == 302
    current.refresh_from_db()
    assert current.due_on == later


def test_step_wrong_state_shows_refusal(client, world, filed):
    coordinator = _client(client, world["users"][Role.COORDINATOR])
    later = timezone.localdate() + datetime.timedelta(days=40)
    response = coordinator.post(
        _step(filed, "due"), {"version": filed.version, "due_on": later, "reason": "Chờ EVN"}
    )
    assert response.status_code == 400
    assert _error_codes(response.context["form"]) == ["wrong_status"]


def test_step_leader_escalates(client, world, filed):
    leader = _client(client, world["users"][Role.LEADER])
    response = leader.post(
        _step(filed, "escalate"), {"version": filed.version, "reason": "Cần chỉ đạo"}
    )
    assert response.status_code == 302
    filed.refresh_from_db()
    assert filed.escalation_level == Level.DEPARTMENT


def test_step_auditor_cannot_escalate(client, world, filed):
    auditor = _client(client, world["users"][Role.AUDITOR])
    assert auditor.get(_step(filed, "escalate")).status_code == 403
    response = auditor.post(_step(filed, "escalate"), {"version": filed.version, "reason": "x"})
    assert response.status_code == 403


# --- comments and attachments -----------------------------------------------------------------


def test_comment_added_to_timeline(client, world, filed):
    enterprise = _client(client, world["users"][Role.ENTERPRISE])
    url = reverse("obstacles:obstacle-comment", args=[filed.pk])
    assert enterprise.post(url, {"comment": "Xin cập nhật tiến độ"}).status_code == 302
    assert filed.events.filter(kind=EventKind.COMMENTED).values_list(
        "comment", flat=True
    ).get() == ("Xin cập nhật tiến độ")


def test_comment_refused_for_auditor_and_out_of_scope(client, world, filed, other):
    auditor = _client(client, world["users"][Role.AUDITOR])
    assert (
        auditor.post(
            reverse("obstacles:obstacle-comment", args=[filed.pk]), {"comment": "x"}
        ).status_code
        == 403
    )
    client.force_login(world["users"][Role.ENTERPRISE])
    assert (
        client.post(
            reverse("obstacles:obstacle-comment", args=[other.pk]), {"comment": "x"}
        ).status_code
        == 404
    )


def _pdf(name="cong-van.pdf"):
    return SimpleUploadedFile(name, b"%PDF-1.4\n1 0 obj<<>>endobj\n%%EOF\n", "application/pdf")


def test_attachment_upload_and_download(client, world, filed, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    enterprise = _client(client, world["users"][Role.ENTERPRISE])
    response = enterprise.post(
        reverse("obstacles:attachment-upload", args=[filed.pk]), {"file": _pdf()}
    )
    assert response.status_code == 302
    attachment = ObstacleAttachment.objects.get(obstacle=filed)
    download = enterprise.get(reverse("obstacles:attachment-download", args=[attachment.pk]))
    assert download.status_code == 200
    client.force_login(world["others"]["loc_b"])
    assert (
        client.get(reverse("obstacles:attachment-download", args=[attachment.pk])).status_code
        == 404
    )


def test_attachment_upload_refused_for_auditor(client, world, filed, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    auditor = _client(client, world["users"][Role.AUDITOR])
    response = auditor.post(
        reverse("obstacles:attachment-upload", args=[filed.pk]), {"file": _pdf()}
    )
    assert response.status_code == 403
    assert ObstacleAttachment.objects.count() == 0


# --- raising ----------------------------------------------------------------------------------

RAISE = reverse("obstacles:obstacle-raise")


def test_raise_by_enterprise_user_for_own_company(client, world, company, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    enterprise = _client(client, world["users"][Role.ENTERPRISE])
    form = enterprise.get(RAISE)
    assert form.status_code == 200
    assert "enterprise" not in form.context["form"].fields
    response = enterprise.post(
        RAISE,
        {
            "title": "Thiếu nước sạch",
            "description": "Khu công nghiệp chưa có nước.",
            "category": Category.INFRASTRUCTURE,
            "severity": "high",
            "attachments": [_pdf()],
        },
    )
    assert response.status_code == 302
    obstacle = Obstacle.objects.get()
    assert (obstacle.enterprise, obstacle.source, obstacle.attachments.count()) == (
        company,
        Source.ENTERPRISE,
        1,
    )


def test_raise_failed_submit_keeps_input(client, world, company):
    enterprise = _client(client, world["users"][Role.ENTERPRISE])
    response = enterprise.post(RAISE, {"title": "Thiếu nước sạch", "category": "power"})
    assert response.status_code == 400
    assert _error_codes(response.context["form"], "description") == ["required"]
    assert "Thiếu nước sạch".encode() in response.content
    assert Obstacle.objects.count() == 0


def test_raise_official_needs_project_or_enterprise(client, world):
    locality = _client(client, world["users"][Role.LOCALITY])
    response = locality.post(
        RAISE, {"title": "Vướng mặt bằng", "description": "Chưa bàn giao", "category": "land"}
    )
    assert response.status_code == 400
    assert "project" in response.context["form"].errors


def test_raise_by_official_for_project(client, world):
    project = ProjectFactory(locality=world["district_a"], investor__locality=world["district_a"])
    locality = _client(client, world["users"][Role.LOCALITY])
    response = locality.post(
        RAISE,
        {
            "title": "Vướng mặt bằng",
            "description": "Chưa bàn giao",
            "category": "land",
            "severity": "medium",
            "project": project.pk,
        },
    )
    assert response.status_code == 302
    obstacle = Obstacle.objects.get()
    assert (obstacle.project, obstacle.enterprise, obstacle.source) == (
        project,
        project.investor,
        Source.OFFICIAL,
    )


def test_raise_out_of_scope_project_refused(client, world):
    project = ProjectFactory(locality=world["district_b"], investor__locality=world["district_b"])
    locality = _client(client, world["users"][Role.LOCALITY])
    response = locality.post(
        RAISE,
        {
            "title": "Vướng",
            "description": "x",
            "category": "land",
            "severity": "low",
            "project": project.pk,
        },
    )
    assert response.status_code == 400
    assert _error_codes(response.context["form"], "project") == ["invalid_choice"]


def test_raise_from_report_links_it(client, world):
    project = ProjectFactory(locality=world["district_a"], investor__locality=world["district_a"])
    report = ProgressReportFactory(project=project)
    locality = _client(client, world["users"][Role.LOCALITY])
    url = f"{RAISE}?report={report.pk}"
    form = locality.get(url)
    assert form.context["form"]["project"].value() == project.pk
    response = locality.post(
        url,
        {
            "title": "Chậm cấp phép",
            "description": "x",
            "category": "permits",
            "severity": "medium",
            "project": project.pk,
        },
    )
    assert response.status_code == 302
    obstacle = Obstacle.objects.get()
    assert (obstacle.report, obstacle.source) == (report, Source.REPORT)


def test_raise_report_out_of_scope_is_404(client, world):
    report = ProgressReportFactory(
        project=ProjectFactory(locality=world["district_b"], investor__locality=world["district_b"])
    )
    locality = _client(client, world["users"][Role.LOCALITY])
    assert locality.get(f"{RAISE}?report={report.pk}").status_code == 404


@pytest.mark.parametrize("role", [Role.AUDITOR, Role.LEADER])
def test_raise_refused_without_action(client, world, role):
    assert _client(client, world["users"][role]).get(RAISE).status_code == 403


def test_project_options_scoped(client, world):
    mine = ProjectFactory(
        name="Nhà máy Điện Gió",
        locality=world["district_a"],
        investor__locality=world["district_a"],
    )
    ProjectFactory(
        name="Nhà máy Điện Mặt Trời",
        locality=world["district_b"],
        investor__locality=world["district_b"],
    )
    locality = _client(client, world["users"][Role.LOCALITY])
    response = locality.get(reverse("obstacles:project-options") + "?q=nha may dien")
    assert [item["value"] for item in response.json()["results"]] == [mine.pk]


# --- time limits ------------------------------------------------------------------------------

LIMITS = reverse("obstacles:time-limits")


def _limit_url(category):
    return reverse("obstacles:time-limit-edit", args=[category])


@pytest.mark.parametrize("role", list(Role))
def test_time_limits_read_by_every_role(client, world, role):
    response = _client(client, world["users"][role]).get(LIMITS)
    assert response.status_code == 200
    assert response.context["can_configure"] == (role == Role.COORDINATOR)


def test_time_limit_created_then_edited_with_version(client, world):
    coordinator = _client(client, world["users"][Role.COORDINATOR])
    CategoryLimit.objects.filter(category="power").delete()
    assert coordinator.get(_limit_url("power")).status_code == 200
    assert coordinator.post(_limit_url("power"), {"time_limit_days": 12}).status_code == 302
    limit = CategoryLimit.objects.get(category="power")
    assert (limit.time_limit_days, limit.version) == (12, 1)
    stale = coordinator.post(_limit_url("power"), {"time_limit_days": 9, "version": 3})
    assert stale.status_code == 400
    assert _error_codes(stale.context["form"]) == ["stale_edit"]
    fresh = coordinator.post(_limit_url("power"), {"time_limit_days": 9, "version": 1})
    assert fresh.status_code == 302
    limit.refresh_from_db()
    assert limit.time_limit_days == 9
    listed = coordinator.get(LIMITS)
    assert [days for value, _l, days, _d in listed.context["limits"] if value == "power"] == [9]


def test_time_limit_out_of_range_refused(client, world):
    coordinator = _client(client, world["users"][Role.COORDINATOR])
    limit = CategoryLimit.objects.get(category="power")
    response = coordinator.post(
        _limit_url("power"), {"time_limit_days": 400, "version": limit.version}
    )
    assert response.status_code == 400
    limit.refresh_from_db()
    assert limit.time_limit_days == 10


def test_time_limit_edit_refused_for_department(client, world):
    department = _client(client, world["users"][Role.DEPARTMENT])
    assert department.get(_limit_url("power")).status_code == 403
    assert department.post(_limit_url("power"), {"time_limit_days": 3}).status_code == 403
    assert CategoryLimit.objects.get(category="power").time_limit_days == 10


def test_time_limit_unknown_category_is_404(client, world):
    coordinator = _client(client, world["users"][Role.COORDINATOR])
    assert coordinator.get(_limit_url("nonsense")).status_code == 404


# --- the progress report's obstacles --------------------------------------------------------


@pytest.fixture
def report_with_obstacles(world):
    before = translation.get_language()
    yield _report_with_obstacles(world)
    translation.activate(before) if before else translation.deactivate()


def _report_with_obstacles(world):
    """A district A report with two obstacles linked: one of district A, one (odd but
    possible after a move) of district B that the district A officer may not see."""
    project = ProjectFactory(locality=world["district_a"], investor__locality=world["district_a"])
    report = ProgressReportFactory(project=project)
    mine = ObstacleFactory(project=project, enterprise=None, report=report, source=Source.REPORT)
    foreign = ObstacleFactory(
        enterprise=EnterpriseFactory(locality=world["district_b"]), report=report
    )
    return report, mine, foreign


def _report_url(report) -> str:
    return reverse("projects:report-detail", args=[report.pk])


def test_report_detail_lists_only_visible_linked_obstacles(client, world, report_with_obstacles):
    report, mine, foreign = report_with_obstacles
    locality = _client(client, world["users"][Role.LOCALITY]).get(_report_url(report))
    assert [o.pk for o, _look in locality.context["linked_obstacles"]] == [mine.pk]
    assert f'data-obstacle="{foreign.pk}"'.encode() not in locality.content
    client.logout()
    coordinator = _client(client, world["users"][Role.COORDINATOR]).get(_report_url(report))
    assert sorted(o.pk for o, _look in coordinator.context["linked_obstacles"]) == sorted(
        [mine.pk, foreign.pk]
    )


@pytest.mark.parametrize(
    ("role", "shown"),
    [(Role.COORDINATOR, True), (Role.LOCALITY, True), (Role.LEADER, False), (Role.AUDITOR, False)],
)
def test_report_detail_raise_button_for_those_who_may_raise(
    client, world, report_with_obstacles, role, shown
):
    report = report_with_obstacles[0]
    response = _client(client, world["users"][role]).get(_report_url(report))
    assert response.status_code == 200
    link = f'href="{RAISE}?report={report.pk}"'.encode()
    assert (link in response.content) == shown


def test_report_detail_obstacles_bounded(client, world, report_with_obstacles):
    report, mine, _foreign = report_with_obstacles
    coordinator = _client(client, world["users"][Role.COORDINATOR])
    small = _queries(coordinator, _report_url(report))
    for _n in range(25):
        ObstacleFactory(project=mine.project, enterprise=None, report=report)
    response = coordinator.get(_report_url(report))
    assert len(response.context["linked_obstacles"]) == 20
    assert response.context["more_obstacles"] is True
    assert _queries(coordinator, _report_url(report)) == small


def test_inbox_leaves_out_the_departments_own_name(client, world, filed):
    _assign(world, filed)
    dept = _client(client, world["users"][Role.DEPARTMENT])
    inbox = dept.get(reverse("obstacles:obstacle-list") + "?view=inbox")
    everything = dept.get(reverse("obstacles:obstacle-list") + "?view=all")
    names = lambda response: [column.name for column in response.context["columns"]]  # noqa: E731
    assert "lead_department" not in names(inbox)
    assert "lead_department" in names(everything)


def test_accept_button_worded_as_receiving_an_obstacle(client, world, filed):
    _assign(world, filed)
    dept = _client(client, world["users"][Role.DEPARTMENT])
    with translation.override("zh-hans"):
        world["users"][Role.DEPARTMENT].language = "zh-hans"
        world["users"][Role.DEPARTMENT].save(update_fields=["language"])
        page = dept.get(filed.get_absolute_url()).content.decode()
    assert "受理" in page
    assert "审核通过" not in page
