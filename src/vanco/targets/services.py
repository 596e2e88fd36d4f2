"""Writes of targets and campaigns (publishing a ranking is `targets.ranking.publish_ranking`).

Each write checks the action (403), goes through save_versioned (optimistic locking, scope
re-check in the same transaction) and is audited by django-auditlog."""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from vanco.core import access
from vanco.core.services import save_versioned
from vanco.org.models import Locality
from vanco.targets.enums import Metric
from vanco.targets.models import Campaign, Target


def set_target(
    *,
    actor,
    year: int,
    locality: Locality,
    metric: str,
    value: Decimal,
    note: str = "",
    expected_version: int | None = None,
) -> Target:
    """Create the target of (year, locality, metric) or change it. Changing one needs the
    version it was read at (a stale edit is refused); creating one needs none."""
    access.require(actor, "targets.manage")
    locality = access.visible_or_404(Locality, actor, locality.pk)
    metric = Metric(metric).value
    with transaction.atomic():
        target = (
            Target.objects.select_for_update()
            .filter(year=year, locality=locality, metric=metric)
            .first()
        )
        if target is None:
            target = Target(year=year, locality=locality, metric=metric)
            expected_version = None
        elif expected_version is None:
            # Changing a stored target names the version it was read at (an import does too):
            # a blind write could overwrite someone else's change.
            raise ValidationError(
                _("This locality already has a target for that year and measure: edit it.")
            )
        target.value = Decimal(str(value))
        target.note = note or ""
        target.full_clean(validate_unique=False)
        return save_versioned(instance=target, expected_version=expected_version, actor=actor)


def save_campaign(*, actor, campaign: Campaign, expected_version: int | None) -> Campaign:
    access.require(actor, "targets.manage")
    campaign.full_clean()
    return save_versioned(instance=campaign, expected_version=expected_version, actor=actor)
