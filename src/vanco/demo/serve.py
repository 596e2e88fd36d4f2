"""Serving enterprises: officials paired with enterprises, their visits, and obstacles with
timelines that tell a story (raised, assigned, handed back, accepted, escalated when late,
resolved, reopened, confirmed and rated).

Runs after the pipeline, from the rows already in the database, with its own
`random.Random`, so the city, the people and the pipeline stay what they were before. Rows go
in with explicit primary keys in batches (COPY on PostgreSQL, executemany on SQLite): visits
and obstacles need their keys for their officials, events and links before anything is read
back. Every event lies before `today` (escalations run at 01:00, so today's may be today).

Audit: one CREATE entry per pairing, visit, obstacle and common problem, by the system actor.
An obstacle's events, its cooperating departments and a visit's officials are named in that
entry (`additional_data`), like the pipeline's one entry per project for its reports.
"""

import bisect
import datetime
import functools
import itertools
import random
from collections import defaultdict
from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.core.management.color import no_style
from django.db import connection
from django.db.models import Max, Min

from vanco.accounts.enums import Role
from vanco.accounts.models import RoleAssignment
from vanco.core.text import search_document
from vanco.demo import serve_words as sw
from vanco.demo import words
from vanco.demo.bulk import BulkWriter, LogRow, insert_rows, own_timestamps, write_log_entries
from vanco.demo.people import PeopleFactory
from vanco.demo.users import FIXED_DEPARTMENT
from vanco.enterprises.enums import VISIT_INTERVAL_DAYS, EnterpriseStatus, VisitForm
from vanco.enterprises.models import Enterprise, Pairing, Visit
from vanco.obstacles.enums import (
    DEFAULT_TIME_LIMIT_DAYS,
    OPEN_STATUSES,
    Category,
    EventKind,
    Level,
    ProblemStatus,
    Severity,
    Source,
    Status,
)
from vanco.obstacles.models import CategoryLimit, CommonProblem, Obstacle, ObstacleEvent
from vanco.org.enums import LocalityKind
from vanco.org.models import Department, Locality
from vanco.projects.enums import DISPATCH_STAGES, Light
from vanco.projects.models import ProgressReport, Project

CHUNK = 10_000  # visits or obstacles simulated, written and audited per round
ESCALATION_STEP_DAYS = 7  # the settings' default (VANCO_ESCALATION_STEP_DAYS)
NEVER = 10_000  # days: a step that has not happened yet


@dataclass(frozen=True)
class ServeScale:
    pairings: int
    visits: int
    obstacles: int
    problems: int
    per_company: int  # obstacles filed by each enterprise with a login, at most


SERVE_SCALES = {
    "small": ServeScale(pairings=60, visits=600, obstacles=400, problems=3, per_company=10),
    "medium": ServeScale(
        pairings=1500, visits=15_000, obstacles=10_000, problems=5, per_company=12
    ),
    "large": ServeScale(
        pairings=30_000, visits=300_000, obstacles=200_000, problems=5, per_company=12
    ),
}

FREQUENCIES = (
    ("monthly", 25),
    ("bimonthly", 20),
    ("quarterly", 35),
    ("half_yearly", 15),
    ("yearly", 5),
)
FORMS = ((VisitForm.ON_SITE, 62), (VisitForm.PHONE, 25), (VisitForm.ONLINE, 13))
CATEGORY_WEIGHTS = (
    (Category.LAND, 16),
    (Category.PLANNING, 7),
    (Category.PERMITS, 18),
    (Category.ENVIRONMENT, 8),
    (Category.POWER, 10),
    (Category.INFRASTRUCTURE, 9),
    (Category.FINANCE, 7),
    (Category.LABOUR, 7),
    (Category.TAX_CUSTOMS, 9),
    (Category.POLICY, 5),
    (Category.OTHER, 4),
)
SEVERITIES = (
    (Severity.LOW, 15),
    (Severity.MEDIUM, 50),
    (Severity.HIGH, 28),
    (Severity.CRITICAL, 7),
)
# Lead department(s) by category, first the usual one; then cooperating candidates.
LEADS = {
    Category.LAND: (("STNMT",), ("STC", "SXD", "SNNPTNT")),
    Category.PLANNING: (("SXD",), ("STNMT", "SGTVT")),
    Category.PERMITS: (("SKHDT", "SXD"), ("CATP-PCCC", "STNMT", "SLDTBXH")),
    Category.ENVIRONMENT: (("STNMT",), ("SXD", "SKHCN")),
    Category.POWER: (("CTY-DL",), ("SCT",)),
    Category.INFRASTRUCTURE: (("CTY-CN", "SGTVT"), ("SXD",)),
    Category.FINANCE: (("NHNN", "STC"), ("SKHDT",)),
    Category.LABOUR: (("SLDTBXH",), ("SNV",)),
    Category.TAX_CUSTOMS: (("CTHUE", "CHQ"), ("STC",)),
    Category.POLICY: (("SKHDT", "STC"), ("STP",)),
    Category.OTHER: (("SKHDT",), ("SCT",)),
}
PARK_LEAD = "BQLKCN"  # permits in an industrial park go to its management board
RATINGS_ON_TIME = ((1, 2), (2, 5), (3, 18), (4, 40), (5, 35))
RATINGS_LATE = ((1, 15), (2, 25), (3, 30), (4, 20), (5, 10))


@functools.cache
def _table(pairs) -> tuple[tuple, list, int]:
    values, weights = zip(*pairs, strict=True)
    cumulative = list(itertools.accumulate(weights))
    return values, cumulative, cumulative[-1]


def _weighted(rng: random.Random, pairs):
    """One value of (value, weight) pairs: one draw, a bisection (millions of calls)."""
    values, cumulative, total = _table(pairs)
    return values[bisect.bisect(cumulative, rng.random() * total)]


DAY = datetime.timedelta(days=1)
_FEMALE_MIDDLE = {middle for middle, _weight in words.FEMALE_MIDDLE} - {
    middle for middle, _weight in words.MALE_MIDDLE
}


