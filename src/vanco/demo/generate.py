"""Build the demo city: localities, departments, leading industries with chains, users, roles,
then its investment pipeline (pipeline.py): enterprises, projects, dispatch reports and lights,
and last the serving of enterprises (serve.py): pairings, visits, obstacles and their timelines.

Everything derives from one `random.Random(seed)`, consumed in a fixed order, so a seed and a
scale always give the same names and codes. The fixed demo logins and the places they are scoped
to do not depend on the seed at all, so documentation can name them.
"""

import datetime
import random
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext

from vanco.accounts.enums import Role
from vanco.accounts.models import RoleAssignment
from vanco.core.audit import acting_as_system
from vanco.core.text import fold
from vanco.demo import words
from vanco.demo.bulk import BulkWriter, fast_sqlite
from vanco.demo.chains import INDUSTRIES, SEGMENT_WORDS, parse_outline
from vanco.demo.geo import generate_map
from vanco.demo.meetings import generate_meetings
from vanco.demo.people import PeopleFactory
from vanco.demo.pipeline import generate_pipeline
from vanco.demo.promotion import generate_promotion
from vanco.demo.reports import generate_reports
from vanco.demo.serve import generate_serving
from vanco.demo.targets import generate_targets
from vanco.demo.users import FIXED_LOGINS, UserPlanner, insert_users
from vanco.industries.models import ChainNode, Industry
from vanco.org.enums import LocalityKind
from vanco.org.models import Department, Locality
from vanco.projects.enums import CycleFrequency

DEFAULT_SEED = 1


@dataclass(frozen=True)
class Scale:
    urban_districts: int
    rural_districts: int
    towns: int
    parks: int
    communes: tuple[int, int]  # per district, county or town
    leaf_share: float  # share of the chains' finest nodes kept
    leaders: int
    coordinators: int
    auditors: int
    officers_per_department: int
    officers_per_locality: int  # per district, county, town and park
    officers_per_commune: int
    cadres: int
    enterprise_users: int
    enterprises: int
    projects: int
    # Monthly gives 37 periods over three years; the large city reports weekly (157 periods),
    # which is what brings 20,000 projects to about two million progress reports.
    cycle: str = CycleFrequency.MONTHLY


SCALES = {
    "small": Scale(
        urban_districts=3,
        rural_districts=4,
        towns=1,
        parks=4,
        communes=(3, 6),
        leaf_share=0.55,
        leaders=2,
        coordinators=2,
        auditors=1,
        officers_per_department=1,
        officers_per_locality=1,
        officers_per_commune=0,
        cadres=10,
        enterprise_users=3,
        enterprises=200,
        projects=80,
    ),
    "medium": Scale(
        urban_districts=4,
        rural_districts=6,
        towns=2,
        parks=7,
        communes=(6, 12),
        leaf_share=0.8,
        leaders=4,
        coordinators=6,
        auditors=3,
        officers_per_department=2,
        officers_per_locality=2,
        officers_per_commune=0,
        cadres=45,
        enterprise_users=15,
        enterprises=5000,
        projects=1000,
    ),
    # About 5,000 users, most of them paired officials, as in a city running the
    # "thousand cadres into thousand enterprises" campaign.
    "large": Scale(
        urban_districts=8,
        rural_districts=16,
        towns=4,
        parks=15,
        communes=(12, 18),
        leaf_share=1.0,
        leaders=8,
        coordinators=20,
        auditors=6,
        officers_per_department=10,
        officers_per_locality=3,
        officers_per_commune=1,
        cadres=3000,
        enterprise_users=1230,
        enterprises=100_000,
        projects=20_000,
        cycle=CycleFrequency.WEEKLY,
    ),
}

_KIND_PREFIX = {
    LocalityKind.DISTRICT: "Quận",
    LocalityKind.COUNTY: "Huyện",
    LocalityKind.TOWN: "Thị xã",
}


