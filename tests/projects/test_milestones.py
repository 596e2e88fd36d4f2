"""Milestone plans: the form's rules, the services (scope, versions, audit), the pages, the API,
and the lights computed in bulk against the plans with a constant number of queries."""

import datetime
from decimal import Decimal

import pytest
from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from tests.factories import DispatchPeriodFactory, ProgressReportFactory, ProjectFactory
from vanco.accounts.enums import Role
from vanco.projects import dispatch, milestones
from vanco.projects.enums import Stage
from vanco.projects.forms import MilestoneForm
from vanco.projects.models import Milestone, Project, ProjectLight

D = datetime.date


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def project_in(locality, **kwargs):
    kwargs.setdefault("stage", Stage.UNDER_CONSTRUCTION)
    kwargs.setdefault("planned_start_date", D(2026, 1, 1))
    kwargs.setdefault("planned_completion_date", D(2026, 12, 31))
    return ProjectFactory(locality=locality, investor__locality=locality, **kwargs)


@pytest.fixture
def project(world):
    return project_in(world["district_a"])


@pytest.fixture
def officer(world):
    user = world["users"][Role.LOCALITY]
    user.language = "en"
    user.save(update_fields=["language"])
    return user


def data(name="Móng xong", date="2026-03-01", progress="10", achieved=""):
    return {
        "name": name,
        "planned_date": date,
        "planned_progress": progress,
        "achieved_on": achieved,
    }


def add(project, name, date, progress, **kwargs):
    return Milestone.objects.create(
        project=project, name=name, planned_date=date, planned_progress=Decimal(progress), **kwargs
    )


# --- form -----------------------------------------------------------------------------------


def test_milestone_form_refuses_progress_lower_than_an_earlier_milestone(project):
    add(project, "Khung", D(2026, 5, 1), "40")
    form = MilestoneForm(data=data(date="2026-07-01", progress="30"), project=project)
    assert form.is_valid() is False
    assert form.errors["planned_progress"] == [
        "The planned progress cannot go down over time: the earlier milestone “Khung” "
        "(05/01/2026) already plans 40.00 %."
    ]


def test_milestone_form_refuses_progress_higher_than_a_later_milestone(project):
    add(project, "Mái", D(2026, 9, 1), "60")
    form = MilestoneForm(data=data(date="2026-07-01", progress="70"), project=project)
    assert form.is_valid() is False
    assert form.errors["planned_progress"] == [
        "The planned progress cannot go down over time: the later milestone “Mái” "
        "(09/01/2026) plans only 60.00 %."
    ]


def test_milestone_form_refuses_a_second_milestone_with_the_same_name_or_date(project):
    add(project, "Móng xong", D(2026, 3, 1), "10")
    form = MilestoneForm(data=data(name="MÓNG XONG", date="2026-03-01"), project=project)
    assert form.is_valid() is False
    assert form.errors["name"] == ["This project already has a milestone of that name."]
    assert form.errors["planned_date"] == ["This project already has a milestone on that date."]


def test_milestone_form_refuses_progress_outside_0_100(project):
    form = MilestoneForm(data=data(progress="101"), project=project)
    assert form.is_valid() is False
    assert form.errors["planned_progress"] == ["Ensure this value is less than or equal to 100."]


def test_milestone_form_accepts_its_own_row_unchanged(project):
    milestone = add(project, "Móng xong", D(2026, 3, 1), "10")
    form = MilestoneForm(data={**data(), "version": "1"}, instance=milestone, project=project)
    assert form.is_valid() is True


# --- services -------------------------------------------------------------------------------


def test_create_milestone_by_the_officer_of_the_district_is_audited(project, officer):
    milestone = milestones.create_milestone(actor=officer, project=project, data=data())
    assert (milestone.project_id, milestone.name, milestone.version) == (project.pk, "Móng xong", 1)
    assert milestone.planned_progress == Decimal("10")
    entries = LogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(Milestone), object_pk=str(milestone.pk)
    )
    assert list(entries.values_list("action", flat=True)) == [LogEntry.Action.CREATE]