class Clock:
    """Aware datetimes and their database form, cached (a few thousand distinct moments)."""

    def __init__(self, today: datetime.date):
        from django.utils import timezone

        self.today = today
        self.tz = timezone.get_current_timezone()
        self.adapt_dt = connection.ops.adapt_datetimefield_value
        self.adapt_date = connection.ops.adapt_datefield_value
        self._db: dict = {}

    def at(self, day: datetime.date, minute_of_day: int) -> datetime.datetime:
        minute_of_day = min(minute_of_day, 23 * 60 + 59)
        return datetime.datetime.combine(
            day, datetime.time(minute_of_day // 60, minute_of_day % 60), tzinfo=self.tz
        )

    def db(self, value):
        if value is None:
            return None
        cached = self._db.get(value)
        if cached is None:
            if isinstance(value, datetime.datetime):
                cached = self.adapt_dt(value)
            else:
                cached = self.adapt_date(value)
            self._db[value] = cached
        return cached


# --- What the city already holds ---------------------------------------------------------------


class City:
    """The rows the serving data hangs on, read once as plain tuples."""

    def __init__(self):
        from django.contrib.auth import get_user_model

        users = get_user_model()._default_manager
        self.user_ids = dict(users.values_list("username", "pk"))
        self.user_names = {
            pk: full_name or username
            for pk, username, full_name in users.values_list("pk", "username", "full_name")
        }
        self.parent = dict(Locality.objects.values_list("pk", "parent_id"))
        self.locality_kind = dict(Locality.objects.values_list("pk", "kind"))
        self.locality_name = dict(Locality.objects.values_list("pk", "name"))
        self.departments = dict(Department.objects.values_list("code", "pk"))
        self.cadres: list[int] = []
        self.coordinators: list[int] = []
        self.leaders: list[int] = []
        self.officers_by_locality: dict[int, list[int]] = defaultdict(list)
        self.officers_by_department: dict[int, list[int]] = defaultdict(list)
        self.company_users: dict[str, list[int]] = defaultdict(list)
        rows = RoleAssignment.objects.order_by("user_id", "pk").values_list(
            "user_id", "role", "locality_id", "department_id", "enterprise_tax_code"
        )
        for user_id, role, locality_id, department_id, tax_code in rows:
            if role == Role.CADRE:
                self.cadres.append(user_id)
            elif role == Role.COORDINATOR:
                self.coordinators.append(user_id)
            elif role == Role.LEADER:
                self.leaders.append(user_id)
            elif role == Role.LOCALITY:
                self.officers_by_locality[locality_id].append(user_id)
            elif role == Role.DEPARTMENT:
                self.officers_by_department[department_id].append(user_id)
            elif role == Role.ENTERPRISE:
                self.company_users[tax_code].append(user_id)
        self.enterprises = list(
            Enterprise.objects.order_by("pk").values_list(
                "pk", "locality_id", "industry_id", "status", "tax_code", "name"
            )
        )
        self.enterprise = {row[0]: row for row in self.enterprises}
        self.by_tax_code = {row[4]: row[0] for row in self.enterprises}
        self.projects = list(
            Project.objects.order_by("pk").values_list(
                "pk", "investor_id", "locality_id", "industry_id", "light", "stage", "officer_id"
            )
        )
        self.projects_of: dict[int, list[tuple]] = defaultdict(list)
        for project in self.projects:
            if project[1] is not None:
                self.projects_of[project[1]].append(project)

    def ancestors(self, locality_id: int) -> list[int]:
        chain = []
        while locality_id is not None:
            chain.append(locality_id)
            locality_id = self.parent.get(locality_id)
        return chain

    def local_officers(self, locality_id: int) -> list[int]:
        """Locality officers whose scope holds the locality, nearest first (not the city)."""
        found = []
        for pk in self.ancestors(locality_id):
            found += self.officers_by_locality.get(pk, [])
        return found

    def place(self, locality_id: int) -> str:
        return self.locality_name[locality_id]


# --- Pairings and visits ---------------------------------------------------------------------


@dataclass
class PlannedPairing:
    pk: int
    official: int
    enterprise: int
    starts_on: datetime.date
    ends_on: datetime.date | None
    frequency: str
    next_due: datetime.date | None = None  # forced next visit due (the to-do of canbo)
    behind: bool = False
    visits: list | None = None
    last_visit_on: datetime.date | None = None
    next_visit_due: datetime.date | None = None


def _visit_dates(rng, pairing: PlannedPairing, today: datetime.date) -> list[datetime.date]:
    interval = VISIT_INTERVAL_DAYS[pairing.frequency]
    stop = min(pairing.ends_on or today, today - DAY)
    dates = []
    day = pairing.starts_on + datetime.timedelta(days=rng.randint(3, min(30, interval)))
    while day <= stop:
        dates.append(day)
        day += datetime.timedelta(days=max(7, int(interval * rng.uniform(0.7, 1.02))))
    if pairing.ends_on is not None:
        return dates
    if pairing.next_due is not None:
        last = pairing.next_due - datetime.timedelta(days=interval)
        dates = [d for d in dates if d < last]
        if last > pairing.starts_on:
            dates.append(last)
        return dates
    if pairing.behind:
        # Lapsed: the visits stopped a while ago.
        late = datetime.timedelta(days=interval + rng.randint(5, 75))
        return [d for d in dates if d <= today - late]
    if dates and dates[-1] + datetime.timedelta(days=interval) < today:
        dates.append(today - datetime.timedelta(days=rng.randint(1, min(interval - 1, 25))))
    return dates


class ServeMaker:
    def __init__(self, rng, city: City, plan: ServeScale, today: datetime.date, clock: Clock):
        self.rng, self.city, self.plan, self.today, self.clock = rng, city, plan, today, clock
        self.contacts = PeopleFactory(random.Random(rng.random()))
        self.names = [self.contacts._vietnamese_name() or "Nguyễn Văn An" for _ in range(400)]
        # Visits that raised obstacles: (visit pk, enterprise, recorder, day), for obstacles.
        self.visit_demands: list[tuple[int, int, int, datetime.date]] = []

    # Pairings ---------------------------------------------------------------------------
    def pairings(self) -> list[PlannedPairing]:
        rng, city, today = self.rng, self.city, self.today
        operating = [e for e in city.enterprises if e[3] == EnterpriseStatus.OPERATING]
        rng.shuffle(operating)
        total = self.plan.pairings
        handed_over = total // 11  # an ended pairing, then a new official
        paired = operating[: total - handed_over]
        canbo = city.user_ids.get("canbo")
        others = [pk for pk in city.cadres if pk != canbo] or [canbo]
        depts = [pk for officers in city.officers_by_department.values() for pk in officers]
        planned: list[PlannedPairing] = []

        def official_for(enterprise) -> int:
            roll = rng.random()
            if roll < 0.12:
                local = city.local_officers(enterprise[1])
                if local:
                    return rng.choice(local)
            if roll < 0.18 and depts:
                return rng.choice(depts)
            return rng.choice(others)

        # canbo's to-do: visits due within two weeks, one well behind, the rest later.
        canbo_due = [3, 8, 13, -21, 40, 75] if canbo else []
        for n, enterprise in enumerate(paired):
            frequency = _weighted(rng, FREQUENCIES)
            interval = VISIT_INTERVAL_DAYS[frequency]
            if n < len(canbo_due):
                frequency = ("monthly", "bimonthly", "quarterly")[n % 3]
                interval = VISIT_INTERVAL_DAYS[frequency]
                starts = today - datetime.timedelta(days=rng.randint(interval + 120, 700))
                planned.append(
                    PlannedPairing(
                        0,
                        canbo,
                        enterprise[0],
                        starts,
                        None,
                        frequency,
                        next_due=today + datetime.timedelta(days=canbo_due[n]),
                    )
                )
                continue
            official = official_for(enterprise)
            if n < len(canbo_due) + handed_over:
                first_start = today - datetime.timedelta(days=rng.randint(400, 3 * 365 - 30))
                ends = first_start + datetime.timedelta(days=rng.randint(120, 360))
                planned.append(
                    PlannedPairing(0, official, enterprise[0], first_start, ends, frequency)
                )
                new_official = official_for(enterprise)
                while new_official == official and len(others) > 1:
                    new_official = rng.choice(others)
                starts = ends + datetime.timedelta(days=rng.randint(1, 30))
                official = new_official
            else:
                starts = today - datetime.timedelta(days=rng.randint(20, 3 * 365))
            frequency = _weighted(rng, FREQUENCIES)
            planned.append(
                PlannedPairing(
                    0, official, enterprise[0], starts, None, frequency, behind=rng.random() < 0.12
                )
            )
        return planned

    # Visits -----------------------------------------------------------------------------
    def summary(self, form: str) -> str:
        rng = self.rng
        if form == VisitForm.PHONE:
            return rng.choice(sw.VISIT_PHONE_SUMMARIES)
        if form == VisitForm.ONLINE:
            return rng.choice(sw.VISIT_ONLINE_SUMMARIES)
        return rng.choice(sw.VISIT_SUMMARIES).format(n=rng.randint(3, 40))

    def people_met(self) -> str:
        name = self.rng.choice(self.names)
        position = words.CONTACT_POSITIONS[self.rng.randrange(4)]
        title = "Bà" if name.split()[1] in _FEMALE_MIDDLE else "Ông"
        return f"{title} {name}, {position}"

    def visit_row(self, pk, enterprise, pairing_pk, day, recorder, demand_share):
        rng, clock = self.rng, self.clock
        form = _weighted(rng, FORMS)
        demands = ""
        if rng.random() < demand_share:
            category = _weighted(rng, CATEGORY_WEIGHTS)
            title, _description = rng.choice(sw.OBSTACLE_TEXTS[category])
            demands = f"{title}."
            self.visit_demands.append((pk, enterprise, recorder, day, category))
        elif rng.random() < 0.1:
            demands = "Đề nghị được cung cấp thông tin về chương trình xúc tiến đầu tư sắp tới."
        moment = clock.db(clock.at(day, 16 * 60 + rng.randint(0, 120)))
        return (
            pk,
            enterprise,
            pairing_pk,
            clock.db(day),
            form,
            self.people_met() if form != VisitForm.ONLINE or rng.random() < 0.5 else "",
            self.summary(form),
            demands,
            recorder,
            1,
            moment,
            moment,
        )


VISIT_COLUMNS = (
    "id",
    "enterprise_id",
    "pairing_id",
    "visited_on",
    "form",
    "people_met",
    "summary",
    "demands",
    "recorded_by_id",
    "version",
    "created_at",
    "updated_at",
)


def _next_pk(model) -> int:
    return (model.objects.aggregate(top=Max("pk"))["top"] or 0) + 1


def _write_pairings_and_visits(writer, actor, maker: ServeMaker) -> None:
    rng, city, today, clock, plan = maker.rng, maker.city, maker.today, maker.clock, maker.plan
    planned = maker.pairings()
    paired_with = defaultdict(set)  # enterprise -> officials ever paired with it
    for pairing in planned:
        paired_with[pairing.enterprise].add(pairing.official)
    pairing_pk = _next_pk(Pairing)
    pairing_rows = []
    for pairing in planned:
        pairing.pk = pairing_pk
        pairing_pk += 1
        pairing.visits = _visit_dates(rng, pairing, today)
        interval = datetime.timedelta(days=VISIT_INTERVAL_DAYS[pairing.frequency])
        pairing.last_visit_on = pairing.visits[-1] if pairing.visits else None
        pairing.next_visit_due = (pairing.last_visit_on or pairing.starts_on) + interval
        created = clock.db(clock.at(pairing.starts_on, 8 * 60 + 30))
        updated = created
        if pairing.visits:
            updated = clock.db(clock.at(pairing.visits[-1], 18 * 60 + 30))
        if pairing.ends_on is not None:
            updated = clock.db(clock.at(pairing.ends_on, 9 * 60))
        note = ""
        if rng.random() < 0.4:
            note = f"Theo Quyết định phân công số {rng.randint(12, 980)}/QĐ-BCĐ"
        pairing_rows.append(
            (
                pairing.pk,
                pairing.official,
                pairing.enterprise,
                clock.db(pairing.starts_on),
                clock.db(pairing.ends_on),
                pairing.frequency,
                note,
                clock.db(pairing.last_visit_on),
                clock.db(pairing.next_visit_due),
                2 if pairing.ends_on else 1,
                created,
                updated,
            )
        )
    writer.flushed[Pairing._meta.label] += insert_rows(Pairing, list(PAIRING_COLUMNS), pairing_rows)
    pairing_type = ContentType.objects.get_for_model(Pairing).pk
    writer.audit_written += write_log_entries(
        (
            LogRow(
                pairing_type,
                row[0],
                f"{city.user_names[row[1]]} — {city.enterprise[row[2]][5]}",
                {
                    "official": [None, str(row[1])],
                    "enterprise": [None, str(row[2])],
                    "starts_on": [None, str(row[3])],
                    "ends_on": [None, None if row[4] is None else str(row[4])],
                    "frequency": [None, row[5]],
                    "note": [None, row[6]],
                },
            )
            for row in pairing_rows
        ),
        actor,
    )
    del pairing_rows

    natural = sum(len(p.visits) for p in planned)
    # Pairing visits raise about a quarter of the obstacles; the rest of the visit target is
    # met by visits outside any pairing (a district's officers calling on a company).
    demand_share = min(0.5, 0.25 * plan.obstacles / max(1, natural))
    batch = VisitBatch(writer, actor, maker, demand_share)
    for pairing in planned:
        enterprise = city.enterprise[pairing.enterprise]
        colleagues = None
        for day in pairing.visits:
            officials = [pairing.official]
            if rng.random() < 0.3:
                if colleagues is None:
                    colleagues = [
                        pk
                        for pk in city.local_officers(enterprise[1])
                        if pk not in paired_with[pairing.enterprise]
                    ]
                if colleagues:
                    officials.append(rng.choice(colleagues))
            batch.add(pairing.enterprise, pairing.pk, day, officials)
    # Visits outside pairings, to enterprises no one is paired with.
    unpaired = [e for e in city.enterprises if e[0] not in paired_with and e[3] != "prospect"]
    depts = [pk for officers in city.officers_by_department.values() for pk in officers]
    for _ in range(max(0, plan.visits - natural)):
        enterprise = rng.choice(unpaired)
        local = city.local_officers(enterprise[1])
        officials = [rng.choice(local)] if local and rng.random() < 0.8 else [rng.choice(depts)]
        day = today - datetime.timedelta(days=rng.randint(1, 3 * 365 - 1))
        batch.add(enterprise[0], None, day, officials)
    batch.flush()


class VisitBatch:
    """Visit rows, their officials and audit entries, written every CHUNK visits."""

    def __init__(self, writer, actor, maker: ServeMaker, demand_share: float):
        self.writer, self.actor, self.maker, self.demand_share = writer, actor, maker, demand_share
        self.pk = _next_pk(Visit)
        self.content_type = ContentType.objects.get_for_model(Visit).pk
        self.rows, self.officials, self.audit = [], [], []

    def add(self, enterprise: int, pairing: int | None, day, officials: list[int]) -> None:
        pk = self.pk
        self.pk += 1
        row = self.maker.visit_row(pk, enterprise, pairing, day, officials[0], self.demand_share)
        self.rows.append(row)
        self.officials.extend((pk, official) for official in officials)
        self.audit.append(
            LogRow(
                self.content_type,
                pk,
                f"{self.maker.city.enterprise[enterprise][5]} — {day:%d/%m/%Y}",
                {
                    "enterprise": [None, str(enterprise)],
                    "pairing": [None, None if pairing is None else str(pairing)],
                    "visited_on": [None, str(day)],
                    "form": [None, row[4]],
                    "recorded_by": [None, str(officials[0])],
                },
                {"bulk": True, "officials": list(officials)},
            )
        )
        if len(self.rows) >= CHUNK:
            self.flush()

    def flush(self) -> None:
        writer = self.writer
        through = Visit.officials.through
        writer.flushed[Visit._meta.label] += insert_rows(Visit, list(VISIT_COLUMNS), self.rows)
        writer.flushed[through._meta.label] += insert_rows(
            through, ["visit_id", "user_id"], self.officials
        )
        writer.audit_written += write_log_entries(self.audit, self.actor)
        self.rows, self.officials, self.audit = [], [], []


PAIRING_COLUMNS = (
    "id",
    "official_id",
    "enterprise_id",
    "starts_on",
    "ends_on",
    "frequency",
    "note",
    "last_visit_on",
    "next_visit_due",
    "version",
    "created_at",
    "updated_at",
)


# --- Obstacles -------------------------------------------------------------------------------


@dataclass
class Story:
    """One obstacle to live through: what it is, then how long each step took (in days)."""

    category: str
    source: str
    raiser: int
    raised: datetime.datetime
    project: int | None = None
    enterprise: int | None = None
    report: int | None = None
    visit: int | None = None
    severity: str = Severity.MEDIUM
    description: str = ""
    assign_lag: int | None = 1  # None: still waiting for the coordinator
    lead: str | None = None
    hand_back: tuple[int, int, str] | None = None  # after, reassigned after, to whom
    accept_lag: int = 1
    start_lag: int | None = 1  # None: resolved straight from accepted
    resolve_days: int = 10  # from the (last) assignment
    reopen: tuple[int, int] | None = None  # after the resolution, days to resolve again
    confirm_lag: int = 2
    rating: int = 4


OBSTACLE_COLUMNS = (
    "id",
    "title",
    "description",
    "category",
    "severity",
    "source",
    "project_id",
    "enterprise_id",
    "report_id",
    "visit_id",
    "locality_id",
    "industry_id",
    "raised_by_id",
    "raised_at",
    "status",
    "lead_department_id",
    "assigned_at",
    "due_on",
    "escalation_level",
    "escalated_at",
    "resolution",
    "resolved_at",
    "resolved_on_time",
    "days_to_resolve",
    "closed_at",
    "rating",
    "rating_comment",
    "common_problem_id",
    "search_text",
    "version",
    "created_at",
    "updated_at",
)
EVENT_COLUMNS = (
    "id",
    "obstacle_id",
    "kind",
    "from_status",
    "to_status",
    "actor_id",
    "at",
    "comment",
    "department_id",
    "level",
    "due_on",
)
# What an obstacle's audit entry records (as it was when the demo was made).
AUDITED_OBSTACLE_FIELDS = tuple(
    (name.removesuffix("_id"), OBSTACLE_COLUMNS.index(name))
    for name in (
        "title",
        "category",
        "severity",
        "source",
        "project_id",
        "enterprise_id",
        "raised_by_id",
        "raised_at",
        "status",
        "lead_department_id",
        "due_on",
    )
)
# Events that save the obstacle (and so raise its version); the others only add a line.
_SAVING = frozenset(EventKind) - {EventKind.CREATED, EventKind.COMMENTED}


class ObstacleMaker:
    def __init__(self, rng, city: City, plan: ServeScale, today, clock: Clock, system_id: int):
        self.rng, self.city, self.plan, self.today, self.clock = rng, city, plan, today, clock
        self.system_id = system_id
        self.limits = {c: DEFAULT_TIME_LIMIT_DAYS[c] for c in Category}
        self.limits.update(dict(CategoryLimit.objects.values_list("category", "time_limit_days")))
        self.problems: list[tuple[int, str, int | None, datetime.date, int, str]] = []
        self.grouped: dict[int, int] = defaultdict(int)
        self.problem_target = 0
        self.folded: dict[str, str] = {}
        self.now_limit = clock.at(today, 60)
        dispatch = [p for p in city.projects if p[5] in DISPATCH_STAGES]
        self.projects = dispatch or city.projects
        weights = [
            5 if p[4] == Light.RED else 2 if p[4] == Light.YELLOW else 1 for p in self.projects
        ]
        self.project_cum = list(itertools.accumulate(weights))
        self.operating = [e for e in city.enterprises if e[3] == EnterpriseStatus.OPERATING]

    # Choosing ----------------------------------------------------------------------------
    def lead_for(self, category: str, locality: int) -> str:
        usual, _cooperating = LEADS[category]
        if (
            category == Category.PERMITS
            and self.city.locality_kind.get(locality) == LocalityKind.INDUSTRIAL_PARK
        ):
            return PARK_LEAD
        return usual[0] if len(usual) == 1 or self.rng.random() < 0.7 else usual[1]

    def officer(self, department_code: str) -> int:
        officers = self.city.officers_by_department.get(self.city.departments[department_code])
        return self.rng.choice(officers) if officers else self.coordinator()

    def coordinator(self) -> int:
        return self.rng.choice(self.city.coordinators)

    def raised_at(self, span_days: int = 3 * 365 - 10) -> datetime.datetime:
        back = 1 + int(span_days * self.rng.random() ** 1.7)
        day = self.today - datetime.timedelta(days=back)
        return self.clock.at(day, self.rng.randint(7 * 60 + 30, 17 * 60))

    def pick_project(self):
        return self.rng.choices(self.projects, cum_weights=self.project_cum)[0]

    def randomise(self, story: Story) -> Story:
        """The usual course of an obstacle: quick assignment, mostly on time, some late."""
        rng = self.rng
        limit = self.limits[story.category]
        story.assign_lag = _weighted(rng, ((0, 30), (1, 35), (2, 18), (3, 10), (5, 5), (8, 2)))
        if rng.random() < 0.06:
            story.hand_back = (rng.randint(1, 3), rng.randint(0, 2), "")
        story.accept_lag = _weighted(rng, ((0, 35), (1, 35), (2, 20), (3, 10)))
        story.start_lag = None if rng.random() < 0.6 else rng.randint(0, 4)
        if rng.random() < 0.78:
            story.resolve_days = rng.randint(max(2, limit // 3), limit)
        else:
            story.resolve_days = limit + int(rng.expovariate(1 / 9)) + 1
        if rng.random() < 0.07:
            story.reopen = (rng.randint(1, 6), rng.randint(3, 20))
        story.confirm_lag = _weighted(rng, ((1, 40), (2, 25), (4, 15), (7, 12), (12, 8)))
        late = story.resolve_days > limit
        story.rating = _weighted(rng, RATINGS_LATE if late else RATINGS_ON_TIME)
        return story

    # Living through ------------------------------------------------------------------------
    def live(self, pk: int, story: Story) -> tuple[tuple, list[list], list[int], dict]:
        rng, clock, city = self.rng, self.clock, self.city
        last = self.today - DAY
        limit = self.limits[story.category]
        raiser = story.raiser
        events: list[list] = []  # at, kind, from, to, actor, comment, department, level, due
        dues: list = []  # the due date in force after each event
        state = {
            "status": Status.SUBMITTED,
            "lead": None,
            "assigned_at": None,
            "due": None,
            "resolution": "",
            "resolved_at": None,
            "on_time": None,
            "days": None,
            "closed_at": None,
            "rating": None,
            "rating_comment": "",
            "cooperating": [],
        }
        events.append(
            [story.raised, EventKind.CREATED, "", Status.SUBMITTED, raiser, "", None, None, None]
        )
        dues.append(None)
        raised_day = story.raised.date()

        def add(day, kind, to, actor, comment="", department=None, due=None):
            previous = events[-1][0]
            at = clock.at(day, rng.randint(8 * 60, 16 * 60 + 30))
            if at <= previous:
                at = previous + datetime.timedelta(minutes=rng.randint(15, 90))
            events.append([at, kind, state["status"], to, actor, comment, department, None, due])
            state["status"] = to
            return at

        def assign(day, code):
            department = city.departments[code]
            due = day + datetime.timedelta(days=limit)
            at = add(day, EventKind.ASSIGNED, Status.ASSIGNED, self.coordinator(),
                     rng.choice(sw.ASSIGN_NOTES), department, due)  # fmt: skip
            state.update(lead=code, assigned_at=at, due=due)
            dues.append(due)
            _lead, cooperating = LEADS[story.category]
            count = _weighted(rng, ((0, 55), (1, 35), (2, 10)))
            candidates = [c for c in cooperating if c != code]
            state["cooperating"] = [
                city.departments[c] for c in rng.sample(candidates, min(count, len(candidates)))
            ]

        def step(day, kind, to, actor, comment=""):
            add(day, kind, to, actor, comment)
            dues.append(state["due"])

        def resolve(day):
            resolution = rng.choice(sw.RESOLUTIONS[story.category])
            at = add(
                day, EventKind.RESOLVED, Status.RESOLVED, self.officer(state["lead"]), resolution
            )
            dues.append(state["due"])
            resolved_day = at.date()
            state.update(
                resolution=resolution,
                resolved_at=at,
                on_time=resolved_day <= state["due"],
                days=max(0, (resolved_day - raised_day).days),
            )

        def course() -> None:
            if story.assign_lag is None:
                return
            day = raised_day + datetime.timedelta(days=story.assign_lag)
            if day > last:
                return
            assign(day, story.lead or self.lead_for(story.category, self.locality))
            assigned_day = day
            if story.hand_back:
                after, again, to = story.hand_back
                day += datetime.timedelta(days=after)
                if day > last:
                    return
                lead = state["lead"]
                add(day, EventKind.HANDED_BACK, Status.SUBMITTED, self.officer(lead),
                    rng.choice(sw.HAND_BACK_REASONS), city.departments[lead])  # fmt: skip
                state.update(lead=None, assigned_at=None, due=None, cooperating=[])
                dues.append(None)
                day += datetime.timedelta(days=again)
                if day > last:
                    return
                usual, cooperating = LEADS[story.category]
                others = [c for c in (*usual, *cooperating) if c != lead]
                assign(day, to or rng.choice(others))
                assigned_day = day
            lead = state["lead"]
            day += datetime.timedelta(days=story.accept_lag)
            if day > last:
                return
            step(
                day,
                EventKind.ACCEPTED,
                Status.ACCEPTED,
                self.officer(lead),
                rng.choice(sw.ACCEPT_NOTES),
            )
            if story.start_lag is not None:
                day += datetime.timedelta(days=story.start_lag)
                if day > last:
                    return
                step(
                    day,
                    EventKind.STARTED,
                    Status.IN_PROGRESS,
                    self.officer(lead),
                    rng.choice(sw.START_NOTES),
                )
            day = max(day, assigned_day + datetime.timedelta(days=story.resolve_days))
            if day > last:
                return
            resolve(day)
            if story.reopen:
                after, redo = story.reopen
                day += datetime.timedelta(days=after)
                if day > last:
                    return
                step(
                    day, EventKind.REOPENED, Status.REOPENED, raiser, rng.choice(sw.REOPEN_REASONS)
                )
                state.update(resolved_at=None, on_time=None, days=None)
                if redo >= NEVER:
                    return
                day += datetime.timedelta(days=rng.randint(0, 2))
                if day > last:
                    return
                step(
                    day,
                    EventKind.STARTED,
                    Status.IN_PROGRESS,
                    self.officer(lead),
                    rng.choice(sw.START_NOTES),
                )
                day += datetime.timedelta(days=redo)
                if day > last:
                    return
                resolve(day)
            day += datetime.timedelta(days=story.confirm_lag)
            if day > last:
                return
            comment = rng.choice(sw.RATING_COMMENTS[story.rating])
            at = add(day, EventKind.CLOSED, Status.CLOSED, raiser, comment)
            dues.append(state["due"])
            state.update(closed_at=at, rating=story.rating, rating_comment=comment)

        self.locality = self.locality_of(story)
        course()
        extra = self.escalations(events, dues)
        group = self.group(story, events)
        if group is not None:
            extra.append(group[1])
        if extra:
            events = sorted(events + extra, key=lambda event: event[0])
        escalated = [e for e in events if e[1] == EventKind.ESCALATED]
        title, description = self.text(story)
        industry = self.industry_of(story)
        lead = state["lead"]
        version = 1 + sum(1 for e in events if e[1] in _SAVING)
        row = (
            pk, title, description, story.category, story.severity, story.source,
            story.project, story.enterprise, story.report, story.visit,
            self.locality, industry, raiser, clock.db(story.raised), state["status"],
            city.departments[lead] if lead else None, clock.db(state["assigned_at"]),
            clock.db(state["due"]), len(escalated),
            clock.db(escalated[-1][0]) if escalated else None,
            state["resolution"], clock.db(state["resolved_at"]), state["on_time"],
            state["days"], clock.db(state["closed_at"]), state["rating"],
            state["rating_comment"], group[0] if group else None, self.fold(title), version,
            clock.db(story.raised), clock.db(events[-1][0]),
        )  # fmt: skip
        return row, events, state["cooperating"], state

    def locality_of(self, story: Story) -> int:
        if story.project is not None:
            return self.city_project[story.project][2]
        return self.city.enterprise[story.enterprise][1]

    def industry_of(self, story: Story) -> int | None:
        industry = None
        if story.project is not None:
            industry = self.city_project[story.project][3]
        if industry is None and story.enterprise is not None:
            industry = self.city.enterprise[story.enterprise][2]
        return industry

    @property
    def city_project(self):
        if not hasattr(self, "_project_index"):
            self._project_index = {p[0]: p for p in self.city.projects}
        return self._project_index

    def fold(self, title: str) -> str:
        folded = self.folded.get(title)
        if folded is None:
            folded = self.folded[title] = search_document(title)
        return folded

    def text(self, story: Story) -> tuple[str, str]:
        rng = self.rng
        title, description = rng.choice(sw.OBSTACLE_TEXTS[story.category])
        place = self.city.place(self.locality)
        description = description.format(n=rng.randint(2, 30), place=place)
        if story.description:
            description = f"{story.description} {description}"
        return title, description

    def escalations(self, events, dues) -> list[list]:
        """The scheduled run's escalations: one level a week past the due date, while open."""
        found: list[list] = []
        level = 0
        floor = None
        for index, event in enumerate(events):
            status, due = event[3], dues[index]
            if status not in OPEN_STATUSES or due is None:
                continue
            start = event[0]
            end = events[index + 1][0] if index + 1 < len(events) else self.now_limit
            while level < Level.GROUP:
                nominal = self.clock.at(
                    due + datetime.timedelta(days=1 + ESCALATION_STEP_DAYS * level), 60
                )
                at = max(nominal, start + datetime.timedelta(hours=1))
                if floor is not None:
                    at = max(at, floor + datetime.timedelta(hours=1))
                if at > end or (at == end and index + 1 < len(events)):
                    break
                level += 1
                floor = at
                late = (at.date() - due).days
                found.append(
                    [at, EventKind.ESCALATED, status, status, self.system_id,
                     sw.ESCALATION_NOTE.format(days=late), None, level, None]
                )  # fmt: skip
        return found

    def group(self, story: Story, events) -> tuple[int, list] | None:
        rng = self.rng
        for pk, category, industry, created, owner, title in self.problems:
            if category != story.category or self.grouped[pk] >= self.problem_target:
                continue
            if industry is not None and industry != self.industry_of(story):
                continue
            if rng.random() > 0.35:
                continue
            start = max(events[0][0], self.clock.at(created, 9 * 60))
            stop = self.now_limit
            if start >= stop - datetime.timedelta(hours=2):
                continue
            at = start + (stop - start) * rng.uniform(0.05, 0.9)
            status = Status.SUBMITTED
            for event in events:
                if event[0] <= at:
                    status = event[3]
            self.grouped[pk] += 1
            note = f"Đã đưa vào vấn đề chung “{title}”."
            return pk, [at, EventKind.GROUPED, status, status, owner, note, None, None, None]
        return None


def _stories(maker: ObstacleMaker, visit_demands) -> list[Story]:
    """Who raises what: the fixed logins' cases first, then progress reports, visits,
    enterprises with a login, directives and officials, to the scale's total."""
    rng, city, today, plan = maker.rng, maker.city, maker.today, maker.plan
    stories = _fixed_stories(maker)
    total = plan.obstacles

    def project_story(project, **kwargs) -> Story:
        return Story(project=project[0], enterprise=project[1], **kwargs)

    # Progress reports that named an obstacle: the first report of each stall raises it.
    firsts = (
        ProgressReport.objects.exclude(obstacles_text="")
        .values("project_id")
        .annotate(first=Min("pk"))
        .values_list("first", flat=True)
    )
    reports = list(
        ProgressReport.objects.filter(pk__in=list(firsts))
        .order_by("pk")
        .values_list("pk", "project_id", "submitted_at", "submitted_by_id", "obstacles_text")
    )
    project_index = maker.city_project
    for pk, project_id, submitted_at, submitted_by, text in reports[: int(total * 0.12)]:
        if submitted_at is None or submitted_at.date() >= today:
            continue
        category = sw.REPORT_OBSTACLE_CATEGORIES[words.OBSTACLES.index(text)]
        project = project_index[project_id]
        stories.append(
            maker.randomise(
                project_story(
                    project,
                    category=category,
                    source=Source.REPORT,
                    raiser=submitted_by or project[6] or maker.coordinator(),
                    raised=submitted_at + datetime.timedelta(minutes=5),
                    report=pk,
                    description=text,
                )
            )
        )
    # Demands raised during visits.
    for visit, enterprise, recorder, day, category in visit_demands:
        if len(stories) >= total * 0.45:
            break
        projects = city.projects_of.get(enterprise)
        raised = maker.clock.at(day, 17 * 60 + rng.randint(0, 59))
        kwargs = dict(category=category, source=Source.VISIT, raiser=recorder, raised=raised)
        if projects and rng.random() < 0.4:
            story = project_story(rng.choice(projects), visit=visit, **kwargs)
        else:
            story = Story(enterprise=enterprise, visit=visit, **kwargs)
        stories.append(maker.randomise(story))
    # Enterprises with a login file their own (the fixed two already have theirs).
    fixed = {"0801234560", "0808888883"}
    for tax_code, users in sorted(city.company_users.items()):
        enterprise = city.by_tax_code.get(tax_code)
        if enterprise is None or tax_code in fixed:
            continue
        for _ in range(rng.randint(plan.per_company // 3, plan.per_company)):
            if len(stories) >= total * 0.6:
                break
            projects = city.projects_of.get(enterprise)
            kwargs = dict(
                category=_weighted(rng, CATEGORY_WEIGHTS),
                source=Source.ENTERPRISE,
                raiser=rng.choice(users),
                raised=maker.raised_at(),
            )
            if projects and rng.random() < 0.5:
                stories.append(maker.randomise(project_story(rng.choice(projects), **kwargs)))
            else:
                stories.append(maker.randomise(Story(enterprise=enterprise, **kwargs)))
    # Directives of the leaders and what officials enter, to the total.
    while len(stories) < total:
        directive = rng.random() < 0.03
        category = _weighted(rng, CATEGORY_WEIGHTS)
        raised = maker.raised_at()
        if rng.random() < 0.6:
            project = maker.pick_project()
            locality = project[2]
            story = project_story(project, category=category, source="", raiser=0, raised=raised)
        else:
            enterprise = rng.choice(maker.operating)
            locality = enterprise[1]
            story = Story(
                enterprise=enterprise[0], category=category, source="", raiser=0, raised=raised
            )
        if directive:
            story.source, story.raiser = Source.DIRECTIVE, rng.choice(city.leaders)
        else:
            story.source = Source.OFFICIAL
            local = city.local_officers(locality)
            officer = project[6] if story.project is not None else None
            roll = rng.random()
            if officer and roll < 0.4:
                story.raiser = officer
            elif local and roll < 0.85:
                story.raiser = rng.choice(local)
            else:
                story.raiser = maker.coordinator()
        story.severity = _weighted(rng, SEVERITIES)
        stories.append(maker.randomise(story))
    for story in stories:
        if story.severity == Severity.MEDIUM and rng.random() < 0.5:
            story.severity = _weighted(rng, SEVERITIES)
    return stories[:total]


def _fixed_stories(maker: ObstacleMaker) -> list[Story]:
    """The fixed logins' cases, whatever the seed: each enterprise login has obstacles in
    several states (one resolved, awaiting its confirmation); so.khdt's inbox has new, due-soon
    and overdue ones (escalated to the department head, the leader and the leading group)."""
    city, today, clock = maker.city, maker.today, maker.clock
    stories = []

    def days_ago(days: int, hour: int = 9) -> datetime.datetime:
        return clock.at(today - datetime.timedelta(days=days), hour * 60 + 15)

    def never(story: Story, **changes) -> Story:
        for key, value in changes.items():
            setattr(story, key, value)
        return story

    far = NEVER
    for tax_code in ("0801234560", "0808888883"):
        enterprise = city.by_tax_code.get(tax_code)
        users = city.company_users.get(tax_code)
        if enterprise is None or not users:
            continue
        raiser = users[0]
        projects = city.projects_of.get(enterprise, [])

        def mine(
            category,
            raised,
            project=True,
            raiser=raiser,
            enterprise=enterprise,
            projects=projects,
            **plan,
        ):
            story = Story(
                category=category,
                source=Source.ENTERPRISE,
                raiser=raiser,
                raised=raised,
                enterprise=enterprise,
                project=projects[0][0] if projects and project else None,
                severity=Severity.HIGH,
            )
            return never(story, **plan)

        stories += [
            # Just filed: the coordinator has not assigned it yet.
            mine(Category.TAX_CUSTOMS, days_ago(1), project=False, assign_lag=None),
            # Assigned yesterday.
            mine(Category.POWER, days_ago(3), assign_lag=2, accept_lag=far),
            # In progress, within the time limit.
            mine(
                Category.PERMITS,
                days_ago(6),
                assign_lag=1,
                lead="SKHDT",
                start_lag=1,
                resolve_days=far,
            ),
            # Resolved a few days ago: waiting for the company to confirm and rate.
            mine(Category.LAND, days_ago(35), assign_lag=1, resolve_days=28, confirm_lag=far),
            # Closed and rated.
            mine(Category.LABOUR, days_ago(120), project=False, resolve_days=8, rating=5),
            mine(Category.INFRASTRUCTURE, days_ago(260), resolve_days=25, rating=2),
            # Reopened: the company was not satisfied, the department works on it again.
            mine(Category.ENVIRONMENT, days_ago(20), resolve_days=15, reopen=(3, far)),
        ]
    # so.khdt's inbox: permits led by the planning and investment department.
    skhdt = city.departments.get(FIXED_DEPARTMENT)
    if skhdt is None:
        return stories
    limit = maker.limits[Category.PERMITS]
    cases = (
        # (days since assigned, accepted?, raised before assignment)
        (1, False),
        (2, False),
        (limit - 1, True),  # due tomorrow
        (limit - 3, True),  # due in three days
        (limit + 4, True),  # overdue: department head
        (limit + 12, True),  # overdue: leader
        (limit + 25, True),  # overdue: leading group
        (limit + 40, True),
    )
    for n, (assigned_ago, accepted) in enumerate(cases):
        project = maker.projects[n % len(maker.projects)]
        reds = [p for p in maker.projects if p[4] == Light.RED]
        if n >= 4 and reds:
            project = reds[n % len(reds)]  # the late ones hold up projects in red
        local = city.local_officers(project[2])
        story = Story(
            category=Category.PERMITS,
            source=Source.OFFICIAL,
            raiser=local[0] if local else maker.coordinator(),
            raised=days_ago(assigned_ago + 2, 10),
            project=project[0],
            enterprise=project[1],
            severity=Severity.HIGH if n < 4 else Severity.CRITICAL,
            assign_lag=2,
            lead=FIXED_DEPARTMENT,
            accept_lag=0 if accepted else far,
            start_lag=1,
            resolve_days=far,
        )
        stories.append(story)
    return stories


def _write_obstacles(writer: BulkWriter, actor, maker: ObstacleMaker, visit_demands) -> None:
    clock = maker.clock
    _problems(writer, actor, maker)
    stories = _stories(maker, visit_demands)
    obstacle_pk = _next_pk(Obstacle)
    event_pk = _next_pk(ObstacleEvent)
    content_type = ContentType.objects.get_for_model(Obstacle).pk
    through = Obstacle.cooperating_departments.through
    for chunk in itertools.batched(stories, CHUNK):
        obstacles, events, cooperating, audit = [], [], [], []
        for story in chunk:
            row, lived, departments, _state = maker.live(obstacle_pk, story)
            obstacles.append(row)
            first_event = event_pk
            for event in lived:
                at, kind, from_status, to_status, actor_id, comment, department, level, due = event
                events.append(
                    (event_pk, obstacle_pk, kind, from_status, to_status, actor_id, clock.db(at),
                     comment, department, level, clock.db(due))
                )  # fmt: skip
                event_pk += 1
            cooperating.extend((obstacle_pk, department) for department in departments)
            audit.append(
                LogRow(
                    content_type,
                    obstacle_pk,
                    f"VM-{obstacle_pk} {row[1]}"[:200],
                    {
                        name: [None, str(row[index])]
                        for name, index in AUDITED_OBSTACLE_FIELDS
                        if row[index] is not None
                    },
                    {
                        "bulk": True,
                        "events": len(lived),
                        "first_event_pk": first_event,
                        "last_event_pk": event_pk - 1,
                        "cooperating_departments": departments,
                    },
                )
            )
            obstacle_pk += 1
        writer.flushed[Obstacle._meta.label] += insert_rows(
            Obstacle, list(OBSTACLE_COLUMNS), obstacles
        )
        writer.flushed[ObstacleEvent._meta.label] += insert_rows(
            ObstacleEvent, list(EVENT_COLUMNS), events
        )
        writer.flushed[through._meta.label] += insert_rows(
            through, ["obstacle_id", "department_id"], cooperating
        )
        writer.audit_written += write_log_entries(audit, actor)


def _problems(writer: BulkWriter, actor, maker: ObstacleMaker) -> None:
    rng, today, clock, city = maker.rng, maker.today, maker.clock, maker.city
    specs = sw.COMMON_PROBLEMS[: maker.plan.problems]
    statuses = (ProblemStatus.IN_PROGRESS, ProblemStatus.OPEN, ProblemStatus.RESOLVED)
    owners = city.leaders + city.coordinators
    problems = []
    for n, (category, industry, title, description) in enumerate(specs):
        created = today - datetime.timedelta(days=rng.randint(90, 500))
        problem = CommonProblem(
            title=title,
            description=description,
            category=category,
            industry_id=industry,
            owner_id=owners[n % len(owners)],
            status=statuses[n % len(statuses)],
            created_at=clock.at(created, 10 * 60),
            updated_at=clock.at(today - datetime.timedelta(days=rng.randint(1, 60)), 15 * 60),
        )
        problems.append(problem)
    with own_timestamps(CommonProblem):
        writer.insert(problems)
    writer.flush_audit(actor)
    maker.problems = [
        (p.pk, p.category, p.industry_id, p.created_at.date(), p.owner_id, p.title)
        for p in problems
    ]
    maker.problem_target = max(4, maker.plan.obstacles // 2000)


# --- The whole serving layer -------------------------------------------------------------------


def generate_serving(*, writer: BulkWriter, actor, seed: int, scale: str, today) -> None:
    """Pairings, visits, common problems and obstacles with their events; counts and audit
    entries are added to `writer` (flushed counts and audit_written)."""
    plan = SERVE_SCALES[scale]
    rng = random.Random(f"serve-{seed}")
    clock = Clock(today)
    city = City()
    with own_timestamps(Pairing, Visit, Obstacle):
        serve = ServeMaker(rng, city, plan, today, clock)
        _write_pairings_and_visits(writer, actor, serve)
        maker = ObstacleMaker(rng, city, plan, today, clock, actor.pk)
        _write_obstacles(writer, actor, maker, serve.visit_demands)
    if connection.vendor == "postgresql":
        # The rows went in with their own keys: move the sequences past them.
        sql = connection.ops.sequence_reset_sql(
            no_style(), [Pairing, Visit, Obstacle, ObstacleEvent]
        )
        with connection.cursor() as cursor:
            for statement in sql:
                cursor.execute(statement)