def demo_logins() -> list[tuple[str, str, str]]:
    """(username, role, scope) of the fixed demo logins present in the database, in a set order."""
    user_model = get_user_model()
    users = user_model._default_manager.filter(
        username__in=[login.username for login in FIXED_LOGINS]
    ).prefetch_related("role_assignments__locality", "role_assignments__department")
    by_username = {user.username: user for user in users}
    rows = []
    for login in FIXED_LOGINS:
        user = by_username.get(login.username)
        if user is None:
            continue
        for assignment in user.role_assignments.all():
            if assignment.role == login.role:
                rows.append((login.username, str(Role(login.role).label), _scope(assignment)))
                break
    return rows


def _scope(assignment: RoleAssignment) -> str:
    if assignment.locality is not None:
        return assignment.locality.name
    if assignment.department is not None:
        return assignment.department.name
    if assignment.enterprise_tax_code:
        return f"MST {assignment.enterprise_tax_code}"
    if assignment.role == Role.CADRE:
        return gettext("Paired enterprises")
    return gettext("Whole city")


def generate(
    scale: str = "small", seed: int = DEFAULT_SEED, today: datetime.date | None = None
) -> dict[str, int]:
    """Fill an empty database; returns rows created per model label (audit entries included).

    `today` (default: the local date) anchors the three years of dispatch periods.
    """
    plan = SCALES[scale]
    rng = random.Random(seed)
    user_model = get_user_model()
    today = today or timezone.localdate()
    with fast_sqlite(), transaction.atomic(), acting_as_system() as system:
        taken = set(user_model._default_manager.values_list("username", flat=True))
        people = PeopleFactory(rng, taken_usernames=taken)
        writer = BulkWriter()
        districts, parks, communes = _localities(writer, rng, plan)
        departments = _departments(writer, people)
        industries = _industries(writer, rng, plan)
        localities = (districts, parks, communes)
        planner = UserPlanner(people, rng, plan)
        planned = planner.plan_all(*localities, departments, industries)
        users = insert_users(writer, people, planned)
        audit = generate_pipeline(
            writer=writer,
            actor=system,
            seed=seed,
            plan=plan,
            today=today,
            localities=localities,
            people=people,
            users=users,
            planned_users=planned,
        )
        # Pairings, visits and obstacles: their own random stream, after everything else.
        audited = writer.audit_written
        generate_serving(writer=writer, actor=system, seed=seed, scale=scale, today=today)
        # The leadership layer: target investors at the chain gaps, meetings and directives
        # about the records above, targets set against them, the map, a first bulletin.
        generate_promotion(writer=writer, actor=system, seed=seed, scale=scale, today=today)
        generate_meetings(writer=writer, actor=system, seed=seed, scale=scale, today=today)
        audit += writer.audit_written - audited
        counts = writer.count()
        counts.update(generate_targets(rng=random.Random(f"targets-{seed}"), today=today))
        mapped = generate_map(rng=random.Random(f"map-{seed}"))
        counts["org.Locality (boundaries)"] = mapped["localities"]
        counts["reports.Report"] = generate_reports(scale=scale)
        counts["auditlog.LogEntry"] = audit
    if connection.vendor == "postgresql":
        # Fresh statistics, so that the first pages after a demo already get good plans
        # (autovacuum would take its time over millions of new rows).
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    return counts


# --- Localities ------------------------------------------------------------------------------


def _initials(name: str) -> str:
    return "".join(word[0] for word in fold(name).split()).upper()


class _Codes:
    """Short codes from initials (Hồng Hà -> HH), lengthened or numbered when already taken."""

    def __init__(self):
        self.taken: set[str] = set()

    def make(self, name: str, prefix: str = "") -> str:
        folded = fold(name).split()
        base = prefix + _initials(name)
        candidates = [base, base + folded[-1][1:2].upper()]
        candidates += [f"{base}{n}" for n in range(2, 100)]
        code = next(c for c in candidates if c not in self.taken)
        self.taken.add(code)
        return code


