"""Officials paired with enterprises, and their visits ("thousand cadres into thousand
enterprises"): every change is a function here; reads of coverage start at the user's scope."""

import datetime

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.db.models.functions import Substr
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from vanco.accounts.enums import Role
from vanco.core import access, figures
from vanco.core.audit import acting_as
from vanco.core.services import StaleEditError
from vanco.core.tree import PATH_DIGITS
from vanco.enterprises.enums import EnterpriseStatus
from vanco.enterprises.models import Enterprise, Pairing, Visit

#: Roles that may be paired with an enterprise: every official, never an enterprise user.
OFFICIAL_ROLES = frozenset(set(Role.values) - {Role.ENTERPRISE, Role.AUDITOR})


def _check_editable_enterprise(actor, enterprise: Enterprise) -> Enterprise:
    enterprise = access.visible_or_404(Enterprise, actor, enterprise.pk)
    access.require(actor, "pairings.manage")
    if not Enterprise.objects.editable_by(actor).filter(pk=enterprise.pk).exists():
        raise PermissionDenied("pairings.manage")
    return enterprise


# --- pairings -------------------------------------------------------------------------------


def create_pairing(
    *,
    actor,
    official,
    enterprise: Enterprise,
    starts_on: datetime.date,
    frequency: str,
    note: str = "",
) -> Pairing:
    """Pair an official with an enterprise the actor manages."""
    with transaction.atomic(), acting_as(actor):
        enterprise = _check_editable_enterprise(actor, enterprise)
        if not officials_for_pairing(actor).filter(pk=official.pk).exists():
            raise ValidationError(
                {"official": _("Choose an active official (not an enterprise account).")},
                code="not_official",
            )
        pairing = Pairing(
            official=official,
            enterprise=enterprise,
            starts_on=starts_on,
            frequency=frequency,
            note=(note or "").strip(),
        )
        pairing.next_visit_due = pairing.compute_next_visit_due()
        pairing.full_clean(exclude=["next_visit_due"], validate_constraints=False)
        try:
            with transaction.atomic():
                pairing.save()
        except IntegrityError:
            raise ValidationError(
                {"official": _("This official is already paired with this enterprise.")},
                code="already_paired",
            ) from None
        access.assert_still_editable(pairing, actor)
    return pairing


def update_pairing(
    *, actor, pairing: Pairing, frequency: str, note: str = "", expected_version=None
) -> Pairing:
    with transaction.atomic(), acting_as(actor):
        current = _editable_pairing(actor, pairing)
        if expected_version is not None and int(expected_version) != current.version:
            raise StaleEditError()
        current.frequency = frequency
        current.note = (note or "").strip()
        current.next_visit_due = current.compute_next_visit_due()
        current.version += 1
        current.full_clean(exclude=["next_visit_due"], validate_constraints=False)
        current.save(update_fields=["frequency", "note", "next_visit_due", "version", "updated_at"])
    return current


def end_pairing(
    *, actor, pairing: Pairing, ends_on: datetime.date | None = None, expected_version=None
) -> Pairing:
    """Close a pairing (the official moves on); its visits stay."""
    with transaction.atomic(), acting_as(actor):
        current = _editable_pairing(actor, pairing)
        if expected_version is not None and int(expected_version) != current.version:
            raise StaleEditError()
        if current.ends_on is not None:
            raise ValidationError(_("This pairing has already ended."), code="already_ended")
        ends_on = ends_on or timezone.localdate()
        if ends_on < current.starts_on:
            raise ValidationError(
                {"ends_on": _("The end date cannot be before the start date.")},
                code="ends_before_start",
            )
        current.ends_on = ends_on
        current.version += 1
        current.save(update_fields=["ends_on", "version", "updated_at"])
    return current


def _editable_pairing(actor, pairing: Pairing) -> Pairing:
    visible = Pairing.objects.visible_to(actor).filter(pk=pairing.pk)
    if not visible.exists():
        raise Http404("Pairing")
    access.require(actor, "pairings.manage")
    current = (
        Pairing.objects.editable_by(actor)
        .select_for_update(of=("self",))
        .filter(pk=pairing.pk)
        .first()
    )
    if current is None:
        raise PermissionDenied("pairings.manage")
    return current


