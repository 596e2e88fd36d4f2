"""The demo city's investment pipeline: enterprises, projects, three years of dispatch, lights.

Runs after the city and its users exist. Draws come from its own `random.Random`, so the city
and the people stay what they were before the pipeline existed. Every project carries a seed of
its own: its reports are computed twice (once for the totals stored on the project, once while
they stream into the database) and come out the same both times.

Dates are relative to `today`: a demo built today has its current period open today.
"""

import bisect
import calendar
import datetime
import itertools
import random
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from types import SimpleNamespace

from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.models import Count, Max, Min
from django.utils import timezone

from vanco.accounts.enums import Role
from vanco.core.text import fold
from vanco.demo import words
from vanco.demo.bulk import BulkWriter, LogRow, insert_rows, own_timestamps, write_log_entries
from vanco.demo.people import PeopleFactory
from vanco.enterprises.enums import EnterpriseSize, EnterpriseStatus, Ownership
from vanco.enterprises.models import Contact, Enterprise
from vanco.industries.enums import ChainSegment
from vanco.industries.models import ChainNode, Industry
from vanco.org.enums import LocalityKind
from vanco.org.models import Locality
from vanco.projects import lights as light_engine
from vanco.projects.codes import format_code
from vanco.projects.enums import (
    DISPATCH_STAGES,
    NO_LIGHT_STAGES,
    PIPELINE,
    CycleFrequency,
    LeadSource,
    Light,
    PeriodStatus,
    ProjectType,
    ReportStatus,
    Stage,
    TaskForce,
)
from vanco.projects.models import (
    DispatchCycle,
    DispatchPeriod,
    LightRules,
    ProgressReport,
    Project,
    ProjectLight,
    ProjectStageChange,
)

CHUNK = 5000  # enterprises per insert-and-audit round
YEARS = 3
DUE_DAYS = 5
# The final stage of the projects past the first nine (which take each stage once, in order).
STAGE_WEIGHTS = (
    (Stage.LEAD, 7),
    (Stage.NEGOTIATING, 7),
    (Stage.SIGNED, 6),
    (Stage.APPROVED, 6),
    (Stage.UNDER_CONSTRUCTION, 40),
    (Stage.COMPLETED, 8),
    (Stage.IN_OPERATION, 18),
    (Stage.PAUSED, 4),
    (Stage.DROPPED, 4),
)
# The large city's book is mostly projects under way: they are what the dispatch is about, and
# what brings it to about two million weekly reports.
LARGE_STAGE_WEIGHTS = (
    (Stage.LEAD, 4),
    (Stage.NEGOTIATING, 4),
    (Stage.SIGNED, 3),
    (Stage.APPROVED, 3),
    (Stage.UNDER_CONSTRUCTION, 50),
    (Stage.COMPLETED, 10),
    (Stage.IN_OPERATION, 20),
    (Stage.PAUSED, 3),
    (Stage.DROPPED, 3),
)
STAGE_ORDER = (*PIPELINE, Stage.PAUSED, Stage.DROPPED)
_MILLI = Decimal("0.001")
_THOUSAND = Decimal(1000)
# Plain strings: the reports go to the database driver without Django in between.
DUE, SUBMITTED = ReportStatus.DUE.value, ReportStatus.SUBMITTED.value
RETURNED, ACCEPTED = ReportStatus.RETURNED.value, ReportStatus.ACCEPTED.value
_CENTI = Decimal("0.01")


def _weighted(rng: random.Random, pairs):
    values, weights = zip(*pairs, strict=True)
    return rng.choices(values, weights=weights)[0]


def _log_uniform(rng: random.Random, low: float, high: float) -> float:
    return low * (high / low) ** rng.random()


def _money(value: float) -> Decimal:
    return Decimal(str(value)).quantize(_MILLI)


def _cn_credit_code(rng: random.Random) -> str:
    """An 18-character unified social credit code with a valid check character."""
    charset = "0123456789ABCDEFGHJKLMNPQRTUWXY"
    weights = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
    region = rng.choice(("440300", "441900", "320500", "330200", "350200", "440600"))
    body = "91" + region + "".join(rng.choice(charset[:10]) for _ in range(9))
    total = sum(charset.index(ch) * w for ch, w in zip(body, weights, strict=True))
    return body + charset[(31 - total % 31) % 31]


# --- The dispatch calendar ------------------------------------------------------------------


def _month_start(day: datetime.date, back: int) -> datetime.date:
    months = day.year * 12 + day.month - 1 - back
    return datetime.date(months // 12, months % 12 + 1, 1)


def _period_bounds(today: datetime.date, frequency: str) -> list[tuple[str, tuple]]:
    bounds = []
    if frequency == CycleFrequency.WEEKLY:
        start = today - datetime.timedelta(days=today.weekday() + 7 * 52 * YEARS)
        while start <= today:
            end = start + datetime.timedelta(days=6)
            week = start.isocalendar()
            label = f"Tuần {week.week:02d}/{week.year} ({start:%d/%m}–{end:%d/%m})"
            bounds.append((label, (start, end)))
            start = end + datetime.timedelta(days=1)
        return bounds
    for back in range(12 * YEARS, -1, -1):
        start = _month_start(today, back)
        end = start.replace(day=calendar.monthrange(start.year, start.month)[1])
        bounds.append((f"Tháng {start:%m/%Y}", (start, end)))
    return bounds


def _aware(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))


