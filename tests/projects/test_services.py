import datetime
import threading
import time
from decimal import Decimal

import pytest
from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, connections, transaction
from django.http import Http404
from django.utils import timezone, translation

from tests.factories import (
    EnterpriseFactory,
    IndustryFactory,
    ProjectFactory,
    user_with_role,
)
from vanco.accounts.enums import Role
from vanco.core.services import StaleEditError
from vanco.projects import codes, services
from vanco.projects.enums import Stage, TaskForce
from vanco.projects.models import Attachment, Project, ProjectStageChange, Tag

S = Stage


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def today():
    return timezone.localdate()


@pytest.fixture
def officer_a(world):
    return world["users"][Role.LOCALITY]


@pytest.fixture
def coordinator_user(world):
    return world["users"][Role.COORDINATOR]


def project_in(locality, **kwargs):
    return ProjectFactory(investor=EnterpriseFactory(locality=locality), **kwargs)


def messages(error: ValidationError) -> dict:
    return error.message_dict


def entries_for(obj):
    return LogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(type(obj)), object_pk=str(obj.pk)
    ).order_by("pk")


# --- the full matrix ------------------------------------------------------------------------

ALL = list(Stage)
LATER = {
    S.LEAD: [S.NEGOTIATING, S.SIGNED, S.APPROVED, S.UNDER_CONSTRUCTION, S.COMPLETED],
    S.NEGOTIATING: [S.SIGNED, S.APPROVED, S.UNDER_CONSTRUCTION, S.COMPLETED],
    S.SIGNED: [S.APPROVED, S.UNDER_CONSTRUCTION, S.COMPLETED],
    S.APPROVED: [S.UNDER_CONSTRUCTION, S.COMPLETED],
    S.UNDER_CONSTRUCTION: [S.COMPLETED],
    S.COMPLETED: [],
}
# What a locality officer may do: forward only (paused projects were paused from "signed").
OFFICER_ALLOWED = {
    **{stage: {*later, S.IN_OPERATION, S.PAUSED, S.DROPPED} for stage, later in LATER.items()},
    S.IN_OPERATION: set(),
    S.PAUSED: {S.SIGNED, S.DROPPED},
    S.DROPPED: set(),
}
# The coordinator may also move back (with a reason).
COORDINATOR_EXTRA = {
    S.LEAD: set(),
    S.NEGOTIATING: {S.LEAD},
    S.SIGNED: {S.LEAD, S.NEGOTIATING},
    S.APPROVED: {S.LEAD, S.NEGOTIATING, S.SIGNED},
    S.UNDER_CONSTRUCTION: {S.LEAD, S.NEGOTIATING, S.SIGNED, S.APPROVED},
    S.COMPLETED: {S.LEAD, S.NEGOTIATING, S.SIGNED, S.APPROVED, S.UNDER_CONSTRUCTION},
    S.IN_OPERATION: {
        S.LEAD,
        S.NEGOTIATING,
        S.SIGNED,
        S.APPROVED,
        S.UNDER_CONSTRUCTION,
        S.COMPLETED,
    },
    S.PAUSED: {S.LEAD, S.NEGOTIATING},
    S.DROPPED: {S.LEAD, S.NEGOTIATING, S.SIGNED, S.APPROVED, S.UNDER_CONSTRUCTION, S.COMPLETED},
}
COORDINATOR_ALLOWED = {stage: OFFICER_ALLOWED[stage] | COORDINATOR_EXTRA[stage] for stage in ALL}
BACKWARDS = {(f, t) for f in ALL for t in COORDINATOR_EXTRA[f]}


def staged_project(world, stage):
    return project_in(
        world["district_a"],
        stage=stage,
        signed_amount=Decimal("120.000"),
        paused_from=S.SIGNED if stage == S.PAUSED else "",
    )


@pytest.mark.parametrize("role", [Role.LOCALITY, Role.COORDINATOR])
@pytest.mark.parametrize("from_stage", ALL)
def test_allowed_transitions_matrix_per_role(world, role, from_stage):
    project = staged_project(world, from_stage)
    expected = (OFFICER_ALLOWED if role == Role.LOCALITY else COORDINATOR_ALLOWED)[from_stage]
    allowed = services.allowed_transitions(actor=world["users"][role], project=project)
    assert allowed == [s.value for s in services.STAGE_ORDER if s in expected]