#: A visit-due reminder goes out this many days before the visit falls due.
VISIT_DUE_NOTICE_DAYS = 3


def behind_q(today: datetime.date) -> Q:
    """Open pairings whose next visit is past due."""
    return Q(ends_on__isnull=True, next_visit_due__lt=today)


# --- visits ---------------------------------------------------------------------------------


def log_visit(*, actor, data: dict, officials=(), demands=()) -> tuple[Visit, list]:
    """Record a visit and turn each demand into an obstacle in the same transaction.

    `data`: enterprise, visited_on, form, people_met, summary, demands (text). `officials`:
    the officials present (the recorder is always one of them). `demands`: cleaned obstacle
    data (title, description, category, severity) for the demands that become obstacles."""
    from vanco.obstacles.services import raise_obstacle

    access.require(actor, "visits.log")
    enterprise = access.visible_or_404(Enterprise, actor, data["enterprise"].pk)
    others = {official.pk for official in officials} - {actor.pk}
    if others and officials_for_pairing(actor).filter(pk__in=others).count() != len(others):
        raise ValidationError(
            {"officials": _("Choose officials from the list.")}, code="unknown_official"
        )
    visited_on = data["visited_on"]
    if visited_on > timezone.localdate():
        raise ValidationError(
            {"visited_on": _("The visit date cannot be in the future.")}, code="future_visit"
        )
    present = {official.pk: official for official in officials}
    present[actor.pk] = actor
    with transaction.atomic(), acting_as(actor):
        pairing = (
            Pairing.objects.filter(
                enterprise=enterprise, official_id__in=list(present), ends_on__isnull=True
            )
            .order_by("pk")
            .first()
        )
        visit = Visit(
            enterprise=enterprise,
            pairing=pairing,
            visited_on=visited_on,
            form=data["form"],
            people_met=(data.get("people_met") or "").strip(),
            summary=data["summary"].strip(),
            demands=(data.get("demands") or "").strip(),
            recorded_by=actor,
        )
        visit.full_clean(exclude=["recorded_by", "pairing"])
        visit.save()
        visit.officials.set(list(present.values()))
        _record_visit_on_pairings(enterprise, list(present), visited_on)
        obstacles = [
            raise_obstacle(actor=actor, data={**demand, "enterprise": enterprise}, visit=visit)
            for demand in demands
        ]
        # Seeing an enterprise is not enough to log a visit there (a department officer sees
        # the enterprises of its obstacles): the visit must be the actor's to edit.
        access.assert_still_editable(visit, actor)
    return visit, obstacles


def _record_visit_on_pairings(enterprise: Enterprise, official_ids, visited_on) -> None:
    """The open pairings of the officials present count the visit (derived, no version bump:
    nobody typed it)."""
    for pairing in Pairing.objects.select_for_update().filter(
        enterprise=enterprise, official_id__in=official_ids, ends_on__isnull=True
    ):
        if pairing.last_visit_on is None or visited_on > pairing.last_visit_on:
            pairing.last_visit_on = visited_on
            pairing.next_visit_due = pairing.compute_next_visit_due()
            pairing.save(update_fields=["last_visit_on", "next_visit_due", "updated_at"])


# --- coverage -------------------------------------------------------------------------------


def quarter_start(day: datetime.date) -> datetime.date:
    return datetime.date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


#: A top-level locality's path: "/<city>/<district>/" (the city root and one level under it).
_TOP_PATH_LENGTH = 1 + 2 * (PATH_DIGITS + 1)


def coverage_by_locality(user, *, today: datetime.date | None = None, localities=None):
    """See `_coverage`; kept in the cache under the user's scope and the data's version."""
    today = today or timezone.localdate()
    from vanco.org.models import Locality

    question = (
        today,
        None if localities is None else sorted(locality.pk for locality in localities),
    )
    return figures.cached(
        "coverage",
        user,
        question,
        (Enterprise, Pairing, Visit, Locality),
        lambda: _coverage(user, today=today, localities=localities),
    )