def _dispatch(writer: BulkWriter, today: datetime.date, frequency: str):
    bounds = _period_bounds(today, frequency)
    name = {
        CycleFrequency.WEEKLY: "Giao ban tiến độ dự án hằng tuần",
        CycleFrequency.MONTHLY: "Giao ban tiến độ dự án hằng tháng",
    }[frequency]
    cycle = DispatchCycle(
        name=name, frequency=frequency, starts_on=bounds[0][1][0], due_days=DUE_DAYS
    )
    writer.insert([cycle])
    periods = []
    for n, (label, (start, end)) in enumerate(bounds):
        due = end + datetime.timedelta(days=DUE_DAYS)
        current = n == len(bounds) - 1
        periods.append(
            DispatchPeriod(
                cycle=cycle,
                label=label,
                starts_on=start,
                ends_on=end,
                due_on=due,
                status=PeriodStatus.OPEN if current else PeriodStatus.CLOSED,
                closed_at=None if current else _aware(min(due, today), 17),
            )
        )
    writer.insert(periods)
    return periods


# --- Enterprises ----------------------------------------------------------------------------


@dataclass
class Firm:
    """What the projects need to know of an inserted enterprise."""

    pk: int
    brand: str
    industry_id: int
    status: str


@dataclass
class Registry:
    by_kind: dict[tuple[int, str], list[Firm]] = field(default_factory=lambda: defaultdict(list))
    pinned: list[Firm] = field(default_factory=list)

    def pick(self, rng: random.Random, industry_id: int, status: str) -> Firm:
        pool = self.by_kind.get((industry_id, status)) or next(
            firms for (_ind, st), firms in self.by_kind.items() if st == status and firms
        )
        return rng.choice(pool)


class Places:
    """Where enterprises and projects are: mostly industrial parks, then communes and districts."""

    def __init__(self, rng, districts, parks, communes):
        self.rng, self.districts, self.parks = rng, districts, parks
        self.communes = communes or districts

    def pick(self) -> Locality:
        roll = self.rng.random()
        if roll < 0.5 and self.parks:
            return self.rng.choice(self.parks)
        if roll < 0.85:
            return self.rng.choice(self.communes)
        return self.rng.choice(self.districts)

    def address(self, locality: Locality) -> str:
        number = self.rng.randint(1, 480)
        if locality.kind == LocalityKind.INDUSTRIAL_PARK:
            return f"Lô {self.rng.choice('ABCDEFGH')}{self.rng.randint(1, 40)}, {locality.name}"
        street = self.rng.choice(words.WARDS)
        if locality.kind == LocalityKind.COMMUNE:
            return f"Số {number} đường {street}, {locality.name}, {locality.parent.name}"
        return f"Số {number} đường {street}, {locality.name}"


def _trade_industry(name: str, industries: dict[str, Industry]) -> Industry:
    matches = [
        (len(trade), code)
        for code, trades in words.COMPANY_TRADES.items()
        for trade in trades
        if f" {trade} " in f" {name} "
    ]
    return industries[max(matches)[1]] if matches else next(iter(industries.values()))


class EnterpriseMaker:
    def __init__(self, rng, people: PeopleFactory, places: Places, industries, nodes_by_industry):
        self.rng, self.people, self.places = rng, people, places
        self.industries = industries
        self.nodes_by_industry = nodes_by_industry
        self.names: set[str] = set(people.companies)
        self.brands = (*words.COMPANY_BRANDS, *words.MORE_COMPANY_BRANDS)

    def _unique(self, make) -> tuple[str, str]:
        name, brand = make()
        for _ in range(5):
            if name not in self.names:
                break
            name, brand = make()
        base, n = name, 1
        while name in self.names:
            n += 1
            name = f"{base} {n}"
        self.names.add(name)
        return name, brand

    def _domestic(self, industry: Industry) -> tuple[str, str]:
        form = _weighted(self.rng, words.COMPANY_FORMS)
        trade = self.rng.choice(words.COMPANY_TRADES[industry.code])
        brand = self.rng.choice(self.brands)
        qualifier = self.rng.choice(words.COMPANY_QUALIFIERS)
        return " ".join(part for part in (form, trade, brand, qualifier) if part), brand

    def _foreign(self, industry: Industry, country: str, form: str, brands) -> tuple[str, str]:
        brand = self.rng.choice(brands)
        trade = self.rng.choice(words.COMPANY_TRADES[industry.code])
        return form.format(trade=trade, brand=brand), brand

    def _chinese_parent(self, industry: Industry) -> tuple[str, str]:
        brand = self.rng.choice(words.CHINESE_FIRM_BRANDS)
        trade = self.rng.choice(words.CHINESE_TRADES[industry.code])
        return f"{self.rng.choice(words.CHINESE_CITIES)}{brand}{trade}有限公司", brand

    def contact_name(self, country: str) -> str:
        if country == "CN" and self.rng.random() < 0.5:
            return (
                self.rng.choice(words.CHINESE_SURNAMES)[0] + self.rng.choice(words.CHINESE_GIVEN)[0]
            )
        if country in ("KR", "JP") and self.rng.random() < 0.4:
            korean = ("Kim", "Park", "Lee", "Choi", "Jung")
            names = [
                n for n, _u in words.FOREIGN_NAMES if n.startswith(korean) == (country == "KR")
            ]
            return self.rng.choice(names)
        name = ""
        while not name:
            name = self.people._vietnamese_name()
        return name

    def make(self, status: str) -> tuple[Enterprise, list[Contact], list[int]]:
        rng = self.rng
        industry = rng.choice(list(self.industries.values()))
        foreign = rng.random() < (0.45 if status == EnterpriseStatus.PROSPECT else 0.18)
        country = "VN"
        tax_code = ""
        if foreign:
            country, _weight, form, brands = rng.choices(
                words.FOREIGN_INVESTORS, weights=[spec[1] for spec in words.FOREIGN_INVESTORS]
            )[0]
            if country == "CN" and status == EnterpriseStatus.PROSPECT and rng.random() < 0.5:
                name, brand = self._unique(lambda: self._chinese_parent(industry))
                tax_code = _cn_credit_code(rng)
                while tax_code in self.people.tax_codes:
                    tax_code = _cn_credit_code(rng)
                self.people.tax_codes.add(tax_code)
            else:
                name, brand = self._unique(lambda: self._foreign(industry, country, form, brands))
        else:
            name, brand = self._unique(lambda: self._domestic(industry))
        locality = self.places.pick()
        employees = None
        if status != EnterpriseStatus.PROSPECT:
            employees = int(rng.lognormvariate(4.6 if foreign else 3.3, 1.1)) + 2
        enterprise = Enterprise(
            name=name,
            tax_code=tax_code or self.people.tax_code(),
            locality=locality,
            industry=industry,
            status=status,
            size=_size(employees) if employees else rng.choice(("", EnterpriseSize.LARGE)),
            ownership=Ownership.FOREIGN if foreign else Ownership.DOMESTIC,
            country=country,
            address=self.places.address(locality),
            employees=employees,
        )
        enterprise._brand = brand
        nodes = self.nodes_by_industry[industry.pk]
        node_ids = [node.pk for node in rng.sample(nodes, min(len(nodes), rng.choice((1, 1, 2))))]
        contacts = []
        roll = rng.random()
        count = 2 if roll < 0.15 else 1 if roll < (0.75 if status == "prospect" else 0.6) else 0
        domain = fold(brand).replace(" ", "").replace("-", "") + ".example"
        for n in range(count):
            person = self.contact_name(country)
            login = fold(person).replace(" ", ".") if person.isascii() or country == "VN" else ""
            contacts.append(
                Contact(
                    enterprise=enterprise,
                    name=person,
                    position=words.CONTACT_POSITIONS[min(n * 2 + rng.randrange(3), 6)],
                    phone=self.people.mobile(),
                    email=f"{login or 'lienhe'}@{domain}",
                    is_primary=n == 0,
                )
            )
        return enterprise, contacts, node_ids


