import datetime
import io
import itertools
from collections import Counter, defaultdict

import pytest
from auditlog.models import LogEntry
from django.core.management import call_command
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from vanco.accounts.models import User
from vanco.core.audit import SYSTEM_USERNAME
from vanco.demo.serve import SERVE_SCALES
from vanco.enterprises.enums import VISIT_INTERVAL_DAYS
from vanco.enterprises.models import Pairing, Visit
from vanco.obstacles.enums import (
    DEFAULT_TIME_LIMIT_DAYS,
    OPEN_STATUSES,
    EventKind,
    Level,
    Source,
    Status,
)
from vanco.obstacles.models import CommonProblem, Obstacle, ObstacleEvent
from vanco.obstacles.services import overdue_target_level
from vanco.projects.enums import Light
from vanco.projects.models import Project

TODAY = datetime.date(2026, 11, 15)
SMALL = SERVE_SCALES["small"]


def run_demo(**options) -> None:
    options.setdefault("today", TODAY)
    call_command("demo", stdout=io.StringIO(), **options)


class _Rollback(Exception):
    pass


def snapshot() -> list[tuple]:
    """What a seed decides of the serving data, without primary keys, in content order."""
    rows = [
        *Pairing.objects.values_list(
            "official__username",
            "enterprise__tax_code",
            "starts_on",
            "ends_on",
            "frequency",
            "last_visit_on",
            "next_visit_due",
        ),
        *Visit.objects.values_list(
            "enterprise__tax_code", "visited_on", "form", "summary", "demands", "people_met"
        ),
        *Obstacle.objects.values_list(
            "title",
            "description",
            "status",
            "category",
            "source",
            "raised_at",
            "due_on",
            "lead_department__code",
            "escalation_level",
            "rating",
            "raised_by__username",
        ),
        *ObstacleEvent.objects.values_list(
            "obstacle__title", "kind", "from_status", "to_status", "at", "actor__username"
        ),
    ]
    return sorted(rows, key=repr)


def snapshot_of_fresh_demo(**options) -> list[tuple]:
    try:
        with transaction.atomic():
            run_demo(**options)
            taken = snapshot()
            raise _Rollback
    except _Rollback:
        pass
    assert not Obstacle.objects.exists()
    return taken


def local_day(moment: datetime.datetime) -> datetime.date:
    return timezone.localdate(moment)


@pytest.mark.django_db
def test_demo_serving_counts_for_small_scale():
    run_demo()

    assert Pairing.objects.count() == SMALL.pairings
    assert Obstacle.objects.count() == SMALL.obstacles
    assert CommonProblem.objects.count() == SMALL.problems
    assert Visit.objects.count() >= SMALL.visits
    events = ObstacleEvent.objects.count()
    assert 4 * SMALL.obstacles <= events <= 7 * SMALL.obstacles
    assert ObstacleEvent.objects.filter(kind=EventKind.CREATED).count() == SMALL.obstacles


@pytest.mark.django_db
def test_demo_obstacles_in_every_status_source_and_level():
    run_demo()

    statuses = Counter(Obstacle.objects.values_list("status", flat=True))
    assert set(statuses) == set(Status.values)
    # Most are long closed; the open ones are a minority, as in a working city.
    assert statuses[Status.CLOSED] > SMALL.obstacles // 2
    assert set(Obstacle.objects.values_list("source", flat=True)) == set(Source.values)
    open_levels = set(
        Obstacle.objects.filter(status__in=OPEN_STATUSES).values_list("escalation_level", flat=True)
    )
    assert open_levels == set(Level.values)
    kinds = set(ObstacleEvent.objects.values_list("kind", flat=True))
    assert kinds == {
        EventKind.CREATED,
        EventKind.ASSIGNED,
        EventKind.HANDED_BACK,
        EventKind.ACCEPTED,
        EventKind.STARTED,
        EventKind.RESOLVED,
        EventKind.CLOSED,
        EventKind.REOPENED,
        EventKind.ESCALATED,
        EventKind.GROUPED,
    }
    ratings = Counter(Obstacle.objects.exclude(rating=None).values_list("rating", flat=True))
    assert set(ratings) == {1, 2, 3, 4, 5}
    assert ratings[3] + ratings[4] + ratings[5] > 3 * (ratings[1] + ratings[2])