def _coverage(user, *, today: datetime.date, localities=None):
    """Per top-level locality (district, county, town or park directly under the city) the
    user sees: operating enterprises, how many are paired now, how many were visited this
    quarter, and how many have a pairing behind on visits. Enterprises of a commune count in
    its district; those directly under the city in the city's row.

    Four grouped queries, each over the rows of one kind that count (open pairings, this
    quarter's visits…) rather than one probe per enterprise, and each over rows the user may
    see: no aggregate tells more than the lists."""
    from vanco.org.models import Locality

    today = today or timezone.localdate()
    since = quarter_start(today)
    enterprises = Enterprise.objects.visible_to(user).filter(status=EnterpriseStatus.OPERATING)
    if localities is not None:
        enterprises = enterprises.filter(locality__in=localities)
    top = Substr("enterprise__locality__path", 1, _TOP_PATH_LENGTH)

    def per_top(qs):
        # Rows of enterprises outside `enterprises` (closed, out of scope) do not count.
        if not access.scope_for(user).whole_city or localities is not None:
            qs = qs.filter(enterprise__in=enterprises.values("pk"))
        counted = (
            qs.filter(enterprise__status=EnterpriseStatus.OPERATING)
            .annotate(top_path=top)
            .order_by()
            .values("top_path")
            .annotate(n=Count("enterprise", distinct=True))
        )
        return {row["top_path"]: row["n"] for row in counted}

    pairings = Pairing.objects.visible_to(user)
    paired = per_top(pairings.filter(ends_on__isnull=True))
    visited = per_top(Visit.objects.visible_to(user).filter(visited_on__gte=since))
    behind = per_top(pairings.filter(behind_q(today)))
    rows = (
        enterprises.annotate(top_path=Substr("locality__path", 1, _TOP_PATH_LENGTH))
        .order_by()
        .values("top_path")
        .annotate(enterprises=Count("pk"))
    )
    rows = [
        {
            **row,
            "paired": paired.get(row["top_path"], 0),
            "visited": visited.get(row["top_path"], 0),
            "behind": behind.get(row["top_path"], 0),
        }
        for row in rows
    ]
    by_path = {row.pop("top_path"): row for row in rows}
    names = {
        locality.path: locality for locality in Locality.objects.filter(path__in=list(by_path))
    }
    result = []
    for path in sorted(by_path, key=lambda key: str(names.get(key) or "")):
        row = by_path[path]
        total = row["enterprises"]
        result.append(
            {
                **row,
                "locality": names.get(path),
                "paired_share": round(100 * row["paired"] / total) if total else 0,
                "visited_share": round(100 * row["visited"] / total) if total else 0,
            }
        )
    return since, result


def remind_visits_due(*, today: datetime.date | None = None) -> int:
    """Daily: each open pairing's official hears that a visit falls due in
    VISIT_DUE_NOTICE_DAYS days, and once a week while it is overdue (days 1, 8, 15… late).
    One notification per pairing per day (its key); sent by e-mail too. Returns how many were
    created."""
    from vanco.notifications.models import Kind
    from vanco.notifications.services import notify

    today = today or timezone.localdate()
    soon = today + datetime.timedelta(days=VISIT_DUE_NOTICE_DAYS)
    pending = (
        Pairing.objects.filter(
            ends_on__isnull=True, next_visit_due__lte=soon, official__is_active=True
        )
        .filter(Q(next_visit_due=soon) | Q(next_visit_due__lt=today))
        .select_related("official", "enterprise")
        .order_by("next_visit_due", "pk")
    )
    sent = 0
    for pairing in pending.iterator(chunk_size=2000):
        late = (today - pairing.next_visit_due).days
        if late > 0 and (late - 1) % 7:
            continue
        notification = notify(
            user=pairing.official,
            kind=Kind.VISIT_DUE,
            params={"enterprise": pairing.enterprise.name, "frequency_code": pairing.frequency},
            url=reverse("enterprises:visit-create") + f"?enterprise={pairing.enterprise_id}",
            key=f"{Kind.VISIT_DUE}:{pairing.pk}:{today.isoformat()}",
            email=True,
        )
        sent += notification is not None
    return sent


def officials_for_pairing(user):
    """The active officials `user` may see and pair (or name among a visit's officials)."""
    officials = (
        get_user_model().objects.filter(role_assignments__role__in=OFFICIAL_ROLES).values("pk")
    )
    return (
        get_user_model()
        .objects.visible_to(user)
        .filter(is_active=True, pk__in=officials)
        .order_by("full_name", "pk")
    )
