"""Every state change of a project: creation, stage transitions, reassignment, attachments.

Each function takes keyword arguments, runs in one transaction, checks who may act (out of
scope: Http404; visible but not theirs to change or a missing action: PermissionDenied), writes
its business event, re-checks the scope after the write and leaves an audit trail with the actor.
"""

import datetime
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import FileResponse, Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from vanco.accounts.enums import Role
from vanco.core import uploads as files
from vanco.core.access import assert_still_editable, can
from vanco.core.audit import acting_as
from vanco.core.services import StaleEditError
from vanco.projects.codes import save_with_new_code
from vanco.projects.enums import PIPELINE, Stage, TaskForce
from vanco.projects.models import Attachment, Project, ProjectStageChange

#: Stages a new project may start at.
INITIAL_STAGES = (Stage.LEAD, Stage.NEGOTIATING)

#: The date field each pipeline stage sets when a project enters it.
STAGE_DATE_FIELD = {
    Stage.SIGNED: "signing_date",
    Stage.APPROVED: "approval_date",
    Stage.UNDER_CONSTRUCTION: "start_date",
    Stage.COMPLETED: "completion_date",
    Stage.IN_OPERATION: "operation_date",
}

#: Order in which `allowed_transitions` lists targets (the UI's buttons).
STAGE_ORDER = (*PIPELINE, Stage.PAUSED, Stage.DROPPED)

FORWARD = "forward"
BACKWARD = "backward"

_ASSIGNABLE_FIELDS = ("officer", "leader", "task_force")


# --- helpers --------------------------------------------------------------------------------


def _load_for_edit(actor, model, pk, *, lock: bool = True):
    """The row if the actor may change it: 404 when they cannot see it, 403 when they can see
    it but not change it."""
    if not model.objects.visible_to(actor).filter(pk=pk).exists():
        raise Http404(model._meta.object_name)
    qs = model.objects.editable_by(actor).filter(pk=pk)
    if lock:
        qs = qs.select_for_update(of=("self",))
    obj = qs.first()
    if obj is None:
        raise PermissionDenied("not editable")
    return obj


def _stage_label(stage: str) -> str:
    return str(Stage(stage).label)


def _index(stage: str) -> int:
    return PIPELINE.index(stage)


def _is_leader(user) -> bool:
    return user.role_assignments.filter(role=Role.LEADER).exists()


def _check_people(actor, *, officer=None, leader=None) -> dict:
    errors = {}
    if officer is not None:
        visible = (
            get_user_model()
            .objects.visible_to(actor)
            .filter(pk=officer.pk, is_active=True)
            .exists()
        )
        if not visible:
            errors["officer"] = ValidationError(
                _("Choose an active officer you can see."), code="invalid_officer"
            )
    if leader is not None and not (leader.is_active and _is_leader(leader)):
        errors["leader"] = ValidationError(
            _("The leader in charge must be an active city leader."), code="invalid_leader"
        )
    return errors


def record_activity(*, project: Project, when: datetime.datetime | None = None) -> None:
    """Note that something happened on the project (a report, a stage change, an attachment).

    `last_activity_at` is derived bookkeeping like `updated_at`: written with a plain UPDATE,
    without a version bump or an audit entry."""
    when = when or timezone.now()
    Project.objects.filter(pk=project.pk).update(last_activity_at=when)
    project.last_activity_at = when


# --- creation -------------------------------------------------------------------------------