@pytest.mark.parametrize(
    ("who", "error"),
    [
        ("loc_b", Http404),  # another district: the project is not even visible
        (Role.AUDITOR, PermissionDenied),  # sees the whole city, changes nothing
        (Role.LEADER, PermissionDenied),
    ],
)
def test_create_milestone_refused_outside_scope_or_role(world, project, who, error):
    user = world["others"].get(who) or world["users"][who]
    with pytest.raises(error):
        milestones.create_milestone(actor=user, project=project, data=data())
    assert Milestone.objects.count() == 0


def test_create_milestone_validation_error_by_field(project, officer):
    add(project, "Khung", D(2026, 5, 1), "40")
    with pytest.raises(ValidationError) as caught:
        milestones.create_milestone(
            actor=officer, project=project, data=data(date="2026-07-01", progress="20")
        )
    assert list(caught.value.message_dict) == ["planned_progress"]


def test_update_milestone_bumps_the_version_and_refuses_a_stale_one(project, officer):
    milestone = add(project, "Móng xong", D(2026, 3, 1), "10")
    updated = milestones.update_milestone(
        actor=officer, milestone=milestone, data=data(progress="15"), expected_version=1
    )
    assert (updated.planned_progress, updated.version) == (Decimal("15"), 2)
    with pytest.raises(ValidationError) as caught:
        milestones.update_milestone(
            actor=officer, milestone=milestone, data=data(progress="20"), expected_version=1
        )
    assert caught.value.code == "stale_edit"
    milestone.refresh_from_db()
    assert milestone.planned_progress == Decimal("15")


def test_delete_milestone_with_the_current_version_only(project, officer):
    milestone = add(project, "Móng xong", D(2026, 3, 1), "10")
    with pytest.raises(ValidationError):
        milestones.delete_milestone(actor=officer, milestone=milestone, expected_version=7)
    milestones.delete_milestone(actor=officer, milestone=milestone, expected_version=1)
    assert Milestone.objects.count() == 0
    assert (
        LogEntry.objects.filter(
            content_type=ContentType.objects.get_for_model(Milestone),
            action=LogEntry.Action.DELETE,
        ).count()
        == 1
    )


def test_delete_milestone_out_of_scope_is_404(world, project):
    milestone = add(project, "Móng xong", D(2026, 3, 1), "10")
    with pytest.raises(Http404):
        milestones.delete_milestone(
            actor=world["others"]["loc_b"], milestone=milestone, expected_version=1
        )
    assert Milestone.objects.count() == 1


# --- lights in bulk -------------------------------------------------------------------------


def test_close_period_measures_projects_against_their_milestone_plans(world, coordinator):
    period = DispatchPeriodFactory()  # November 2026
    planned = project_in(world["district_a"], progress_percent=Decimal("70"))
    add(planned, "Móng", D(2026, 3, 1), "10")
    add(planned, "Khung", D(2026, 7, 1), "70")
    straight = project_in(world["district_a"], progress_percent=Decimal("70"))
    for project in (planned, straight):
        ProgressReportFactory(project=project, period=period, status="accepted")
    dispatch.close_period(actor=coordinator, period=period, today=D(2026, 12, 1))
    stored = {
        light.project_id: (light.light, light.reasons)
        for light in ProjectLight.objects.filter(period=period)
    }
    assert stored == {
        planned.pk: (
            "yellow",
            [{"code": "behind_pace", "params": {"points": 25, "plan": "milestones"}}],
        ),
        straight.pk: ("yellow", [{"code": "behind_pace", "params": {"points": 21}}]),
    }


def forget_lights():
    ProjectLight.objects.all().delete()
    Project.objects.update(light="", light_reasons=[])


def build(world, period, count):
    for n in range(count):
        project = project_in(world["district_a"], progress_percent=Decimal("5"))
        add(project, f"Móng {n}", D(2026, 3, 1), "10")
        add(project, f"Khung {n}", D(2026, 7, 1), "70")
        ProgressReportFactory(project=project, period=period)