def _size(employees: int) -> str:
    if employees <= 10:
        return EnterpriseSize.MICRO
    if employees <= 100:
        return EnterpriseSize.SMALL
    if employees <= 200:
        return EnterpriseSize.MEDIUM
    return EnterpriseSize.LARGE


def _enterprises(writer, actor, maker: EnterpriseMaker, count: int, pinned_specs) -> Registry:
    registry = Registry()
    rng = maker.rng
    through = Enterprise.chain_nodes.through
    pending: list[tuple[Enterprise, list[Contact], list[int]]] = []

    def flush() -> None:
        enterprises = writer.insert([e for e, _c, _n in pending])
        writer.insert([c for _e, contacts, _n in pending for c in contacts])
        links = [
            through(enterprise_id=e.pk, chainnode_id=node_id)
            for e, _c, node_ids in pending
            for node_id in node_ids
        ]
        through.objects.bulk_create(links, batch_size=writer.batch_size)
        writer.flushed[through._meta.label] += len(links)
        for enterprise in enterprises:
            firm = Firm(enterprise.pk, enterprise._brand, enterprise.industry_id, enterprise.status)
            registry.by_kind[(firm.industry_id, firm.status)].append(firm)
        writer.flush_audit(actor)
        pending.clear()

    # The enterprises the enterprise users work for, with the tax codes of their logins.
    for tax_code, name, locality in pinned_specs:
        industry = _trade_industry(name, maker.industries)
        chinese = name.endswith("(Việt Nam)") and any(
            f" {brand} " in f"{name} " for brand in words.CHINESE_COMPANY_BRANDS
        )
        brand = next(
            (b for b in (*words.CHINESE_COMPANY_BRANDS, *maker.brands) if f" {b}" in name), ""
        )
        maker.names.add(name)
        enterprise = Enterprise(
            name=name,
            tax_code=tax_code,
            locality=locality,
            industry=industry,
            status=EnterpriseStatus.OPERATING,
            size=EnterpriseSize.LARGE if chinese else EnterpriseSize.MEDIUM,
            ownership=Ownership.FOREIGN if chinese else Ownership.DOMESTIC,
            country="CN" if chinese else "VN",
            address=maker.places.address(locality),
            employees=1200 if chinese else 180,
        )
        enterprise._brand = brand
        nodes = maker.nodes_by_industry[industry.pk]
        pending.append((enterprise, [], [nodes[0].pk]))
    flush()
    registry.pinned = [firm for firms in registry.by_kind.values() for firm in firms]
    registry.pinned.sort(key=lambda firm: firm.pk)

    for _ in range(max(0, count - len(pinned_specs))):
        roll = rng.random()
        status = (
            EnterpriseStatus.PROSPECT
            if roll < 0.15
            else EnterpriseStatus.CLOSED
            if roll < 0.18
            else EnterpriseStatus.OPERATING
        )
        pending.append(maker.make(status))
        if len(pending) >= CHUNK:
            flush()
    if pending:
        flush()
    return registry


# --- Projects -------------------------------------------------------------------------------