@pytest.mark.parametrize("role", [Role.LOCALITY, Role.COORDINATOR])
@pytest.mark.parametrize("to_stage", ALL)
@pytest.mark.parametrize("from_stage", ALL)
def test_transition_project_matrix_allows_exactly_the_table(
    world, today, role, from_stage, to_stage
):
    actor = world["users"][role]
    project = staged_project(world, from_stage)
    allowed = (OFFICER_ALLOWED if role == Role.LOCALITY else COORDINATOR_ALLOWED)[from_stage]
    backwards = (from_stage, to_stage) in BACKWARDS
    reason = "Nhập nhầm giai đoạn" if role == Role.COORDINATOR else ""

    def move():
        return services.transition_project(
            actor=actor, project=project, to_stage=to_stage, effective_date=today, reason=reason
        )

    if to_stage in allowed:
        change = move()
        project.refresh_from_db()
        assert (change.from_stage, change.to_stage, change.is_backwards) == (
            from_stage,
            to_stage,
            backwards,
        )
        assert project.stage == to_stage
        assert project.version == 2
    elif backwards:
        # Only a locality officer reaches here: the move exists but needs the coordinator.
        with pytest.raises(PermissionDenied):
            move()
        project.refresh_from_db()
        assert (project.stage, project.version) == (from_stage, 1)
    else:
        with pytest.raises(ValidationError) as caught:
            move()
        if from_stage == to_stage:
            expected = "The project is already at this stage."
        else:
            expected = (
                f"A project cannot move from “{Stage(from_stage).label}” "
                f"to “{Stage(to_stage).label}”."
            )
        assert messages(caught.value) == {"to_stage": [expected]}
        assert ProjectStageChange.objects.filter(project=project).count() == 0


# --- refusals and their messages ------------------------------------------------------------


def test_transition_project_unknown_stage_refused(world, officer_a, today):
    project = staged_project(world, S.LEAD)
    with pytest.raises(ValidationError) as caught:
        services.transition_project(
            actor=officer_a, project=project, to_stage="launched", effective_date=today
        )
    assert messages(caught.value) == {"to_stage": ["Unknown stage."]}