def create_project(*, actor, data: dict) -> Project:
    """Register a new project from a form's cleaned data; it starts as a lead or a negotiation.

    `data` holds Project fields (foreign keys as objects or `<name>_id`), optionally `tags`
    (a list or queryset of Tag) and `initial_stage` (lead or negotiating; `stage` is read the
    same way). Returns the saved project with its generated code.
    """
    if not can(actor, "projects.manage"):
        raise PermissionDenied("projects.manage")
    data = dict(data)
    tags = data.pop("tags", None)
    stage = data.pop("initial_stage", None) or data.pop("stage", None) or Stage.LEAD
    data.pop("stage", None)
    if stage not in INITIAL_STAGES:
        raise ValidationError(
            {
                "initial_stage": ValidationError(
                    _("A new project starts as a lead or in negotiation."),
                    code="invalid_initial_stage",
                )
            }
        )
    editable = {
        f.name: f for f in Project._meta.concrete_fields if f.editable and not f.primary_key
    }
    project = Project(stage=stage)
    for key, value in data.items():
        if key in editable or (key.endswith("_id") and key[:-3] in editable):
            setattr(project, key, value)
    errors = _check_people(actor, officer=project.officer, leader=project.leader)
    try:
        project.full_clean(
            exclude=[f.name for f in Project._meta.concrete_fields if not f.editable],
            validate_unique=False,
        )
    except ValidationError as error:
        for field, messages in error.message_dict.items():
            errors.setdefault(field, messages)
    if errors:
        raise ValidationError(errors)
    now = timezone.now()
    project.last_activity_at = now
    project.version = 1
    with transaction.atomic(), acting_as(actor):
        save_with_new_code(project, year=timezone.localdate().year)
        if tags is not None:
            project.tags.set(tags)
        assert_still_editable(project, actor)
    return project


# --- stage transitions ----------------------------------------------------------------------


def classify_move(from_stage: str, to_stage: str, paused_from: str = "") -> str | None:
    """FORWARD, BACKWARD or None (never allowed) for a move, whoever makes it."""
    if from_stage == to_stage:
        return None
    if from_stage in PIPELINE:
        if to_stage in PIPELINE:
            return FORWARD if _index(to_stage) > _index(from_stage) else BACKWARD
        if to_stage in (Stage.PAUSED, Stage.DROPPED):
            return FORWARD if from_stage != Stage.IN_OPERATION else None
        return None
    if from_stage == Stage.PAUSED:
        if to_stage == Stage.DROPPED:
            return FORWARD
        if to_stage not in PIPELINE:
            return None
        if paused_from in PIPELINE:
            if to_stage == paused_from:
                return FORWARD  # resume
            return BACKWARD if _index(to_stage) < _index(paused_from) else None
        # Paused without a recorded origin (old data): only a coordinator decides where to.
        return BACKWARD if to_stage != Stage.IN_OPERATION else None
    if from_stage == Stage.DROPPED:
        if to_stage in PIPELINE and to_stage != Stage.IN_OPERATION:
            return BACKWARD
        return None
    return None


def allowed_transitions(*, actor, project: Project) -> list[str]:
    """The stages this actor may move the project to now (data requirements aside)."""
    if not Project.objects.editable_by(actor).filter(pk=project.pk).exists():
        return []
    backwards = can(actor, "projects.move_backwards")
    result = []
    for stage in STAGE_ORDER:
        kind = classify_move(project.stage, stage, project.paused_from)
        if kind == FORWARD or (kind == BACKWARD and backwards):
            result.append(stage.value)
    return result


def _previous_date(project: Project) -> datetime.date | None:
    dates = []
    last = project.stage_changes.order_by("-effective_date").values_list(
        "effective_date", flat=True
    )[:1]
    dates.extend(last)
    own = STAGE_DATE_FIELD.get(project.stage)
    if own and getattr(project, own):
        dates.append(getattr(project, own))
    return max(dates) if dates else None


def transition_project(
    *,
    actor,
    project: Project,
    to_stage: str,
    effective_date: datetime.date,
    reason: str = "",
    evidence: Attachment | None = None,
    evidence_file=None,
    signed_amount: Decimal | None = None,
    expected_version: int | None = None,
) -> ProjectStageChange:
    """Move a project to another stage, with the date it happened; returns the recorded change.

    The evidence is an attachment of the project, or a new file (`evidence_file`) attached in
    the same transaction — refused together with the move, its file removed. The passed
    `project` is refreshed from the database afterwards.
    """
    reason = (reason or "").strip()
    if evidence_file is not None:
        files.check_upload(evidence_file, field="evidence")
    stored: list[Attachment] = []
    try:
        change = _transition(
            actor=actor,
            project=project,
            to_stage=to_stage,
            effective_date=effective_date,
            reason=reason,
            evidence=evidence,
            evidence_file=evidence_file,
            signed_amount=signed_amount,
            expected_version=expected_version,
            stored=stored,
        )
    except BaseException:
        for attachment in stored:
            attachment.file.storage.delete(attachment.file.name)
        raise
    project.refresh_from_db()
    return change