@dataclass
class Spec:
    """A project before it is written: its timeline (in days, relative) and its people."""

    stage: str
    seed: int
    dates: dict[str, datetime.date]  # stage -> date the project entered it (reached only)
    planned: dict[str, datetime.date]
    start: datetime.date  # actual or foreseen construction start
    completion: datetime.date  # actual or foreseen completion
    exit: datetime.date | None  # when it left the dispatch stages (operation, pause)
    paused_from: str = ""
    double_missing: bool = False
    #: a fixed login's project: its report for the current period is still due
    owes_current: bool = False
    stall: tuple[datetime.date, int] | None = None
    # The light in the latest closed period, and the labels of its first and last report period.
    light: tuple[str, list] | None = None
    report_span: str = ""


def _timeline(rng: random.Random, stage: str, today: datetime.date, long_builds: bool) -> Spec:
    neg = rng.randint(20, 120)
    planned_signing = neg + rng.randint(45, 200)
    signing = planned_signing + rng.randint(-20, 60)
    approval = signing + rng.randint(20, 120)
    planned_start = planned_signing + rng.randint(90, 240)
    slip = rng.randint(120, 400) if rng.random() < 0.15 else rng.randint(-15, 60)
    start = max(approval + rng.randint(10, 40), planned_start + slip)
    build = rng.randint(540, 1300) if long_builds else rng.randint(360, 900)
    planned_completion = planned_start + build
    completion = max(start + 180, start + build + rng.randint(-30, 90))
    planned_operation = planned_completion + rng.randint(30, 120)
    operation = completion + rng.randint(30, 120)
    entries = [0, neg, signing, approval, start, completion, operation]

    paused_from = ""
    side = None
    if stage == Stage.PAUSED:
        paused_from = _weighted(
            rng,
            (
                (Stage.NEGOTIATING, 2),
                (Stage.SIGNED, 2),
                (Stage.APPROVED, 2),
                (Stage.UNDER_CONSTRUCTION, 4),
            ),
        )
        k = PIPELINE.index(paused_from)
        side = entries[k] + rng.randrange(1, max(2, entries[k + 1] - entries[k]))
        now = side + rng.randint(1, 400)
    elif stage == Stage.DROPPED:
        k = rng.choice((0, 1, 1))
        side = entries[k] + rng.randrange(1, max(2, entries[k + 1] - entries[k]))
        now = side + rng.randint(1, 600)
    else:
        k = PIPELINE.index(stage)
        span = entries[k + 1] - entries[k] if k + 1 < len(entries) else rng.randint(30, 1000)
        if long_builds and k == len(entries) - 1:
            span = rng.randint(30, 500)
        age = rng.random() ** 0.6 if long_builds else rng.random()
        now = entries[k] + int(age * max(1, span))
    base = today - datetime.timedelta(days=now)

    def day(offset: int) -> datetime.date:
        return base + datetime.timedelta(days=offset)

    dates = {PIPELINE[j]: day(entries[j]) for j in range(k + 1)}
    if side is not None:
        dates[stage] = day(side)
    exit_day = None
    if stage == Stage.IN_OPERATION:
        exit_day = dates[Stage.IN_OPERATION]
    elif stage == Stage.PAUSED and k >= PIPELINE.index(Stage.SIGNED):
        exit_day = dates[Stage.PAUSED]
    elif stage == Stage.DROPPED:
        exit_day = dates[Stage.DROPPED]
    return Spec(
        stage=stage,
        seed=rng.getrandbits(32),
        dates=dates,
        planned={
            "signing": day(planned_signing),
            "start": day(planned_start),
            "completion": day(planned_completion),
            "operation": day(planned_operation),
        },
        start=day(start),
        completion=day(completion),
        exit=exit_day,
        paused_from=paused_from,
    )


def _stage_at(spec: Spec, day: datetime.date) -> str | None:
    """The stage the project was in at the end of `day`; None before it existed."""
    current = None
    for stage in STAGE_ORDER:
        reached = spec.dates.get(stage)
        if reached is not None and reached <= day and (current is None or reached >= current[1]):
            current = (stage, reached)
    return current[0] if current else None


class Calendar:
    def __init__(self, periods: list[DispatchPeriod], today: datetime.date):
        self.periods = periods
        self.today = today
        self.refs = [min(p.ends_on, today) for p in periods]
        self.last = len(periods) - 1

    def window(self, spec: Spec) -> range:
        """Indexes of the periods the project reports in: in a dispatch stage at their end."""
        signing = spec.dates.get(Stage.SIGNED)
        if signing is None:
            return range(0)
        first = bisect.bisect_left(self.refs, signing)
        end = len(self.refs) if spec.exit is None else bisect.bisect_left(self.refs, spec.exit)
        return range(first, end)


def _progress(spec: Spec, day: datetime.date) -> float:
    if day < spec.start:
        return 0.0
    if day >= spec.completion:
        return 100.0
    total = (spec.completion - spec.start).days
    done = (day - spec.start).days
    value = done * 100 / total
    if spec.stall is not None:
        # An obstacle: progress nearly stops, then catches up once it is resolved.
        begin, length = spec.stall
        since = (day - begin).days
        slope = 100 / total
        if 0 <= since <= length:
            value -= 0.85 * slope * since
        elif since > length:
            value -= max(0.0, 0.85 * slope * length - 0.5 * slope * (since - length))
    return min(99.0, max(0.0, value))


def _funds_share(spec: Spec, day: datetime.date, progress: float) -> float:
    signing = spec.dates[Stage.SIGNED]
    if day < spec.start:
        lead_in = max(1, (spec.start - signing).days)
        return 0.05 + 0.10 * min(1.0, (day - signing).days / lead_in)
    if day < spec.completion:
        return 0.15 + 0.80 * progress / 100
    return min(1.0, 0.95 + 0.05 * (day - spec.completion).days / 90)