@pytest.mark.django_db
def test_demo_obstacle_timelines_are_ordered_and_match_the_obstacle():
    run_demo()

    events = defaultdict(list)
    for event in ObstacleEvent.objects.order_by("pk"):
        events[event.obstacle_id].append(event)
    end_of_today = timezone.make_aware(datetime.datetime.combine(TODAY, datetime.time(23, 59)))
    for obstacle in Obstacle.objects.all():
        timeline = events[obstacle.pk]
        assert timeline[0].kind == EventKind.CREATED, obstacle.pk
        assert timeline[0].at == obstacle.raised_at
        assert timeline[0].actor_id == obstacle.raised_by_id
        moments = [event.at for event in timeline]
        assert moments == sorted(moments), obstacle.pk
        assert moments[-1] <= end_of_today
        for before, after in itertools.pairwise(timeline):
            assert after.from_status == before.to_status, (obstacle.pk, after.kind)
        assert timeline[-1].to_status == obstacle.status, obstacle.pk
        escalations = [event for event in timeline if event.kind == EventKind.ESCALATED]
        assert [event.level for event in escalations] == list(
            range(1, obstacle.escalation_level + 1)
        )
        if escalations:
            assert obstacle.escalated_at == escalations[-1].at
            assert {event.from_status for event in escalations} <= OPEN_STATUSES
        saving = [e for e in timeline if e.kind not in (EventKind.CREATED, EventKind.COMMENTED)]
        assert obstacle.version == 1 + len(saving), obstacle.pk
        assigned = [event for event in timeline if event.kind == EventKind.ASSIGNED]
        if obstacle.lead_department_id is not None:
            last = assigned[-1]
            assert obstacle.assigned_at == last.at
            assert last.department_id == obstacle.lead_department_id
            limit = DEFAULT_TIME_LIMIT_DAYS[obstacle.category]
            assert obstacle.due_on == local_day(last.at) + datetime.timedelta(days=limit)
            assert last.due_on == obstacle.due_on
        else:
            assert obstacle.status == Status.SUBMITTED
            assert obstacle.due_on is None


@pytest.mark.django_db
def test_demo_obstacle_derived_fields_are_consistent():
    run_demo()

    obstacles = Obstacle.objects.select_related("project", "enterprise", "lead_department")
    for obstacle in obstacles:
        if obstacle.project is not None:
            assert obstacle.locality_id == obstacle.project.locality_id
            assert obstacle.enterprise_id == obstacle.project.investor_id
        else:
            assert obstacle.locality_id == obstacle.enterprise.locality_id
        expected_industry = (
            obstacle.project.industry_id if obstacle.project is not None else None
        ) or obstacle.enterprise.industry_id
        assert obstacle.industry_id == expected_industry
        if obstacle.status in (Status.RESOLVED, Status.CLOSED):
            resolved = local_day(obstacle.resolved_at)
            assert obstacle.resolved_on_time == (resolved <= obstacle.due_on)
            assert obstacle.days_to_resolve == (resolved - local_day(obstacle.raised_at)).days
        else:
            assert obstacle.resolved_at is None
            assert obstacle.resolved_on_time is None
            assert obstacle.days_to_resolve is None
        assert (obstacle.rating is not None) == (obstacle.status == Status.CLOSED)
        assert (obstacle.closed_at is not None) == (obstacle.status == Status.CLOSED)
        if obstacle.status in OPEN_STATUSES:
            # The scheduled escalation run finds nothing to do on a fresh demo.
            assert obstacle.escalation_level == overdue_target_level(obstacle.due_on, TODAY)
        if obstacle.source == Source.REPORT:
            assert obstacle.report.project_id == obstacle.project_id
        if obstacle.source == Source.VISIT:
            assert obstacle.visit.enterprise_id == obstacle.enterprise_id
            assert obstacle.visit.recorded_by_id == obstacle.raised_by_id
            assert local_day(obstacle.raised_at) == obstacle.visit.visited_on
    # The usual lead department of a category, unless it handed the obstacle back.
    first_lead = Obstacle.objects.exclude(lead_department=None).exclude(
        events__kind=EventKind.HANDED_BACK
    )
    power = first_lead.filter(category="power")
    assert set(power.values_list("lead_department__code", flat=True)) == {"CTY-DL"}
    land = first_lead.filter(category="land")
    assert set(land.values_list("lead_department__code", flat=True)) == {"STNMT"}
    cooperating = Obstacle.cooperating_departments.through.objects.values_list(
        "obstacle__lead_department_id", "department_id"
    )
    assert cooperating.exists()
    assert not [(lead, other) for lead, other in cooperating if lead == other]
    assert not Obstacle.cooperating_departments.through.objects.filter(
        obstacle__lead_department=None
    ).exists()
    reds = Obstacle.objects.filter(project__light=Light.RED, status__in=OPEN_STATUSES)
    assert reds.exists()
    assert Obstacle.objects.exclude(common_problem=None).count() >= SMALL.problems