def test_recompute_lights_query_count_does_not_grow_with_projects_or_milestones(world, coordinator):
    period = DispatchPeriodFactory()
    build(world, period, 2)
    dispatch.recompute_lights(period=period, today=D(2026, 12, 1), actor=coordinator)
    forget_lights()
    with CaptureQueriesContext(connection) as small:
        dispatch.recompute_lights(period=period, today=D(2026, 12, 1), actor=coordinator)
    build(world, period, 8)
    forget_lights()
    with CaptureQueriesContext(connection) as large:
        dispatch.recompute_lights(period=period, today=D(2026, 12, 1), actor=coordinator)
    assert ProjectLight.objects.filter(period=period, light="red").count() == 10
    assert len(large) == len(small)


# --- pages ----------------------------------------------------------------------------------


def test_milestone_section_read_only_for_a_viewer(client, world, project):
    add(project, "Móng xong", D(2026, 3, 1), "10")
    client.force_login(world["users"][Role.AUDITOR])
    response = client.get(
        reverse("projects:milestone-section", args=[project.pk]), HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count('data-testid="milestone-row"') == 1
    assert "Móng xong" in html
    assert 'data-testid="milestone-add"' not in html
    assert "<html" not in html


def test_milestone_section_offers_editing_to_the_officer(client, project, officer):
    client.force_login(officer)
    response = client.get(reverse("projects:milestone-list", args=[project.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-testid="milestone-add"' in html
    assert "straight line" in html


def test_project_detail_loads_the_milestone_section(client, project, officer):
    client.force_login(officer)
    response = client.get(project.get_absolute_url())
    section = reverse("projects:milestone-section", args=[project.pk])
    assert f'hx-get="{section}"' in response.content.decode()


def test_milestone_pages_out_of_scope_are_404(client, world, project):
    milestone = add(project, "Móng xong", D(2026, 3, 1), "10")
    client.force_login(world["others"]["loc_b"])
    urls = [
        reverse("projects:milestone-list", args=[project.pk]),
        reverse("projects:milestone-section", args=[project.pk]),
        reverse("projects:milestone-create", args=[project.pk]),
        reverse("projects:milestone-edit", args=[milestone.pk]),
        reverse("projects:milestone-delete", args=[milestone.pk]),
    ]
    assert [client.get(url).status_code for url in urls] == [404] * 5
    assert client.post(urls[4], {"version": "1"}).status_code == 404
    assert Milestone.objects.count() == 1


def test_milestone_create_page_refused_to_a_viewer(client, world, project):
    client.force_login(world["users"][Role.AUDITOR])
    url = reverse("projects:milestone-create", args=[project.pk])
    assert client.get(url).status_code == 403
    assert client.post(url, data()).status_code == 403
    assert Milestone.objects.count() == 0


def test_milestone_create_edit_delete_through_the_pages(client, project, officer):
    client.force_login(officer)
    plan_url = reverse("projects:milestone-list", args=[project.pk])
    response = client.post(reverse("projects:milestone-create", args=[project.pk]), data())
    assert (response.status_code, response.url) == (302, plan_url)
    milestone = Milestone.objects.get()
    response = client.post(
        reverse("projects:milestone-edit", args=[milestone.pk]),
        {**data(progress="12"), "version": "1"},
    )
    assert response.status_code == 302
    milestone.refresh_from_db()
    assert (milestone.planned_progress, milestone.version) == (Decimal("12"), 2)
    response = client.post(
        reverse("projects:milestone-delete", args=[milestone.pk]), {"version": "2"}
    )
    assert (response.status_code, response.url) == (302, plan_url)
    assert Milestone.objects.count() == 0


def test_milestone_create_page_keeps_input_and_explains_a_decrease(client, project, officer):
    add(project, "Khung", D(2026, 5, 1), "40")
    client.force_login(officer)
    response = client.post(
        reverse("projects:milestone-create", args=[project.pk]),
        data(name="Mái", date="2026-07-01", progress="30"),
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "the earlier milestone “Khung” (05/01/2026) already plans 40.00 %" in html
    assert 'value="Mái"' in html
    assert Milestone.objects.count() == 1


def test_milestone_edit_page_refuses_a_stale_version(client, project, officer):
    milestone = add(project, "Móng xong", D(2026, 3, 1), "10", version=3)
    client.force_login(officer)
    response = client.post(
        reverse("projects:milestone-edit", args=[milestone.pk]),
        {**data(progress="12"), "version": "2"},
    )
    assert response.status_code == 400
    milestone.refresh_from_db()
    assert milestone.planned_progress == Decimal("10")


# --- API ------------------------------------------------------------------------------------


def bearer(user, language="en"):
    from vanco.accounts.services import issue_token

    _token, raw = issue_token(user=user)
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}", "HTTP_ACCEPT_LANGUAGE": language}


def test_api_milestones_list_create_update_delete(client, project, officer):
    auth = bearer(officer)
    url = f"/api/v1/projects/{project.pk}/milestones"
    response = client.post(
        url,
        {"name": "Móng", "planned_date": "2026-03-01", "planned_progress": "10"},
        content_type="application/json",
        **auth,
    )
    assert response.status_code == 201
    created = response.json()
    assert (created["name"], created["planned_progress"], created["version"]) == (
        "Móng",
        "10.00",
        1,
    )
    response = client.patch(
        f"/api/v1/milestones/{created['id']}",
        {"planned_progress": "12", "version": 1},
        content_type="application/json",
        **auth,
    )
    assert (response.status_code, response.json()["version"]) == (200, 2)
    stale = client.patch(
        f"/api/v1/milestones/{created['id']}",
        {"planned_progress": "13", "version": 1},
        content_type="application/json",
        **auth,
    )
    assert stale.status_code == 409
    listed = client.get(url, **auth).json()
    assert [(m["name"], m["planned_progress"]) for m in listed] == [("Móng", "12.00")]
    response = client.delete(f"/api/v1/milestones/{created['id']}?version=2", **auth)
    assert response.status_code == 204
    assert Milestone.objects.count() == 0


def test_api_milestone_decrease_is_422_with_the_field(client, project, officer):
    add(project, "Khung", D(2026, 5, 1), "40")
    response = client.post(
        f"/api/v1/projects/{project.pk}/milestones",
        {"name": "Mái", "planned_date": "2026-07-01", "planned_progress": "30"},
        content_type="application/json",
        **bearer(officer),
    )
    assert response.status_code == 422
    assert list(response.json()["error"]["fields"]) == ["planned_progress"]


def test_api_milestones_scoping(client, world, project):
    milestone = add(project, "Móng", D(2026, 3, 1), "10")
    outsider, viewer = bearer(world["others"]["loc_b"]), bearer(world["users"][Role.AUDITOR])
    url = f"/api/v1/projects/{project.pk}/milestones"
    body = {"name": "Mái", "planned_date": "2026-07-01", "planned_progress": "30"}
    assert client.get(url, **outsider).status_code == 404
    assert client.post(url, body, content_type="application/json", **outsider).status_code == 404
    assert (
        client.delete(f"/api/v1/milestones/{milestone.pk}?version=1", **outsider).status_code == 404
    )
    assert client.get(url, **viewer).status_code == 200
    assert client.post(url, body, content_type="application/json", **viewer).status_code == 403
    patch = client.patch(
        f"/api/v1/milestones/{milestone.pk}",
        {"name": "X", "version": 1},
        content_type="application/json",
        **viewer,
    )
    assert patch.status_code == 403
    assert list(Milestone.objects.values_list("name", flat=True)) == ["Móng"]


def test_changing_the_plan_recomputes_the_light_of_the_open_period(world, project, officer):
    period = DispatchPeriodFactory(starts_on=D(2026, 6, 1), ends_on=D(2026, 6, 30))
    ProgressReportFactory(
        project=project, period=period, status="submitted", progress_percent=Decimal("45")
    )
    dispatch.recompute_lights(period=period, today=D(2026, 6, 15), actor=officer)
    project.refresh_from_db()
    before = project.light
    # A plan that expected 95 % by June puts the project far behind it.
    milestones.create_milestone(
        actor=officer, project=project, data=data("Lắp máy", "2026-05-01", "95")
    )
    project.refresh_from_db()
    assert (before, project.light) == ("green", "red")
    assert project.light_reasons[0]["params"]["plan"] == "milestones"