def _story(spec: Spec, cal: Calendar, amount_milli: int) -> list[tuple]:
    """(period index, status, progress or None, funds delta in thousandths) per report slot."""
    rng = random.Random(spec.seed)
    window = cal.window(spec)
    if spec.start < spec.completion and rng.random() < 0.25:
        total = (spec.completion - spec.start).days
        length = rng.randint(60, 200)
        begin = spec.start + datetime.timedelta(days=int(total * rng.uniform(0.1, 0.5)))
        if begin + datetime.timedelta(days=int(length * 2.8)) < spec.completion:
            spec.stall = (begin, length)
    rows = []
    cumulative = 0
    shown = 0.0
    for index in window:
        roll = rng.random()
        if index == cal.last:
            status = SUBMITTED if roll < 0.65 and not spec.owes_current else DUE
        elif (spec.double_missing and index >= cal.last - 2) or roll < 0.02:
            status = DUE
        elif index >= cal.last - 3 and roll < 0.08:
            status = RETURNED
        else:
            status = ACCEPTED
        if status == DUE:
            rows.append((index, status, None, 0))
            continue
        day = cal.refs[index]
        shown = max(shown, round(_progress(spec, day), 2))
        target = int(amount_milli * _funds_share(spec, day, shown))
        delta = max(0, target - cumulative)
        cumulative += delta
        rows.append((index, status, shown, delta))
    return rows


class ProjectMaker:
    def __init__(self, rng, registry, places, industries, nodes_by_industry, staff, cal, plan):
        self.rng, self.registry, self.places = rng, registry, places
        self.industries = list(industries.values())
        self.nodes_by_industry = nodes_by_industry
        self.staff = staff
        self.cal = cal
        self.long_builds = plan.cycle == CycleFrequency.WEEKLY
        self.threshold = None

    def officer_for(self, locality: Locality):
        for place in (locality, locality.parent):
            officers = self.staff["officers"].get(place.pk if place else None)
            if officers:
                return self.rng.choice(officers)
        return None

    def make(self, n: int, today: datetime.date) -> tuple[Project, Spec]:
        rng = self.rng
        weights = LARGE_STAGE_WEIGHTS if self.long_builds else STAGE_WEIGHTS
        stage = STAGE_ORDER[n] if n < len(STAGE_ORDER) else _weighted(rng, weights)
        spec = _timeline(rng, stage, today, self.long_builds)
        reached_signing = Stage.SIGNED in spec.dates
        status = EnterpriseStatus.OPERATING if reached_signing else EnterpriseStatus.PROSPECT
        industry = rng.choice(self.industries)
        pinned = {4: 0, 6: 1}.get(n)
        if pinned is not None and pinned < len(self.registry.pinned):
            # The enterprise users' own companies build and run a project each.
            investor = self.registry.pinned[pinned]
            industry = next(i for i in self.industries if i.pk == investor.industry_id)
        else:
            investor = self.registry.pick(rng, industry.pk, status)
        node = rng.choice(self.nodes_by_industry[industry.pk])
        locality = self.places.pick()
        roll = rng.random()
        if roll < 0.85:
            planned = _log_uniform(rng, 50, 800)
        elif roll < 0.95:
            planned = _log_uniform(rng, 800, 2000)
        else:
            planned = _log_uniform(rng, 2000, 12000)
        planned_investment = _money(planned)
        expansion = rng.random() < 0.2
        product = node.name[0].lower() + node.name[1:] if node.name[1:2].islower() else node.name
        service = node.segment == ChainSegment.DOWNSTREAM or (
            industry.code in words.SERVICE_INDUSTRIES
        )
        forms = words.SERVICE_FORMS if service else words.FACTORY_FORMS
        name = rng.choice(forms).format(product=product, brand=investor.brand).strip()
        if expansion:
            name = f"{name} {rng.choice(words.EXPANSION_SUFFIXES)}"
        construction = stage in (
            Stage.APPROVED,
            Stage.UNDER_CONSTRUCTION,
            Stage.COMPLETED,
            Stage.IN_OPERATION,
        ) or (spec.paused_from in (Stage.APPROVED, Stage.UNDER_CONSTRUCTION))
        project = Project(
            name=name,
            investor_id=investor.pk,
            industry=industry,
            chain_node=node,
            locality=locality,
            task_force=TaskForce.CONSTRUCTION if construction else TaskForce.PROMOTION,
            officer=self.officer_for(locality),
            project_type=ProjectType.EXPANSION if expansion else ProjectType.NEW,
            lead_source=rng.choice(LeadSource.values),
            stage=stage,
            paused_from=spec.paused_from,
            planned_investment=planned_investment,
            signed_amount=(
                _money(float(planned_investment) * rng.uniform(0.85, 1.05))
                if reached_signing
                else None
            ),
            planned_signing_date=spec.planned["signing"],
            planned_start_date=spec.planned["start"],
            planned_completion_date=spec.planned["completion"],
            planned_operation_date=spec.planned["operation"],
            signing_date=spec.dates.get(Stage.SIGNED),
            approval_date=spec.dates.get(Stage.APPROVED),
            start_date=spec.dates.get(Stage.UNDER_CONSTRUCTION),
            completion_date=spec.dates.get(Stage.COMPLETED),
            operation_date=spec.dates.get(Stage.IN_OPERATION),
            land_area=Decimal(str(round(max(0.5, planned / rng.uniform(15, 60)), 2))),
            jobs_planned=int(planned * rng.uniform(0.8, 3)) // 10 * 10 + 50,
            latitude=Decimal(f"{20.75 + rng.uniform(-0.2, 0.2):.6f}"),
            longitude=Decimal(f"{106.65 + rng.uniform(-0.3, 0.3):.6f}"),
            major_flag=rng.random() < 0.03,
        )
        project.refresh_major()
        if project.is_major or rng.random() < 0.1:
            project.leader = rng.choice(self.staff["leaders"])
        last_change = max(spec.dates.values())
        first = spec.dates[Stage.LEAD]
        project.created_at = _aware(first, rng.randint(8, 16), rng.randrange(60))
        project.updated_at = project.created_at
        project.stage_changed_at = _aware(last_change, rng.randint(8, 16), rng.randrange(60))
        activity = last_change
        if stage in (Stage.LEAD, Stage.NEGOTIATING):
            # A meeting, a visit or a letter since: most leads are worked, some go quiet.
            activity = last_change + datetime.timedelta(
                days=int((today - last_change).days * rng.random() ** 0.5)
            )
        project.last_activity_at = _aware(activity, rng.randint(8, 16))
        return project, spec