def _transition(
    *,
    actor,
    project,
    to_stage,
    effective_date,
    reason,
    evidence,
    evidence_file,
    signed_amount,
    expected_version,
    stored,
) -> ProjectStageChange:
    with transaction.atomic(), acting_as(actor):
        current = _load_for_edit(actor, Project, project.pk)
        if expected_version is not None and current.version != expected_version:
            raise StaleEditError()
        if to_stage not in Stage.values:
            raise ValidationError(
                {"to_stage": ValidationError(_("Unknown stage."), code="unknown_stage")}
            )
        from_stage = current.stage
        if to_stage == from_stage:
            raise ValidationError(
                {
                    "to_stage": ValidationError(
                        _("The project is already at this stage."), code="same_stage"
                    )
                }
            )
        kind = classify_move(from_stage, to_stage, current.paused_from)
        if kind is None:
            raise ValidationError(
                {
                    "to_stage": ValidationError(
                        _("A project cannot move from “%(from)s” to “%(to)s”."),
                        code="transition_not_allowed",
                        params={"from": _stage_label(from_stage), "to": _stage_label(to_stage)},
                    )
                }
            )
        if kind == BACKWARD and not can(actor, "projects.move_backwards"):
            raise PermissionDenied("projects.move_backwards")

        errors: dict[str, ValidationError] = {}
        if kind == BACKWARD and not reason:
            errors["reason"] = ValidationError(
                _("Say why the project moves back: a reason is required."), code="reason_required"
            )
        today = timezone.localdate()
        previous = _previous_date(current)
        if effective_date is None:
            errors["effective_date"] = ValidationError(
                _("Give the date of the change."), code="required"
            )
        elif effective_date > today:
            errors["effective_date"] = ValidationError(
                _("The date cannot be in the future."), code="future_date"
            )
        elif previous is not None and effective_date < previous:
            errors["effective_date"] = ValidationError(
                _("The date cannot be before the previous stage change (%(date)s)."),
                code="before_previous",
                params={"date": previous.isoformat()},
            )
        needs_amount = to_stage in PIPELINE and _index(to_stage) >= _index(Stage.SIGNED)
        if needs_amount:
            amount = signed_amount if signed_amount is not None else current.signed_amount
            if amount is None:
                errors["signed_amount"] = ValidationError(
                    _("A signed project needs the signed amount."), code="signed_amount_required"
                )
            elif amount <= 0:
                errors["signed_amount"] = ValidationError(
                    _("The signed amount must be greater than zero."),
                    code="signed_amount_not_positive",
                )
            else:
                current.signed_amount = amount
        if evidence is not None and evidence.project_id != current.pk:
            errors["evidence"] = ValidationError(
                _("The evidence must be a file attached to this project."), code="foreign_evidence"
            )
        if errors:
            raise ValidationError(errors)
        if evidence_file is not None:
            evidence = add_attachment(
                actor=actor,
                project=current,
                uploaded_file=evidence_file,
                description=str(_("Evidence: %(stage)s") % {"stage": _stage_label(to_stage)}),
            )
            stored.append(evidence)

        _apply_stage(current, from_stage, to_stage, kind, effective_date)
        now = timezone.now()
        current.stage_changed_at = now
        current.last_activity_at = now
        current.version += 1
        current.save()
        change = ProjectStageChange.objects.create(
            project=current,
            from_stage=from_stage,
            to_stage=to_stage,
            effective_date=effective_date,
            actor=actor,
            reason=reason,
            is_backwards=kind == BACKWARD,
            evidence=evidence,
        )
        assert_still_editable(current, actor)
    return change


def _apply_stage(project: Project, from_stage, to_stage, kind, effective_date) -> None:
    if to_stage == Stage.PAUSED:
        project.paused_from = from_stage
    elif to_stage == Stage.DROPPED:
        project.paused_from = ""
    else:
        resuming = from_stage == Stage.PAUSED and kind == FORWARD
        project.paused_from = ""
        date_field = STAGE_DATE_FIELD.get(to_stage)
        if kind == BACKWARD:
            # What came after the target did not happen (yet): forget those dates.
            for later in PIPELINE[_index(to_stage) + 1 :]:
                if later in STAGE_DATE_FIELD:
                    setattr(project, STAGE_DATE_FIELD[later], None)
            if date_field and getattr(project, date_field) is None:
                setattr(project, date_field, effective_date)
        elif date_field and not (resuming and getattr(project, date_field)):
            setattr(project, date_field, effective_date)
    project.stage = to_stage