@pytest.mark.django_db
def test_demo_pairings_match_their_visits():
    run_demo()

    latest = dict(
        Visit.objects.exclude(pairing=None)
        .values("pairing_id")
        .annotate(last=Max("visited_on"))
        .values_list("pairing_id", "last")
    )
    for pairing in Pairing.objects.all():
        assert pairing.last_visit_on == latest.get(pairing.pk), pairing.pk
        assert pairing.next_visit_due == pairing.compute_next_visit_due()
        if pairing.ends_on is not None:
            assert pairing.ends_on >= pairing.starts_on
            assert pairing.last_visit_on is None or pairing.last_visit_on <= pairing.ends_on
    for visit in Visit.objects.exclude(pairing=None).select_related("pairing"):
        officials = set(visit.officials.values_list("pk", flat=True))
        assert visit.pairing.official_id in officials
        assert visit.recorded_by_id == visit.pairing.official_id
        assert visit.pairing.starts_on <= visit.visited_on < TODAY
    assert not Visit.objects.filter(visited_on__gte=TODAY).exists()
    # An official is never present, unpaired, at a visit to an enterprise they are paired with.
    for visit in Visit.objects.filter(pairing=None).prefetch_related("officials"):
        paired = Pairing.objects.filter(
            enterprise_id=visit.enterprise_id, official__in=visit.officials.all()
        )
        assert not paired.exists()
    open_pairings = Pairing.objects.filter(ends_on=None)
    assert open_pairings.filter(next_visit_due__lt=TODAY).exists()
    assert Pairing.objects.exclude(ends_on=None).exists()
    frequencies = set(Pairing.objects.values_list("frequency", flat=True))
    assert frequencies == set(VISIT_INTERVAL_DAYS)


@pytest.mark.django_db
def test_demo_canbo_lands_on_visits_due_and_one_behind():
    run_demo()

    canbo = User.objects.get(username="canbo")
    mine = Pairing.objects.visible_to(canbo).filter(official=canbo, ends_on=None)
    due = sorted((p.next_visit_due - TODAY).days for p in mine)
    assert due == [-21, 3, 8, 13, 40, 75]


@pytest.mark.django_db
@pytest.mark.parametrize("username", ["doanhnghiep", "qiye"])
def test_demo_enterprise_logins_have_obstacles_in_several_states(username):
    run_demo()

    user = User.objects.get(username=username)
    mine = Obstacle.objects.visible_to(user)
    tax_code = user.role_assignments.get().enterprise_tax_code
    assert set(mine.values_list("enterprise__tax_code", flat=True)) == {tax_code}
    own = Counter(mine.filter(raised_by=user).values_list("status", flat=True))
    assert own == {
        Status.SUBMITTED: 1,
        Status.ASSIGNED: 1,
        Status.IN_PROGRESS: 1,
        Status.RESOLVED: 1,
        Status.REOPENED: 1,
        Status.CLOSED: 2,
    }


@pytest.mark.django_db
def test_demo_department_login_has_new_due_soon_and_overdue_items():
    run_demo()

    user = User.objects.get(username="so.khdt")
    inbox = Obstacle.objects.visible_to(user).filter(
        lead_department__code="SKHDT", status__in=OPEN_STATUSES
    )
    new = inbox.filter(status=Status.ASSIGNED)
    due_soon = inbox.filter(due_on__gte=TODAY, due_on__lte=TODAY + datetime.timedelta(days=3))
    overdue = inbox.filter(due_on__lt=TODAY)
    assert new.count() >= 2
    assert due_soon.count() >= 2
    assert set(overdue.values_list("escalation_level", flat=True)) >= {1, 2, 3}


@pytest.mark.django_db
def test_demo_leader_sees_escalated_obstacles():
    run_demo()

    leader = User.objects.get(username="lanhdao")
    escalated = Obstacle.objects.visible_to(leader).filter(
        status__in=OPEN_STATUSES, escalation_level__gte=Level.LEADER
    )
    assert escalated.count() >= 3
    assert Project.objects.filter(obstacles__in=escalated, light=Light.RED).exists()


@pytest.mark.django_db
def test_demo_serving_audit_one_entry_per_row_by_system():
    run_demo()

    system = User.objects.get(username=SYSTEM_USERNAME)
    for model in (Pairing, Visit, Obstacle, CommonProblem):
        logged = LogEntry.objects.get_for_objects(model.objects.all()).filter(
            action=LogEntry.Action.CREATE, actor=system
        )
        assert logged.count() == model.objects.count(), model
        expected = set(model.objects.values_list("pk", flat=True))
        assert set(logged.values_list("object_id", flat=True)) == expected, model
    obstacle = Obstacle.objects.order_by("pk").first()
    entry = LogEntry.objects.get_for_object(obstacle).get()
    assert entry.additional_data["events"] == obstacle.events.count()
    first, last = entry.additional_data["first_event_pk"], entry.additional_data["last_event_pk"]
    assert list(obstacle.events.order_by("pk").values_list("pk", flat=True)) == list(
        range(first, last + 1)
    )
    assert entry.changes["title"] == [None, obstacle.title]


@pytest.mark.django_db(transaction=False)
def test_demo_serving_same_seed_gives_same_data_other_seed_other_data():
    first = snapshot_of_fresh_demo(seed=7)
    again = snapshot_of_fresh_demo(seed=7)
    other = snapshot_of_fresh_demo(seed=8)

    assert first == again
    assert first != other
    assert len(first) == len(again)