#: Projects of each fixed locality login's home that report in the current period, due still.
HOME_DUE = 2


def _home_projects(made, homes, staff, cal: Calendar) -> None:
    """Every fixed locality login (quan1, kcn1) lands on a to-do with reports due: HOME_DUE
    projects of their home (the first district, the first park, with their sub-localities)
    report in the current period and have not yet. Projects already there are used first;
    the others come from places that are no fixed login's home. No random draw is taken, so
    the rest of the demo stays as it was."""
    home_pks = {home.pk for home, _username in homes}

    def home_of(project: Project):
        if project.locality.pk in home_pks:
            return project.locality.pk
        parent = project.locality.parent_id
        return parent if parent in home_pks else None

    def reporting(spec: Spec) -> bool:
        return spec.stage in DISPATCH_STAGES and spec.exit is None and cal.last in cal.window(spec)

    spare = [(p, s) for p, s in made if reporting(s) and home_of(p) is None]
    for home, username in homes:
        own = [(p, s) for p, s in made if reporting(s) and home_of(p) == home.pk]
        officer = next(
            (u for u in staff["officers"].get(home.pk, []) if u.username == username), None
        )
        for project, spec in own[:HOME_DUE] + spare[: max(0, HOME_DUE - len(own))]:
            if home_of(project) != home.pk:
                spare.remove((project, spec))
                project.locality = home
                if officer is not None:
                    project.officer = officer
            spec.owes_current = True


def _changes(rng, project: Project, spec: Spec, coordinators) -> list[ProjectStageChange]:
    changes = []
    path = [s for s in PIPELINE if s in spec.dates]
    steps = list(itertools.pairwise(path))
    if spec.stage in (Stage.PAUSED, Stage.DROPPED):
        steps.append((path[-1], spec.stage))
    for from_stage, to_stage in steps:
        day = spec.dates[to_stage]
        moment = _aware(day, rng.randint(8, 17), rng.randrange(60))
        changes.append(
            ProjectStageChange(
                project=project,
                from_stage=from_stage,
                to_stage=to_stage,
                effective_date=day,
                actor=project.officer or rng.choice(coordinators),
                reason=rng.choice(words.STAGE_REASONS[to_stage]),
                created_at=moment,
            )
        )
    return changes


# --- Lights ---------------------------------------------------------------------------------


def _light_of(spec: Spec, project: Project, cal: Calendar, rules, index: int, reports, history):
    period = cal.periods[index]
    day = cal.refs[index]
    stage = _stage_at(spec, day)
    if stage is None:
        return None
    slot = reports.get(index)
    report = None
    progress = Decimal("0")
    for i in sorted(reports):
        if i <= index and reports[i][1] is not None:
            progress = Decimal(str(reports[i][1])).quantize(_CENTI)
    if slot is not None:
        report = SimpleNamespace(
            status=slot[0],
            progress_percent=(None if slot[1] is None else Decimal(str(slot[1])).quantize(_CENTI)),
        )
    state = SimpleNamespace(
        stage=stage,
        planned_start_date=project.planned_start_date,
        planned_completion_date=project.planned_completion_date,
        progress_percent=progress,
        last_activity_at=project.last_activity_at
        if day >= project.last_activity_at.date()
        else None,
        stage_changed_at=_aware(spec.dates[stage], 9),
        created_at=project.created_at,
    )
    return light_engine.evaluate(state, period, rules, history, today=cal.today, report=report)


def _light(spec: Spec, project: Project, cal: Calendar, rules, story) -> tuple[str, list] | None:
    """The light in the latest closed period, from the three periods before it."""
    latest = cal.last - 1
    if latest < 0:
        return None
    reports = {index: (status, progress) for index, status, progress, _d in story}
    history = []
    for index in range(max(0, latest - 3), latest + 1):
        result = _light_of(spec, project, cal, rules, index, reports, history)
        if result is None:
            continue
        colour, reasons = result
        if index == latest:
            return colour, reasons
        if colour:
            codes = frozenset(reason["code"] for reason in reasons)
            history.insert(0, light_engine.PastLight(colour, codes))
        else:
            history.clear()
    return None


# --- Reports --------------------------------------------------------------------------------

REPORT_FIELDS = (
    "project",
    "period",
    "status",
    "narrative",
    "progress_percent",
    "progress_drop_reason",
    "funds_this_period",
    "jobs_created",
    "milestones",
    "next_steps",
    "obstacles_text",
    "submitted_at",
    "submitted_by",
    "reviewed_at",
    "reviewed_by",
    "review_comment",
    "version",
    "created_at",
    "updated_at",
)


