"""The demo's people: fixed logins for every role, then a crowd of officials and enterprises."""

import random
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password

from vanco.accounts.enums import Role
from vanco.accounts.models import RoleAssignment
from vanco.demo import words
from vanco.demo.bulk import BulkWriter
from vanco.demo.people import PeopleFactory, Person
from vanco.industries.models import Industry
from vanco.org.models import Department, Locality

# Published on purpose: every demo user logs in with it; a demo is never a production system.
DEMO_PASSWORD = "vanco-demo-2026"  # noqa: S105


@dataclass(frozen=True)
class FixedLogin:
    username: str
    full_name: str
    role: str
    title: str
    language: str = "vi"
    tax_code: str = ""


# The memorable logins of every demo, whatever the seed or scale. Their scopes: the SKHDT
# department, the first district, the first industrial park and their own tax codes.
FIXED_LOGINS = (
    FixedLogin(
        "lanhdao", "Nguyễn Quốc Trung", Role.LEADER, "Chủ tịch UBND thành phố, Trưởng Ban Chỉ đạo"
    ),
    FixedLogin(
        "dieuphoi", "Trần Thị Thu Hà", Role.COORDINATOR, "Chánh Văn phòng thường trực Ban Chỉ đạo"
    ),
    FixedLogin(
        "kiemtra", "Lê Minh Tuấn", Role.AUDITOR, "Thanh tra viên chính, Thanh tra thành phố"
    ),
    FixedLogin(
        "so.khdt", "Phạm Thị Lan Hương", Role.DEPARTMENT, "Phó Giám đốc Sở Kế hoạch và Đầu tư"
    ),
    FixedLogin("quan1", "Hoàng Văn Nam", Role.LOCALITY, "Phó Chủ tịch UBND Quận Hồng Hà"),
    FixedLogin(
        "kcn1",
        "Vũ Đức Thắng",
        Role.LOCALITY,
        "Phó Trưởng ban Ban Quản lý các KCN, phụ trách Khu công nghiệp Nam Vạn An",
    ),
    FixedLogin("canbo", "Đặng Thị Ngọc Ánh", Role.CADRE, "Chuyên viên chính, Sở Công Thương"),
    FixedLogin(
        "doanhnghiep",
        "Bùi Văn Long",
        Role.ENTERPRISE,
        "Giám đốc Công ty Cổ phần Cơ khí Chính xác Vạn Phát",
        tax_code="0801234560",
    ),
    FixedLogin(
        "qiye",
        "王建华",
        Role.ENTERPRISE,
        "Tổng Giám đốc Công ty TNHH Điện tử Lập Tấn (Việt Nam)",
        language="zh-hans",
        tax_code="0808888883",
    ),
)
FIXED_DEPARTMENT = "SKHDT"


@dataclass
class PlannedUser:
    person: Person
    title: str
    # (role, scope) with scope a Locality, a Department, a tax code or None (whole city).
    roles: list[tuple[str, object]] = field(default_factory=list)
    email_domain: str = words.MAIL_DOMAIN


def _nth(titles: tuple[str, ...], n: int) -> str:
    # Senior titles are unique; everyone past the list shares the last, most junior one.
    return titles[min(n, len(titles) - 1)]