# --- reassignment ---------------------------------------------------------------------------


def bulk_reassign(
    *,
    actor,
    project_ids: list[int],
    officer=None,
    leader=None,
    task_force: str | None = None,
) -> int:
    """Give many projects a new officer, leader and/or task force; all of them or none.

    Every project is checked on its own: one the actor cannot see makes the call 404, one they
    can see but not change makes it 403; nothing is written then. Each changed project is saved
    (version bumped, audited). Returns how many projects changed.
    """
    if officer is None and leader is None and not task_force:
        raise ValidationError(
            _("Choose an officer, a leader in charge or a task force to assign."),
            code="nothing_to_assign",
        )
    errors = _check_people(actor, officer=officer, leader=leader)
    if task_force and task_force not in TaskForce.values:
        errors["task_force"] = ValidationError(_("Unknown task force."), code="invalid_task_force")
    if errors:
        raise ValidationError(errors)
    ids = sorted({int(pk) for pk in project_ids})
    changes = {"officer": officer, "leader": leader, "task_force": task_force or None}
    changed = 0
    with transaction.atomic(), acting_as(actor):
        visible = set(
            Project.objects.visible_to(actor).filter(pk__in=ids).values_list("pk", flat=True)
        )
        if len(visible) != len(ids):
            raise Http404("Project")
        projects = list(
            Project.objects.editable_by(actor)
            .filter(pk__in=ids)
            .select_for_update(of=("self",))
            .order_by("pk")
        )
        if len(projects) != len(ids):
            raise PermissionDenied("not editable")
        for project in projects:
            fields = []
            for name, value in changes.items():
                if value is None:
                    continue
                current = getattr(project, f"{name}_id" if name != "task_force" else name)
                new = value.pk if name != "task_force" else value
                if current != new:
                    setattr(project, name, value)
                    fields.append(name)
            if not fields:
                continue
            project.version += 1
            project.save(update_fields=[*fields, "version", "updated_at"])
            changed += 1
        for project in projects:
            assert_still_editable(project, actor)
    return changed


# --- attachments ----------------------------------------------------------------------------


def add_attachment(
    *, actor, project: Project, uploaded_file, description: str = "", report=None
) -> Attachment:
    """Attach a checked file to a project (and optionally one of its progress reports)."""
    # Scope first: someone who may not touch the project learns nothing about their file.
    _load_for_edit(actor, Project, project.pk, lock=False)
    checked = files.check_upload(uploaded_file)
    if report is not None and report.project_id != project.pk:
        raise ValidationError(
            {
                "report": ValidationError(
                    _("The report must belong to this project."), code="foreign_report"
                )
            }
        )
    attachment = None
    try:
        with transaction.atomic(), acting_as(actor):
            current = _load_for_edit(actor, Project, project.pk, lock=False)
            attachment = Attachment(
                project=current,
                report=report,
                original_name=checked.name,
                content_type=checked.content_type,
                size=checked.size,
                description=(description or "").strip()[:255],
                uploaded_by=actor,
            )
            attachment.file.save(checked.name, uploaded_file, save=False)
            attachment.save()
            assert_still_editable(attachment, actor)
            record_activity(project=current)
    except BaseException:
        # The database forgot the row; do not keep its file either.
        if attachment is not None and attachment.file.name:
            attachment.file.storage.delete(attachment.file.name)
        raise
    return attachment


def attachment_response(*, actor, attachment: Attachment | int) -> FileResponse:
    """The download of an attachment the actor may see (404 otherwise)."""
    pk = attachment.pk if isinstance(attachment, Attachment) else attachment
    visible = Attachment.objects.visible_to(actor).filter(pk=pk).first()
    if visible is None:
        raise Http404("Attachment")
    return files.download_response(visible)