class ReportWriter:
    """Streams every report row as a tuple in database form: nothing kept once written."""

    def __init__(self, cal: Calendar, coordinators):
        self.cal = cal
        self.coordinators = coordinators
        self.moments: dict[tuple[datetime.date, int], object] = {}
        self.adapt = connection.ops.adapt_datetimefield_value

    def moment(self, day: datetime.date, hour: int):
        key = (day, hour)
        if key not in self.moments:
            self.moments[key] = self.adapt(_aware(day, hour))
        return self.moments[key]

    def rows(self, project: Project, spec: Spec):
        cal = self.cal
        text = random.Random(spec.seed ^ 0x5EED)
        officer_id = project.officer_id or self.coordinators[0].pk
        reviewer_id = self.coordinators[spec.seed % len(self.coordinators)].pk
        signed = float(project.signed_amount or 0) * 1000
        cumulative = 0
        previous = None
        amount = int((project.signed_amount or 0) * 1000)
        for index, status, progress, delta in _story(spec, cal, amount):
            period = cal.periods[index]
            day = cal.refs[index]
            opened = self.moment(period.starts_on, 0)
            if status == DUE:
                yield (
                    project.pk,
                    period.pk,
                    status,
                    "",
                    None,
                    "",
                    Decimal(0),
                    0,
                    "",
                    "",
                    "",
                    None,
                    None,
                    None,
                    None,
                    "",
                    1,
                    opened,
                    opened,
                )
                continue
            cumulative += delta
            if index == cal.last:
                submitted_day = period.starts_on + datetime.timedelta(
                    days=text.randrange(max(1, (cal.today - period.starts_on).days + 1))
                )
            else:
                submitted_day = period.ends_on + datetime.timedelta(days=text.randint(0, DUE_DAYS))
            submitted = self.moment(submitted_day, text.randint(8, 17))
            reviewed = reviewer = None
            comment = ""
            version = 2
            if status in (ACCEPTED, RETURNED):
                reviewed = self.moment(
                    min(cal.today, submitted_day + datetime.timedelta(days=text.randint(1, 4))),
                    text.randint(8, 17),
                )
                reviewer, version = reviewer_id, 3
                if status == RETURNED:
                    comment = text.choice(words.RETURN_COMMENTS)
            narrative, obstacles, milestone, jobs = self.narrate(
                text, spec, day, progress, cumulative, signed, previous
            )
            previous = progress
            yield (
                project.pk, period.pk, status, narrative, Decimal(f"{progress:.2f}"), "",
                Decimal(delta) / _THOUSAND, jobs, milestone, text.choice(words.NEXT_STEPS),
                obstacles, submitted, officer_id, reviewed, reviewer, comment, version,
                opened, reviewed or submitted,
            )  # fmt: skip

    def narrate(self, text, spec, day, progress, cumulative, signed, previous):
        share = round(cumulative * 100 / signed) if signed else 0
        funds = f"Vốn thực hiện lũy kế đạt khoảng {share}% vốn đăng ký."
        obstacles = milestone = ""
        jobs = 0
        if day < spec.start:
            task = words.PREPARATION_TASKS[text.randrange(len(words.PREPARATION_TASKS))]
            narrative = f"Nhà đầu tư đang hoàn thiện {task}. {funds}"
        elif day < spec.completion:
            works = words.CONSTRUCTION_WORKS
            work = works[min(len(works) - 1, int(progress * len(works) / 100))]
            narrative = (
                f"Đang {work}; khối lượng hoàn thành {progress:.0f}% ".replace(".", ",")
                + f"tổng khối lượng. {funds}"
            )
            jobs = text.randint(0, 15)
            if spec.stall is not None:
                begin, length = spec.stall
                since = (day - begin).days
                if 0 <= since <= length:
                    obstacles = words.OBSTACLES[spec.seed % len(words.OBSTACLES)]
                elif length < since <= length * 3:
                    narrative += " " + words.OBSTACLE_RESOLVED[spec.seed % 2]
            if previous is not None and progress - previous >= 8 and text.random() < 0.5:
                milestone = text.choice(words.MILESTONES)
        else:
            task = words.COMPLETION_TASKS[text.randrange(len(words.COMPLETION_TASKS))]
            narrative = f"Đã hoàn thành xây dựng; đang {task}. {funds}"
            jobs = text.randint(10, 120)
        return narrative, obstacles, milestone, jobs


def _write_reports(writer: BulkWriter, actor, cal, coordinators, projects_specs) -> int:
    report_writer = ReportWriter(cal, coordinators)
    fields = [ProgressReport._meta.get_field(name).column for name in REPORT_FIELDS]

    def stream():
        for project, spec in projects_specs:
            yield from report_writer.rows(project, spec)

    written = insert_rows(ProgressReport, fields, stream())
    writer.flushed[ProgressReport._meta.label] += written
    return written


def _audit_reports(actor, spans: dict[int, tuple[str, str]]) -> int:
    """One CREATE entry per project for the reports inserted for it, on its first report.

    Two million entries, one per report, would double the demo's time and size for rows no
    one edited; the entry names the project, how many reports, their periods and pk range.
    """
    content_type = ContentType.objects.get_for_model(ProgressReport)
    ranges = (
        ProgressReport.objects.values("project_id")
        .annotate(first=Min("pk"), last=Max("pk"), count=Count("pk"))
        .order_by("project_id")
    )

    def entries():
        for row in ranges.iterator(chunk_size=5000):
            code, span = spans[row["project_id"]]
            yield LogRow(
                content_type.pk,
                row["first"],
                f"{code}: {row['count']} báo cáo tiến độ",
                {
                    "project": [None, code],
                    "reports": [None, row["count"]],
                    "periods": [None, span],
                },
                {"bulk": True, "first_pk": row["first"], "last_pk": row["last"]},
            )

    return write_log_entries(entries(), actor)