class UserPlanner:
    """Decides who exists, in a fixed order of random draws, before anything is written."""

    def __init__(self, people: PeopleFactory, rng: random.Random, plan):
        self.people, self.rng, self.plan = people, rng, plan
        self.fixed = {login.username: login for login in FIXED_LOGINS}
        for login in FIXED_LOGINS:
            people.reserve(Person(login.full_name, login.username, login.language))
            if login.tax_code:
                people.tax_codes.add(login.tax_code)
                people.companies.add(login.title[login.title.index("Công ty") :])

    def pinned(self, username: str, scope=None) -> PlannedUser:
        login = self.fixed[username]
        domain = words.ENTERPRISE_MAIL_DOMAIN if login.tax_code else words.MAIL_DOMAIN
        person = Person(login.full_name, login.username, login.language)
        if scope is None and login.tax_code:
            scope = login.tax_code
        return PlannedUser(person, login.title, [(login.role, scope)], domain)

    def official(self, title: str, role: str, scope=None) -> PlannedUser:
        return PlannedUser(self.people.vietnamese(), title, [(role, scope)])

    def plan_all(
        self,
        districts: list[Locality],
        parks: list[Locality],
        communes: list[Locality],
        departments: list[Department],
        industries: list[Industry],
    ) -> list[PlannedUser]:
        return [
            *self.city_officials(),
            *self.department_officers(departments),
            *self.locality_officers(districts, parks, communes),
            *self.cadres(departments, districts),
            *self.enterprise_users(industries),
        ]

    def city_officials(self) -> list[PlannedUser]:
        users = []
        for username, role, count, titles in (
            ("lanhdao", Role.LEADER, self.plan.leaders, words.LEADER_TITLES),
            ("dieuphoi", Role.COORDINATOR, self.plan.coordinators, words.COORDINATOR_TITLES),
            ("kiemtra", Role.AUDITOR, self.plan.auditors, words.AUDITOR_TITLES),
        ):
            users.append(self.pinned(username))
            users += [self.official(_nth(titles, n), role) for n in range(count - 1)]
        return users

    def department_officers(self, departments: list[Department]) -> list[PlannedUser]:
        heads = {code: head for code, _name, _short, head in words.DEPARTMENTS}
        users = []
        for department in departments:
            for n in range(self.plan.officers_per_department):
                if n == 0 and department.code == FIXED_DEPARTMENT:
                    users.append(self.pinned("so.khdt", department))
                elif n == 0:
                    title = f"Phó {heads[department.code]} {department.name}"
                    users.append(self.official(title, Role.DEPARTMENT, department))
                else:
                    title = f"{_nth(words.DEPARTMENT_POSITIONS, n - 1)}, {department.name}"
                    users.append(self.official(title, Role.DEPARTMENT, department))
        return users

    def locality_officers(self, districts, parks, communes) -> list[PlannedUser]:
        users = []
        for localities, titles, pinned in (
            (districts, words.DISTRICT_TITLES, "quan1"),
            (parks, words.PARK_TITLES, "kcn1"),
        ):
            for index, locality in enumerate(localities):
                for n in range(self.plan.officers_per_locality):
                    if index == 0 and n == 0:
                        users.append(self.pinned(pinned, locality))
                        continue
                    title = _nth(titles, n).format(unit=locality.name)
                    users.append(self.official(title, Role.LOCALITY, locality))
        for commune in communes:
            for n in range(self.plan.officers_per_commune):
                # Ward names repeat across districts; the district makes the title unambiguous.
                unit = f"{commune.name}, {commune.parent.name}"
                title = _nth(words.COMMUNE_TITLES, n).format(unit=unit)
                users.append(self.official(title, Role.LOCALITY, commune))
        # Some locality officials are also paired with enterprises, as in practice.
        for planned in users:
            if planned.person.username not in self.fixed and self.rng.random() < 0.2:
                planned.roles.append((Role.CADRE, None))
        return users

    def cadres(self, departments, districts) -> list[PlannedUser]:
        # Paired officials are civil servants: of the city's own departments, not of utilities.
        own = [d for d in departments if d.code in words.CITY_DEPARTMENTS]
        users = [self.pinned("canbo")]
        for _ in range(self.plan.cadres - 1):
            if self.rng.random() < 0.7:
                position = self.rng.choice(words.DEPARTMENT_POSITIONS[1:])
                title = f"{position}, {self.rng.choice(own).name}"
            else:
                title = f"Chuyên viên Phòng Kinh tế, UBND {self.rng.choice(districts).name}"
            users.append(self.official(title, Role.CADRE))
        return users

    def enterprise_users(self, industries: list[Industry]) -> list[PlannedUser]:
        pinned = [login for login in FIXED_LOGINS if login.tax_code]
        users = [self.pinned(login.username) for login in pinned]
        company, tax_code = "", ""
        for _ in range(self.plan.enterprise_users - len(pinned)):
            if company and self.rng.random() < 0.15:
                # A second user of the same enterprise (director, then chief accountant) is
                # local staff, whoever the investor is.
                person = self.people.vietnamese()
            else:
                person = self.investor_manager()
                industry_code = self.rng.choice(industries).code
                chinese = person.language == "zh-hans"
                company = self.people.company(industry_code, chinese=chinese)
                tax_code = self.people.tax_code()
            position = self.rng.choice(words.ENTERPRISE_POSITIONS)
            separator = " " if "Giám đốc" in position else ", "
            users.append(
                PlannedUser(
                    person,
                    f"{position}{separator}{company}",
                    [(Role.ENTERPRISE, tax_code)],
                    words.ENTERPRISE_MAIL_DOMAIN,
                )
            )
        return users

    def investor_manager(self) -> Person:
        roll = self.rng.random()
        person = None
        if roll < 0.1:
            person = self.people.chinese()
        elif roll < 0.14:
            person = self.people.foreign()
        return person or self.people.vietnamese()


def insert_users(writer: BulkWriter, people: PeopleFactory, planned: list[PlannedUser]) -> list:
    """Insert the planned users and their roles; returns the users, in the order planned."""
    user_model = get_user_model()
    # One hash for everyone: hashing thousands of passwords one by one would take minutes.
    password = make_password(DEMO_PASSWORD)
    users = [
        user_model(
            username=p.person.username,
            full_name=p.person.full_name,
            title=p.title,
            email=f"{p.person.username}@{p.email_domain}",
            phone=people.mobile(),
            language=p.person.language,
            password=password,
        )
        for p in planned
    ]
    writer.insert(users)
    writer.insert(
        [
            RoleAssignment(
                user=user,
                role=role,
                locality=scope if isinstance(scope, Locality) else None,
                department=scope if isinstance(scope, Department) else None,
                enterprise_tax_code=scope if isinstance(scope, str) else "",
            )
            for user, p in zip(users, planned, strict=True)
            for role, scope in p.roles
        ]
    )
    return users