def test_transition_refused_keeps_no_evidence_file(world, officer_a, today, settings, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.projects.test_attachments import MINIMAL_PDF
    from vanco.projects.models import Attachment

    settings.MEDIA_ROOT = tmp_path / "media"
    project = staged_project(world, S.LEAD)
    evidence = SimpleUploadedFile("bien-ban.pdf", MINIMAL_PDF, content_type="application/pdf")
    with pytest.raises(StaleEditError):
        services.transition_project(
            actor=officer_a,
            project=project,
            to_stage=S.NEGOTIATING,
            effective_date=today,
            evidence_file=evidence,
            expected_version=project.version + 5,
        )
    assert Attachment.objects.count() == 0
    assert list((tmp_path / "media").rglob("*")) == []


def test_transition_with_evidence_file_records_it(world, officer_a, today, settings, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.projects.test_attachments import MINIMAL_PDF

    settings.MEDIA_ROOT = tmp_path / "media"
    project = staged_project(world, S.LEAD)
    evidence = SimpleUploadedFile("bien-ban.pdf", MINIMAL_PDF, content_type="application/pdf")
    change = services.transition_project(
        actor=officer_a,
        project=project,
        to_stage=S.NEGOTIATING,
        effective_date=today,
        evidence_file=evidence,
    )
    assert (change.evidence.original_name, change.evidence.project_id) == (
        "bien-ban.pdf",
        project.pk,
    )


def test_transition_project_backwards_by_coordinator_needs_reason(world, coordinator_user, today):
    project = staged_project(world, S.SIGNED)
    with pytest.raises(ValidationError) as caught:
        services.transition_project(
            actor=coordinator_user,
            project=project,
            to_stage=S.NEGOTIATING,
            effective_date=today,
            reason="   ",
        )
    assert messages(caught.value) == {
        "reason": ["Say why the project moves back: a reason is required."]
    }
    project.refresh_from_db()
    assert project.stage == S.SIGNED


def test_transition_project_backwards_by_coordinator_with_reason_clears_later_dates(
    world, coordinator_user, today
):
    day = today - datetime.timedelta(days=30)
    project = project_in(
        world["district_a"],
        stage=S.UNDER_CONSTRUCTION,
        signed_amount=Decimal("10"),
        signing_date=day,
        approval_date=day,
        start_date=day,
    )
    change = services.transition_project(
        actor=coordinator_user,
        project=project,
        to_stage=S.SIGNED,
        effective_date=today,
        reason="Giấy phép bị thu hồi",
    )
    project.refresh_from_db()
    assert (change.is_backwards, change.reason, change.actor) == (
        True,
        "Giấy phép bị thu hồi",
        coordinator_user,
    )
    assert (project.stage, project.signing_date, project.approval_date, project.start_date) == (
        S.SIGNED,
        day,
        None,
        None,
    )


def test_transition_project_backwards_by_locality_officer_forbidden_even_with_reason(
    world, officer_a, today
):
    project = staged_project(world, S.APPROVED)
    with pytest.raises(PermissionDenied):
        services.transition_project(
            actor=officer_a,
            project=project,
            to_stage=S.SIGNED,
            effective_date=today,
            reason="Sai sót",
        )


def test_transition_project_out_of_scope_is_404(world, today):
    project = staged_project(world, S.LEAD)
    with pytest.raises(Http404):
        services.transition_project(
            actor=world["others"]["loc_b"],
            project=project,
            to_stage=S.NEGOTIATING,
            effective_date=today,
        )


@pytest.mark.parametrize("role", [Role.LEADER, Role.AUDITOR])
def test_transition_project_visible_but_read_only_is_403(world, today, role):
    project = staged_project(world, S.LEAD)
    with pytest.raises(PermissionDenied):
        services.transition_project(
            actor=world["users"][role],
            project=project,
            to_stage=S.NEGOTIATING,
            effective_date=today,
        )
    assert services.allowed_transitions(actor=world["users"][role], project=project) == []


def test_transition_project_commune_officer_cannot_reach_sibling_district(world, today):
    project = staged_project(world, S.LEAD)
    assert (
        services.allowed_transitions(actor=world["others"]["loc_commune_a"], project=project) == []
    )
    with pytest.raises(Http404):
        services.transition_project(
            actor=world["others"]["loc_commune_a"],
            project=project,
            to_stage=S.NEGOTIATING,
            effective_date=today,
        )


# --- requirements and dates -----------------------------------------------------------------


def test_transition_project_signing_needs_signed_amount(world, officer_a, today):
    project = project_in(world["district_a"], stage=S.NEGOTIATING)
    with pytest.raises(ValidationError) as caught:
        services.transition_project(
            actor=officer_a, project=project, to_stage=S.SIGNED, effective_date=today
        )
    assert messages(caught.value) == {
        "signed_amount": ["A signed project needs the signed amount."]
    }


def test_transition_project_signed_amount_must_be_positive(world, officer_a, today):
    project = project_in(world["district_a"], stage=S.NEGOTIATING)
    with pytest.raises(ValidationError) as caught:
        services.transition_project(
            actor=officer_a,
            project=project,
            to_stage=S.SIGNED,
            effective_date=today,
            signed_amount=Decimal("0"),
        )
    assert messages(caught.value) == {
        "signed_amount": ["The signed amount must be greater than zero."]
    }


def test_transition_project_signing_sets_amount_and_date(world, officer_a, today):
    project = project_in(world["district_a"], stage=S.NEGOTIATING)
    day = today - datetime.timedelta(days=3)
    services.transition_project(
        actor=officer_a,
        project=project,
        to_stage=S.SIGNED,
        effective_date=day,
        signed_amount=Decimal("350.500"),
    )
    project.refresh_from_db()
    assert (project.stage, project.signed_amount, project.signing_date) == (
        S.SIGNED,
        Decimal("350.500"),
        day,
    )


def test_transition_project_skip_forward_needs_target_requirements(world, officer_a, today):
    project = project_in(world["district_a"], stage=S.LEAD)
    with pytest.raises(ValidationError) as caught:
        services.transition_project(
            actor=officer_a, project=project, to_stage=S.UNDER_CONSTRUCTION, effective_date=today
        )
    assert list(messages(caught.value)) == ["signed_amount"]
    services.transition_project(
        actor=officer_a,
        project=project,
        to_stage=S.UNDER_CONSTRUCTION,
        effective_date=today,
        signed_amount=Decimal("80"),
    )
    project.refresh_from_db()
    assert (project.stage, project.start_date, project.signing_date, project.approval_date) == (
        S.UNDER_CONSTRUCTION,
        today,
        None,
        None,
    )


@pytest.mark.parametrize(
    ("from_stage", "to_stage", "date_field"),
    [
        (S.SIGNED, S.APPROVED, "approval_date"),
        (S.APPROVED, S.UNDER_CONSTRUCTION, "start_date"),
        (S.UNDER_CONSTRUCTION, S.COMPLETED, "completion_date"),
        (S.COMPLETED, S.IN_OPERATION, "operation_date"),
    ],
)
def test_transition_project_sets_the_stage_date(
    world, officer_a, today, from_stage, to_stage, date_field
):
    project = staged_project(world, from_stage)
    day = today - datetime.timedelta(days=1)
    services.transition_project(
        actor=officer_a, project=project, to_stage=to_stage, effective_date=day
    )
    project.refresh_from_db()
    assert getattr(project, date_field) == day


@pytest.mark.parametrize("to_stage", [S.NEGOTIATING, S.UNDER_CONSTRUCTION, S.PAUSED, S.DROPPED])
def test_transition_project_future_date_refused(world, officer_a, today, to_stage):
    project = staged_project(world, S.LEAD)
    with pytest.raises(ValidationError) as caught:
        services.transition_project(
            actor=officer_a,
            project=project,
            to_stage=to_stage,
            effective_date=today + datetime.timedelta(days=1),
        )
    assert messages(caught.value) == {"effective_date": ["The date cannot be in the future."]}


def test_transition_project_date_before_previous_change_refused(world, officer_a, today):
    project = staged_project(world, S.LEAD)
    first = today - datetime.timedelta(days=5)
    services.transition_project(
        actor=officer_a, project=project, to_stage=S.NEGOTIATING, effective_date=first
    )
    with pytest.raises(ValidationError) as caught:
        services.transition_project(
            actor=officer_a,
            project=project,
            to_stage=S.SIGNED,
            effective_date=first - datetime.timedelta(days=1),
        )
    assert messages(caught.value) == {
        "effective_date": [
            f"The date cannot be before the previous stage change ({first.isoformat()})."
        ]
    }


def test_transition_project_date_before_current_stage_date_refused(world, officer_a, today):
    signed_on = today - datetime.timedelta(days=2)
    project = project_in(
        world["district_a"], stage=S.SIGNED, signed_amount=Decimal("5"), signing_date=signed_on
    )
    with pytest.raises(ValidationError) as caught:
        services.transition_project(
            actor=officer_a,
            project=project,
            to_stage=S.APPROVED,
            effective_date=signed_on - datetime.timedelta(days=1),
        )
    assert list(messages(caught.value)) == ["effective_date"]


def test_transition_project_evidence_from_another_project_refused(world, officer_a, today):
    project = staged_project(world, S.LEAD)
    other = staged_project(world, S.LEAD)
    foreign = Attachment.objects.create(
        project=other,
        file="attachments/x",
        original_name="x.pdf",
        content_type="application/pdf",
        size=1,
        uploaded_by=officer_a,
    )
    with pytest.raises(ValidationError) as caught:
        services.transition_project(
            actor=officer_a,
            project=project,
            to_stage=S.NEGOTIATING,
            effective_date=today,
            evidence=foreign,
        )
    assert messages(caught.value) == {
        "evidence": ["The evidence must be a file attached to this project."]
    }


def test_transition_project_records_the_change(world, officer_a, today):
    project = staged_project(world, S.NEGOTIATING)
    evidence = Attachment.objects.create(
        project=project,
        file="attachments/y",
        original_name="hop-dong.pdf",
        content_type="application/pdf",
        size=1,
        uploaded_by=officer_a,
    )
    before = timezone.now()
    change = services.transition_project(
        actor=officer_a,
        project=project,
        to_stage=S.SIGNED,
        effective_date=today,
        reason="Ký hợp đồng",
        evidence=evidence,
        expected_version=1,
    )
    assert (
        change.project,
        change.from_stage,
        change.to_stage,
        change.effective_date,
        change.actor,
        change.reason,
        change.is_backwards,
        change.evidence,
    ) == (project, S.NEGOTIATING, S.SIGNED, today, officer_a, "Ký hợp đồng", False, evidence)
    # The passed object is refreshed.
    assert (project.stage, project.version) == (S.SIGNED, 2)
    assert project.stage_changed_at >= before
    assert project.last_activity_at == project.stage_changed_at


def test_transition_project_is_audited_with_actor(world, officer_a, today):
    project = staged_project(world, S.LEAD)
    services.transition_project(
        actor=officer_a, project=project, to_stage=S.NEGOTIATING, effective_date=today
    )
    updates = [e for e in entries_for(project) if e.action == LogEntry.Action.UPDATE]
    assert [(e.actor, e.changes_dict["stage"]) for e in updates] == [
        (officer_a, ["lead", "negotiating"])
    ]


# --- optimistic locking ---------------------------------------------------------------------


def test_transition_project_stale_version_refused(world, officer_a, today):
    project = staged_project(world, S.LEAD)
    Project.objects.filter(pk=project.pk).update(version=2)  # someone else saved meanwhile
    with pytest.raises(StaleEditError):
        services.transition_project(
            actor=officer_a,
            project=project,
            to_stage=S.NEGOTIATING,
            effective_date=today,
            expected_version=1,
        )
    assert ProjectStageChange.objects.count() == 0
    assert Project.objects.get(pk=project.pk).stage == S.LEAD


def test_transition_project_current_version_accepted(world, officer_a, today):
    project = staged_project(world, S.LEAD)
    services.transition_project(
        actor=officer_a,
        project=project,
        to_stage=S.NEGOTIATING,
        effective_date=today,
        expected_version=1,
    )
    with pytest.raises(StaleEditError):
        services.transition_project(
            actor=officer_a,
            project=project,
            to_stage=S.SIGNED,
            effective_date=today,
            signed_amount=Decimal("1"),
            expected_version=1,
        )
    assert Project.objects.get(pk=project.pk).version == 2


# --- paused, resumed, dropped ---------------------------------------------------------------


def test_transition_project_pause_and_resume(world, officer_a, today):
    signed_on = today - datetime.timedelta(days=10)
    project = project_in(
        world["district_a"], stage=S.APPROVED, signed_amount=Decimal("9"), approval_date=signed_on
    )
    services.transition_project(
        actor=officer_a, project=project, to_stage=S.PAUSED, effective_date=today
    )
    assert (project.stage, project.paused_from) == (S.PAUSED, S.APPROVED)
    assert services.allowed_transitions(actor=officer_a, project=project) == [
        S.APPROVED,
        S.DROPPED,
    ]
    with pytest.raises(ValidationError) as caught:
        services.transition_project(
            actor=officer_a, project=project, to_stage=S.UNDER_CONSTRUCTION, effective_date=today
        )
    assert messages(caught.value) == {
        "to_stage": ["A project cannot move from “Paused” to “Under construction”."]
    }
    change = services.transition_project(
        actor=officer_a, project=project, to_stage=S.APPROVED, effective_date=today
    )
    assert change.is_backwards is False
    # Resuming keeps the date the stage was first reached.
    assert (project.stage, project.paused_from, project.approval_date) == (
        S.APPROVED,
        "",
        signed_on,
    )


def test_transition_project_paused_to_earlier_stage_is_backwards(world, coordinator_user, today):
    project = staged_project(world, S.PAUSED)  # paused from signed
    change = services.transition_project(
        actor=coordinator_user,
        project=project,
        to_stage=S.NEGOTIATING,
        effective_date=today,
        reason="Đàm phán lại",
    )
    assert (change.is_backwards, project.stage, project.paused_from) == (True, S.NEGOTIATING, "")


def test_transition_project_drop_and_revive_by_coordinator(
    world, officer_a, coordinator_user, today
):
    project = staged_project(world, S.NEGOTIATING)
    services.transition_project(
        actor=officer_a, project=project, to_stage=S.DROPPED, effective_date=today, reason="Rút"
    )
    assert services.allowed_transitions(actor=officer_a, project=project) == []
    with pytest.raises(ValidationError) as caught:
        services.transition_project(
            actor=coordinator_user, project=project, to_stage=S.NEGOTIATING, effective_date=today
        )
    assert list(messages(caught.value)) == ["reason"]
    change = services.transition_project(
        actor=coordinator_user,
        project=project,
        to_stage=S.NEGOTIATING,
        effective_date=today,
        reason="Nhà đầu tư quay lại",
    )
    assert (change.from_stage, change.is_backwards, project.stage) == (
        S.DROPPED,
        True,
        S.NEGOTIATING,
    )


def test_transition_project_in_operation_cannot_be_dropped_or_paused(
    world, coordinator_user, today
):
    project = staged_project(world, S.IN_OPERATION)
    for target in (S.PAUSED, S.DROPPED):
        with pytest.raises(ValidationError) as caught:
            services.transition_project(
                actor=coordinator_user,
                project=project,
                to_stage=target,
                effective_date=today,
                reason="x",
            )
        assert list(messages(caught.value)) == ["to_stage"]


# --- creation and codes ---------------------------------------------------------------------


def project_data(world, **overrides):
    investor = EnterpriseFactory(locality=world["district_a"])
    return {
        "name": "Nhà máy linh kiện điện tử Ánh Dương",
        "investor": investor,
        "industry": IndustryFactory(),
        "locality": world["district_a"],
        "planned_investment": Decimal("1500.000"),
        **overrides,
    }


def test_create_project_generates_code_and_starts_as_lead(world, officer_a, today):
    project = services.create_project(actor=officer_a, data=project_data(world))
    project.refresh_from_db()
    assert (project.code, project.stage, project.version) == (
        f"DA-{today.year}-00001",
        S.LEAD,
        1,
    )
    assert project.last_activity_at is not None
    second = services.create_project(actor=officer_a, data=project_data(world))
    assert second.code == f"DA-{today.year}-00002"
    assert ProjectStageChange.objects.count() == 0


def test_create_project_code_follows_highest_of_the_year(world, officer_a, today):
    project_in(world["district_a"], code=f"DA-{today.year}-00041")
    project_in(world["district_a"], code=f"DA-{today.year - 1}-00900")
    project_in(world["district_a"], code="OLD-7")
    project = services.create_project(actor=officer_a, data=project_data(world))
    assert project.code == f"DA-{today.year}-00042"


def test_next_code_past_five_digits_sorts_numerically(world):
    project_in(world["district_a"], code="DA-2031-99999")
    assert codes.next_code(2031) == "DA-2031-100000"
    project_in(world["district_a"], code="DA-2031-100000")
    assert codes.next_code(2031) == "DA-2031-100001"


def test_parse_code_reads_generated_codes_only():
    assert codes.parse_code("DA-2026-00042") == (2026, 42)
    assert codes.parse_code("XY-2026-00042") is None
    assert codes.parse_code("DA-26-1") is None


def test_create_project_negotiating_allowed_signed_refused(world, officer_a):
    project = services.create_project(
        actor=officer_a, data=project_data(world, initial_stage=S.NEGOTIATING)
    )
    assert project.stage == S.NEGOTIATING
    with pytest.raises(ValidationError) as caught:
        services.create_project(actor=officer_a, data=project_data(world, initial_stage=S.SIGNED))
    assert messages(caught.value) == {
        "initial_stage": ["A new project starts as a lead or in negotiation."]
    }


def test_create_project_in_another_locality_refused_and_rolled_back(world, officer_a):
    with pytest.raises(PermissionDenied):
        services.create_project(
            actor=officer_a, data=project_data(world, locality=world["district_b"])
        )
    assert Project.objects.count() == 0


@pytest.mark.parametrize("role", [Role.LEADER, Role.AUDITOR, Role.DEPARTMENT, Role.ENTERPRISE])
def test_create_project_without_action_is_403(world, role):
    with pytest.raises(PermissionDenied):
        services.create_project(actor=world["users"][role], data=project_data(world))


def test_create_project_sets_tags_and_is_audited(world, officer_a):
    tags = [Tag.objects.create(name="FDI"), Tag.objects.create(name="Bán dẫn")]
    project = services.create_project(actor=officer_a, data=project_data(world, tags=tags))
    assert sorted(project.tags.values_list("name", flat=True)) == ["Bán dẫn", "FDI"]
    assert [(e.action, e.actor) for e in entries_for(project)][:1] == [
        (LogEntry.Action.CREATE, officer_a)
    ]


def test_create_project_checks_people(world, officer_a):
    not_a_leader = world["others"]["loc_commune_a"]
    hidden_officer = world["others"]["loc_b"]
    with pytest.raises(ValidationError) as caught:
        services.create_project(
            actor=officer_a,
            data=project_data(world, leader=not_a_leader, officer=hidden_officer),
        )
    assert messages(caught.value) == {
        "officer": ["Choose an active officer you can see."],
        "leader": ["The leader in charge must be an active city leader."],
    }


def test_create_project_runs_model_validation(world, officer_a, today):
    with pytest.raises(ValidationError) as caught:
        services.create_project(
            actor=officer_a,
            data=project_data(
                world,
                planned_start_date=today,
                planned_completion_date=today - datetime.timedelta(days=1),
            ),
        )
    assert messages(caught.value) == {
        "planned_completion_date": ["The planned completion cannot come before the planned start."]
    }


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="SQLite's IMMEDIATE transactions serialise writers; the collision needs PostgreSQL",
)
@pytest.mark.django_db(transaction=True)
def test_create_project_concurrent_creation_gets_distinct_codes(world, today):
    actor = world["users"][Role.COORDINATOR]
    first_inserted = threading.Event()
    release_first = threading.Event()
    results, failures = {}, []

    data = {"first": project_data(world), "second": project_data(world)}

    def create(name, hold):
        try:
            with transaction.atomic():
                project = services.create_project(actor=actor, data=data[name])
                if hold:
                    first_inserted.set()
                    release_first.wait(10)
            results[name] = project.code
        except Exception as error:  # pragma: no cover - reported below
            failures.append(error)
        finally:
            connections.close_all()

    holder = threading.Thread(target=create, args=("first", True))
    holder.start()
    assert first_inserted.wait(10)
    # The second creation reads the same highest code, then waits on the unique index.
    second = threading.Thread(target=create, args=("second", False))
    second.start()
    time.sleep(0.5)
    release_first.set()
    holder.join(10)
    second.join(10)
    assert failures == []
    assert results == {"first": f"DA-{today.year}-00001", "second": f"DA-{today.year}-00002"}


# --- bulk reassignment ----------------------------------------------------------------------


def test_bulk_reassign_changes_each_project_with_audit(world, coordinator_user):
    a = staged_project(world, S.LEAD)
    b = project_in(world["district_b"], stage=S.SIGNED, signed_amount=Decimal("1"))
    officer = world["others"]["loc_commune_a"]
    leader = world["users"][Role.LEADER]
    count = services.bulk_reassign(
        actor=coordinator_user,
        project_ids=[a.pk, b.pk, a.pk],
        officer=officer,
        leader=leader,
        task_force=TaskForce.CONSTRUCTION,
    )
    assert count == 2
    for project in (a, b):
        project.refresh_from_db()
        assert (project.officer, project.leader, project.task_force, project.version) == (
            officer,
            leader,
            TaskForce.CONSTRUCTION,
            2,
        )
        updates = [e for e in entries_for(project) if e.action == LogEntry.Action.UPDATE]
        assert [(e.actor, sorted(e.changes_dict)) for e in updates] == [
            (coordinator_user, ["leader", "officer", "task_force", "version"])
        ]


def test_bulk_reassign_skips_projects_already_assigned(world, coordinator_user):
    officer = world["others"]["loc_commune_a"]
    a = project_in(world["district_a"], officer=officer)
    b = project_in(world["district_a"])
    assert (
        services.bulk_reassign(actor=coordinator_user, project_ids=[a.pk, b.pk], officer=officer)
        == 1
    )
    a.refresh_from_db()
    assert a.version == 1


def test_bulk_reassign_out_of_scope_project_is_404_and_writes_nothing(world, officer_a):
    a = staged_project(world, S.LEAD)
    b = project_in(world["district_b"])
    with pytest.raises(Http404):
        services.bulk_reassign(
            actor=officer_a, project_ids=[a.pk, b.pk], task_force=TaskForce.CONSTRUCTION
        )
    assert sorted(Project.objects.values_list("task_force", flat=True)) == [
        TaskForce.PROMOTION,
        TaskForce.PROMOTION,
    ]


def test_bulk_reassign_read_only_role_is_403(world):
    a = staged_project(world, S.LEAD)
    with pytest.raises(PermissionDenied):
        services.bulk_reassign(
            actor=world["users"][Role.LEADER],
            project_ids=[a.pk],
            task_force=TaskForce.CONSTRUCTION,
        )


def test_bulk_reassign_losing_scope_rolls_back_every_project(world, officer_a):
    # loc_a follows a project in district B; handing it to someone else would put it out of
    # their reach, so the whole call is refused and the district A project is untouched too.
    mine = staged_project(world, S.LEAD)
    followed = project_in(world["district_b"], officer=officer_a)
    colleague = world["others"]["loc_commune_a"]
    with pytest.raises(PermissionDenied):
        services.bulk_reassign(
            actor=officer_a, project_ids=[mine.pk, followed.pk], officer=colleague
        )
    mine.refresh_from_db()
    followed.refresh_from_db()
    assert (mine.officer, mine.version, followed.officer, followed.version) == (
        None,
        1,
        officer_a,
        1,
    )
    assert [e.action for e in entries_for(mine)] == [LogEntry.Action.CREATE]


def test_bulk_reassign_validates_people_and_task_force(world, officer_a):
    a = staged_project(world, S.LEAD)
    inactive = user_with_role(Role.LOCALITY, locality=world["district_a"], is_active=False)
    with pytest.raises(ValidationError) as caught:
        services.bulk_reassign(
            actor=officer_a,
            project_ids=[a.pk],
            officer=inactive,
            leader=world["others"]["loc_b"],
            task_force="party",
        )
    assert messages(caught.value) == {
        "officer": ["Choose an active officer you can see."],
        "leader": ["The leader in charge must be an active city leader."],
        "task_force": ["Unknown task force."],
    }
    with pytest.raises(ValidationError) as caught:
        services.bulk_reassign(
            actor=officer_a, project_ids=[a.pk], officer=world["others"]["loc_b"]
        )
    assert messages(caught.value) == {"officer": ["Choose an active officer you can see."]}


def test_bulk_reassign_nothing_to_assign_refused(world, officer_a):
    a = staged_project(world, S.LEAD)
    with pytest.raises(ValidationError) as caught:
        services.bulk_reassign(actor=officer_a, project_ids=[a.pk])
    assert caught.value.messages == [
        "Choose an officer, a leader in charge or a task force to assign."
    ]


def test_record_activity_sets_timestamp_without_version(world):
    project = staged_project(world, S.LEAD)
    when = timezone.now() - datetime.timedelta(hours=2)
    services.record_activity(project=project, when=when)
    project.refresh_from_db()
    assert (project.last_activity_at, project.version) == (when, 1)


def test_services_restore_the_surrounding_audit_actor(world, officer_a, today):
    from vanco.core.audit import acting_as_system

    project = staged_project(world, S.LEAD)
    later = staged_project(world, S.LEAD)
    with acting_as_system() as system:
        services.transition_project(
            actor=officer_a, project=project, to_stage=S.NEGOTIATING, effective_date=today
        )
        later.notes = "Ghi chú"
        later.save()
    assert [e.actor for e in entries_for(project) if e.action == LogEntry.Action.UPDATE] == [
        officer_a
    ]
    assert [e.actor for e in entries_for(later) if e.action == LogEntry.Action.UPDATE] == [system]
