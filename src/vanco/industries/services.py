"""Every state change of chain-based promotion: prospects (target investors at the gaps of a
chain), their outreach activities, declining them and turning them into `lead` projects.

Each function takes keyword arguments, runs in one transaction, checks who may act (out of
scope: Http404; a missing action or a row not theirs to change: PermissionDenied; wrong state or
bad input: ValidationError), refuses a stale version, re-checks the scope after the write and
leaves an audit trail with the actor. The outreach activities are the prospect's business
events; the conversion's is the new project itself (its lead source says where it came from).
"""

import datetime
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from vanco.core import access
from vanco.core.access import assert_still_editable
from vanco.core.audit import acting_as
from vanco.core.identifiers import normalise_enterprise_key
from vanco.core.services import StaleEditError
from vanco.enterprises.enums import EnterpriseStatus, Ownership
from vanco.enterprises.models import Enterprise
from vanco.industries.enums import OPEN_PROSPECT_STATUSES, ProspectStatus
from vanco.industries.models import ChainNode, OutreachActivity, Prospect
from vanco.projects.enums import LeadSource, Stage
from vanco.projects.services import create_project

ACTION = "prospects.manage"

#: The statuses a person may set by editing a prospect; converted and declined have their step.
EDITABLE_STATUSES = tuple(status for status in ProspectStatus if status in OPEN_PROSPECT_STATUSES)

_PROSPECT_FIELDS = (
    "industry",
    "node",
    "company_name",
    "country",
    "tax_code",
    "contact_name",
    "contact_phone",
    "contact_email",
    "estimated_investment",
    "status",
    "owner",
    "notes",
)


def _load(actor, prospect: Prospect | int, *, lock: bool = True) -> Prospect:
    """The prospect if the actor may change it: 404 out of scope, 403 without the action."""
    pk = prospect.pk if isinstance(prospect, Prospect) else prospect
    if not Prospect.objects.visible_to(actor).filter(pk=pk).exists():
        raise Http404("Prospect")
    access.require(actor, ACTION)
    qs = Prospect.objects.editable_by(actor).filter(pk=pk)
    if lock:
        qs = qs.select_for_update(of=("self",))
    current = qs.first()
    if current is None:
        raise PermissionDenied(ACTION)
    return current


def _check_version(prospect: Prospect, expected_version) -> None:
    if expected_version is None or int(expected_version) != prospect.version:
        raise StaleEditError()


def _require_open(prospect: Prospect) -> None:
    if not prospect.is_open:
        raise ValidationError(
            _("This prospect is %(status)s: it cannot change any more.")
            % {"status": ProspectStatus(prospect.status).label.lower()},
            code="wrong_status",
        )


def _check_node(actor, prospect: Prospect) -> None:
    node_ok = (
        ChainNode.objects.visible_to(actor)
        .filter(pk=prospect.node_id, industry_id=prospect.industry_id, is_active=True)
        .exists()
    )
    if not node_ok:
        raise ValidationError(
            {"node": _("Choose an active node of the prospect's leading industry.")},
            code="invalid_node",
        )


def _save(prospect: Prospect, actor) -> Prospect:
    prospect.full_clean(exclude=["project", "converted_at", "last_contact_on"])
    prospect.save()
    assert_still_editable(prospect, actor)
    return prospect


def create_prospect(*, actor, data: dict) -> Prospect:
    """A new target investor from a form's cleaned data (Prospect fields by name)."""
    access.require(actor, ACTION)
    prospect = Prospect(version=1)
    for name in _PROSPECT_FIELDS:
        if name in data:
            setattr(prospect, name, data[name])
    if prospect.status not in EDITABLE_STATUSES:
        raise ValidationError({"status": _("A new prospect cannot start converted or declined.")})
    _check_node(actor, prospect)
    with transaction.atomic(), acting_as(actor):
        return _save(prospect, actor)


def update_prospect(*, actor, prospect: Prospect | int, data: dict, expected_version) -> Prospect:
    """Edit an open prospect (its status among the open ones; convert and decline are steps)."""
    with transaction.atomic(), acting_as(actor):
        current = _load(actor, prospect)
        _check_version(current, expected_version)
        _require_open(current)
        for name in _PROSPECT_FIELDS:
            if name in data:
                setattr(current, name, data[name])
        if current.status not in EDITABLE_STATUSES:
            raise ValidationError({"status": _("Use the convert or decline step for that status.")})
        _check_node(actor, current)
        current.version += 1
        return _save(current, actor)