# --- The whole pipeline ---------------------------------------------------------------------


def generate_pipeline(
    *,
    writer: BulkWriter,
    actor,
    seed: int,
    plan,
    today: datetime.date,
    localities: tuple[list[Locality], list[Locality], list[Locality]],
    people: PeopleFactory,
    users: list,
    planned_users: list,
) -> int:
    """Enterprises, projects, periods, reports and lights; returns the audit entries written."""
    rng = random.Random(f"pipeline-{seed}")
    districts, parks, communes = localities
    industries = {industry.code: industry for industry in Industry.objects.order_by("code")}
    nodes_by_industry = defaultdict(list)
    for node in ChainNode.objects.order_by("industry_id", "path"):
        if node.depth >= 1:
            nodes_by_industry[node.industry_id].append(node)
    staff = {"officers": defaultdict(list), "leaders": [], "coordinators": []}
    pinned_specs = []
    for user, planned in zip(users, planned_users, strict=True):
        for role, scope in planned.roles:
            if role == Role.LOCALITY:
                staff["officers"][scope.pk].append(user)
            elif role == Role.LEADER:
                staff["leaders"].append(user)
            elif role == Role.COORDINATOR:
                staff["coordinators"].append(user)
            elif role == Role.ENTERPRISE and scope not in {s[0] for s in pinned_specs}:
                company = planned.title[planned.title.index("Công ty") :]
                pinned_specs.append((scope, company, None))
    places = Places(rng, districts, parks, communes)
    # The fixed logins' companies: one in the first district, one in the first park.
    pinned_specs = [
        (tax, name, districts[0] if n == 0 else parks[0] if n == 1 else places.pick())
        for n, (tax, name, _none) in enumerate(pinned_specs)
    ]
    writer.flush_audit(actor)

    with own_timestamps(DispatchPeriod):
        periods = _dispatch(writer, today, plan.cycle)
    rules = LightRules.objects.first()
    if rules is None:
        rules = writer.insert([LightRules()])[0]
    writer.flush_audit(actor)
    cal = Calendar(periods, today)

    contact_people = PeopleFactory(rng)
    contact_people.tax_codes = people.tax_codes
    maker = EnterpriseMaker(rng, contact_people, places, industries, nodes_by_industry)
    registry = _enterprises(writer, actor, maker, plan.enterprises, pinned_specs)

    project_maker = ProjectMaker(
        rng, registry, places, industries, nodes_by_industry, staff, cal, plan
    )
    made = [project_maker.make(n, today) for n in range(plan.projects)]
    homes = [(districts[0], "quan1"), (parks[0], "kcn1")] if districts and parks else []
    _home_projects(made, homes, staff, cal)
    # Codes follow the order in which the leads came in: DA-<year>-<number in the year>.
    made.sort(key=lambda pair: (pair[1].dates[Stage.LEAD], pair[1].seed))
    per_year: dict[int, int] = defaultdict(int)
    still_reporting = 0
    for project, spec in made:
        year = spec.dates[Stage.LEAD].year
        per_year[year] += 1
        project.code = format_code(year, per_year[year])
        if spec.stage in DISPATCH_STAGES and spec.exit is None:
            still_reporting += 1
            spec.double_missing = still_reporting <= 2 or rng.random() < 0.005
        # The story is computed again, identically, while the reports stream in: keeping two
        # million report tuples in memory until then would not be flat.
        story = _story(spec, cal, int((project.signed_amount or 0) * 1000))
        reported = [row for row in story if row[2] is not None]
        project.funds_in_place = Decimal(sum(row[3] for row in story)) / _THOUSAND
        if reported:
            project.progress_percent = Decimal(f"{reported[-1][2]:.2f}")
        elif Stage.COMPLETED in spec.dates:
            project.progress_percent = Decimal("100")
        if story:
            spec.report_span = f"{periods[story[0][0]].label} – {periods[story[-1][0]].label}"
        spec.light = _light(spec, project, cal, rules, story)
        if project.stage in NO_LIGHT_STAGES:
            continue
        if spec.light is not None:
            project.light, project.light_reasons = spec.light
        else:  # A lead newer than the latest closed period: nothing against it yet.
            project.light = Light.GREEN
    with own_timestamps(Project, ProjectStageChange, ProjectLight):
        writer.insert([project for project, _spec in made])
        coordinators = staff["coordinators"]
        changes = [c for project, spec in made for c in _changes(rng, project, spec, coordinators)]
        writer.insert(changes)
        computed = _aware(periods[-2].due_on if len(periods) > 1 else today, 18)
        writer.insert(
            [
                ProjectLight(
                    project=project,
                    period=periods[cal.last - 1],
                    light=spec.light[0],
                    reasons=spec.light[1],
                    computed_at=computed,
                )
                for project, spec in made
                if spec.light is not None and spec.light[0]
            ]
        )
    writer.flush_audit(actor)
    _write_reports(writer, actor, cal, coordinators, made)
    spans = {project.pk: (project.code, spec.report_span) for project, spec in made}
    return writer.audit_written + _audit_reports(actor, spans)