def _localities(writer: BulkWriter, rng: random.Random, plan: Scale):
    codes = _Codes()
    codes.taken.add(words.CITY_CODE)
    city = Locality(code=words.CITY_CODE, name=words.CITY_NAME, kind=LocalityKind.CITY)
    districts: list[Locality] = []
    by_bare_name: dict[str, Locality] = {}
    for kind, pool, count in (
        (LocalityKind.DISTRICT, words.URBAN_DISTRICTS, plan.urban_districts),
        (LocalityKind.COUNTY, words.RURAL_DISTRICTS, plan.rural_districts),
        (LocalityKind.TOWN, words.TOWNS, plan.towns),
    ):
        for bare in pool[:count]:
            district = Locality(
                code=codes.make(bare),
                name=f"{_KIND_PREFIX[kind]} {bare}",
                kind=kind,
                parent=city,
            )
            districts.append(district)
            by_bare_name[bare] = district

    parks: list[Locality] = []
    for bare, host in words.INDUSTRIAL_PARKS:
        if len(parks) == plan.parks:
            break
        if host is not None and host not in by_bare_name:
            continue
        parks.append(
            Locality(
                code=codes.make(bare, prefix="KCN-"),
                name=f"Khu công nghiệp {bare}",
                kind=LocalityKind.INDUSTRIAL_PARK,
                parent=by_bare_name[host] if host else city,
            )
        )

    communes: list[Locality] = []
    for district in districts:
        bare_district = district.name.removeprefix(_KIND_PREFIX[district.kind]).strip()
        count = rng.randint(*plan.communes)
        if district.kind == LocalityKind.COUNTY:
            # A rural district's seat is a township named after it; the rest are communes.
            names = [f"Thị trấn {bare_district}"]
            names += [f"Xã {n}" for n in rng.sample(words.COMMUNES, count - 1)]
        else:
            names = [f"Phường {n}" for n in rng.sample(words.WARDS, count)]
        for position, name in enumerate(names, start=1):
            communes.append(
                Locality(
                    code=f"{district.code}-{position:02d}",
                    name=name,
                    kind=LocalityKind.COMMUNE,
                    parent=district,
                )
            )
    writer.insert_tree([city, *districts, *parks, *communes])
    return districts, parks, communes


# --- Departments and industries --------------------------------------------------------------


def _departments(writer: BulkWriter, people: PeopleFactory) -> list[Department]:
    departments = [
        Department(
            code=code,
            name=name,
            short_name=short_name,
            email=f"{code.lower().replace('-', '.')}@{words.MAIL_DOMAIN}",
            phone=people.landline(),
        )
        for code, name, short_name, _head in words.DEPARTMENTS
    ]
    return writer.insert(departments)


def _industries(writer: BulkWriter, rng: random.Random, plan: Scale) -> list[Industry]:
    industries = [
        Industry(code=spec.code, name=spec.name, description=spec.description, sort_order=n * 10)
        for n, spec in enumerate(INDUSTRIES, start=1)
    ]
    writer.insert(industries)
    nodes: list[ChainNode] = []
    for industry, spec in zip(industries, INDUSTRIES, strict=True):
        built: dict[str, ChainNode] = {}
        for node in parse_outline(spec.outline):
            finest = node.depth == 2 and not node.children
            if finest and rng.random() >= plan.leaf_share:
                continue
            description = ""
            if node.parent is None:
                description = f"Khâu {SEGMENT_WORDS[node.segment]} của chuỗi {industry.name}."
            if node.is_key:
                description = (
                    description + " Mắt xích trọng điểm: thành phố ưu tiên thu hút nhà đầu tư."
                ).strip()
            built[node.code] = ChainNode(
                industry=industry,
                parent=built[node.parent.code] if node.parent else None,
                code=node.code,
                name=node.name,
                segment=node.segment,
                is_key=node.is_key,
                description=description,
                sort_order=node.sort_order,
            )
        nodes.extend(built.values())
    writer.insert_tree(nodes)
    return industries