def log_outreach(
    *,
    actor,
    prospect: Prospect | int,
    occurred_on: datetime.date,
    channel: str,
    outcome: str,
    officials=(),
    participants: str = "",
    next_step: str = "",
) -> OutreachActivity:
    """Record a contact with the prospect; a merely identified prospect becomes contacted."""
    outcome = (outcome or "").strip()
    if not outcome:
        raise ValidationError({"outcome": _("Say what came out of the contact.")})
    if occurred_on > timezone.localdate():
        raise ValidationError({"occurred_on": _("The date cannot be in the future.")})
    with transaction.atomic(), acting_as(actor):
        current = _load(actor, prospect)
        _require_open(current)
        activity = OutreachActivity(
            prospect=current,
            occurred_on=occurred_on,
            channel=channel,
            participants=participants,
            outcome=outcome,
            next_step=next_step,
            recorded_by=actor,
            version=1,
        )
        activity.full_clean(exclude=["prospect", "recorded_by"])
        activity.save()
        if officials:
            activity.officials.set(officials)
        changed = []
        if current.status == ProspectStatus.IDENTIFIED:
            current.status = ProspectStatus.CONTACTED
            changed.append("status")
        if current.last_contact_on is None or occurred_on > current.last_contact_on:
            current.last_contact_on = occurred_on
            changed.append("last_contact_on")
        if changed:
            current.version += 1
            current.save(update_fields=[*changed, "version", "updated_at"])
        assert_still_editable(activity, actor)
    return activity


def decline_prospect(*, actor, prospect: Prospect | int, reason: str, expected_version) -> Prospect:
    """The investor is not coming (or not for now): the prospect leaves the open ones."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the prospect declined.")})
    with transaction.atomic(), acting_as(actor):
        current = _load(actor, prospect)
        _check_version(current, expected_version)
        _require_open(current)
        stamp = timezone.localdate().isoformat()
        note = _("Declined on %(date)s: %(reason)s") % {"date": stamp, "reason": reason}
        current.notes = f"{current.notes}\n{note}".strip()
        current.status = ProspectStatus.DECLINED
        current.version += 1
        current.save(update_fields=["notes", "status", "version", "updated_at"])
        assert_still_editable(current, actor)
    return current


def _enterprise_for(actor, prospect: Prospect, *, tax_code: str, locality) -> Enterprise:
    """The investor of the new project: the enterprise with this tax code, or a new one."""
    key = normalise_enterprise_key(tax_code or prospect.tax_code or "")
    if not key:
        raise ValidationError(
            {"tax_code": _("Give the investor's tax or registration code to register it.")}
        )
    # Tax codes are unique across the city. A company registered outside the actor's area is
    # not theirs to attach (nor to learn about): the coordinator converts such a prospect.
    found = Enterprise.objects.filter(tax_code=key).first()
    if found is not None:
        if not Enterprise.objects.visible_to(actor).filter(pk=found.pk).exists():
            raise ValidationError(
                {
                    "tax_code": _(
                        "This code belongs to an enterprise outside your area; ask the "
                        "coordinating office to convert this prospect."
                    )
                }
            )
        return found
    if not access.can(actor, "enterprises.manage"):
        raise PermissionDenied("enterprises.manage")
    country = (prospect.country or "VN").upper()
    enterprise = Enterprise(
        name=prospect.company_name,
        tax_code=key,
        locality=locality,
        industry=prospect.industry,
        status=EnterpriseStatus.PROSPECT,
        ownership=Ownership.DOMESTIC if country == "VN" else Ownership.FOREIGN,
        country=country,
        notes=prospect.notes,
        version=1,
    )
    try:
        enterprise.full_clean()
    except ValidationError as error:
        fields = error.message_dict
        raise ValidationError(
            {
                "tax_code" if name in ("tax_code", "__all__") else name: m
                for name, m in fields.items()
            }
        ) from None
    enterprise.save()
    enterprise.chain_nodes.add(prospect.node_id)
    assert_still_editable(enterprise, actor)
    return enterprise


def convert_prospect_to_lead(
    *,
    actor,
    prospect: Prospect | int,
    locality,
    expected_version,
    tax_code: str = "",
    project_name: str = "",
    planned_investment: Decimal | None = None,
    officer=None,
    leader=None,
):
    """Turn the prospect into a `lead` project in one transaction: find (by tax code) or
    register its enterprise, create the project on the prospect's industry and node in
    `locality`, mark the prospect converted and link it. A prospect converts once."""
    access.require(actor, ACTION)
    access.require(actor, "projects.manage")
    with transaction.atomic(), acting_as(actor):
        current = _load(actor, prospect)
        _check_version(current, expected_version)
        if current.status == ProspectStatus.CONVERTED:
            raise ValidationError(
                _("This prospect has already become project %(project)s.")
                % {"project": current.project},
                code="already_converted",
            )
        _require_open(current)
        investor = _enterprise_for(actor, current, tax_code=tax_code, locality=locality)
        amount = planned_investment
        if amount is None:
            amount = current.estimated_investment or Decimal("0")
        project = create_project(
            actor=actor,
            data={
                "name": (project_name or "").strip() or current.company_name,
                "investor": investor,
                "industry": current.industry,
                "chain_node": current.node,
                "locality": locality,
                "planned_investment": amount,
                "lead_source": LeadSource.CHAIN_PROMOTION,
                "officer": officer,
                "leader": leader,
                "notes": current.notes,
                "initial_stage": Stage.LEAD,
            },
        )
        current.project = project
        current.status = ProspectStatus.CONVERTED
        current.converted_at = timezone.now()
        if tax_code and not current.tax_code:
            current.tax_code = investor.tax_code
        current.version += 1
        current.save(
            update_fields=[
                "project",
                "status",
                "converted_at",
                "tax_code",
                "version",
                "updated_at",
            ]
        )
        assert_still_editable(current, actor)
    return current
