"""One factory per model. Trees get their path from the model's save()."""

import datetime
from decimal import Decimal

import factory
from factory.django import DjangoModelFactory

from vanco.accounts.enums import Role
from vanco.accounts.models import RoleAssignment, User
from vanco.core.identifiers import vn_tax_code_is_valid
from vanco.enterprises.models import Contact, Enterprise, Pairing, Visit
from vanco.industries.enums import ChainSegment
from vanco.industries.models import ChainNode, Industry
from vanco.obstacles.enums import Category, Source, Status
from vanco.obstacles.models import Obstacle
from vanco.org.enums import LocalityKind
from vanco.org.models import Department, Locality
from vanco.projects.enums import CycleFrequency, Stage
from vanco.projects.models import (
    DispatchCycle,
    DispatchPeriod,
    ProgressReport,
    Project,
)

PASSWORD = "correct-horse-battery-42"


class LocalityFactory(DjangoModelFactory):
    class Meta:
        model = Locality

    code = factory.Sequence(lambda n: f"L{n:04d}")
    name = factory.Sequence(lambda n: f"Quận Số {n}")
    kind = LocalityKind.DISTRICT
    parent = None


class DepartmentFactory(DjangoModelFactory):
    class Meta:
        model = Department

    code = factory.Sequence(lambda n: f"D{n:03d}")
    name = factory.Sequence(lambda n: f"Sở Thử Nghiệm {n}")
    short_name = factory.Sequence(lambda n: f"STN{n}")


class IndustryFactory(DjangoModelFactory):
    class Meta:
        model = Industry

    code = factory.Sequence(lambda n: f"I{n:02d}")
    name = factory.Sequence(lambda n: f"Ngành mũi nhọn {n}")


class ChainNodeFactory(DjangoModelFactory):
    class Meta:
        model = ChainNode

    industry = factory.SubFactory(IndustryFactory)
    code = factory.Sequence(lambda n: f"N{n:03d}")
    name = factory.Sequence(lambda n: f"Mắt xích {n}")
    segment = ChainSegment.MIDSTREAM


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    full_name = factory.Sequence(lambda n: f"Nguyễn Văn {n}")
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.org")
    password = factory.django.Password(PASSWORD)


class RoleAssignmentFactory(DjangoModelFactory):
    class Meta:
        model = RoleAssignment

    user = factory.SubFactory(UserFactory)
    role = Role.COORDINATOR


def user_with_role(role: str, *, locality=None, department=None, tax_code="", **kwargs) -> User:
    user = UserFactory(**kwargs)
    RoleAssignmentFactory(
        user=user,
        role=role,
        locality=locality if role == Role.LOCALITY else None,
        department=department if role == Role.DEPARTMENT else None,
        enterprise_tax_code=tax_code if role == Role.ENTERPRISE else "",
    )
    return user


# --- enterprises and projects ---------------------------------------------------------------


_VN_WEIGHTS = (31, 29, 23, 19, 17, 13, 7, 5, 3)


def valid_tax_code(n: int) -> str:
    """The n-th valid Vietnamese tax code of a deterministic sequence (check digit computed)."""
    base = 100000000 + n
    while True:
        digits = [int(ch) for ch in f"{base:09d}"]
        check = 10 - sum(d * w for d, w in zip(digits, _VN_WEIGHTS, strict=True)) % 11
        if check < 10:
            code = f"{base:09d}{check}"
            assert vn_tax_code_is_valid(code)
            return code
        base += 1000000  # skip bases whose check digit would be 10


class EnterpriseFactory(DjangoModelFactory):
    class Meta:
        model = Enterprise
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Công ty TNHH Thử Nghiệm {n}")
    tax_code = factory.Sequence(valid_tax_code)
    locality = factory.SubFactory(LocalityFactory)


class ContactFactory(DjangoModelFactory):
    class Meta:
        model = Contact

    enterprise = factory.SubFactory(EnterpriseFactory)
    name = factory.Sequence(lambda n: f"Trần Thị Liên {n}")
    phone = factory.Sequence(lambda n: f"0912{n:06d}")
    email = factory.Sequence(lambda n: f"lien{n}@example.vn")


class ProjectFactory(DjangoModelFactory):
    class Meta:
        model = Project
        skip_postgeneration_save = True

    code = factory.Sequence(lambda n: f"DA-2026-{n:05d}")
    name = factory.Sequence(lambda n: f"Nhà máy thử nghiệm {n}")
    investor = factory.SubFactory(EnterpriseFactory)
    industry = factory.SubFactory(IndustryFactory)
    locality = factory.LazyAttribute(lambda o: o.investor.locality)
    planned_investment = Decimal("250.000")
    stage = Stage.LEAD


class DispatchCycleFactory(DjangoModelFactory):
    class Meta:
        model = DispatchCycle

    name = "Điều độ hằng tháng"
    frequency = CycleFrequency.MONTHLY
    starts_on = datetime.date(2026, 1, 1)
    due_days = 5


class DispatchPeriodFactory(DjangoModelFactory):
    class Meta:
        model = DispatchPeriod

    cycle = factory.SubFactory(DispatchCycleFactory)
    label = "11/2026"
    starts_on = datetime.date(2026, 11, 1)
    ends_on = datetime.date(2026, 11, 30)
    due_on = datetime.date(2026, 12, 5)


class ProgressReportFactory(DjangoModelFactory):
    class Meta:
        model = ProgressReport

    project = factory.SubFactory(ProjectFactory)
    period = factory.SubFactory(DispatchPeriodFactory)


class PairingFactory(DjangoModelFactory):
    class Meta:
        model = Pairing

    official = factory.LazyFunction(lambda: user_with_role(Role.CADRE))
    enterprise = factory.SubFactory(EnterpriseFactory)
    starts_on = datetime.date(2026, 1, 1)
    next_visit_due = factory.LazyAttribute(lambda o: o.starts_on + datetime.timedelta(days=92))


class VisitFactory(DjangoModelFactory):
    class Meta:
        model = Visit

    enterprise = factory.SubFactory(EnterpriseFactory)
    visited_on = datetime.date(2026, 11, 2)
    summary = "Làm việc với ban giám đốc về kế hoạch mở rộng."
    recorded_by = factory.LazyFunction(lambda: user_with_role(Role.CADRE))


class ObstacleFactory(DjangoModelFactory):
    """A submitted obstacle of an enterprise; pass status/department/due for later states."""

    class Meta:
        model = Obstacle

    title = factory.Sequence(lambda n: f"Chậm bàn giao mặt bằng {n}")
    description = "Doanh nghiệp chưa nhận được mặt bằng theo cam kết."
    category = Category.LAND
    source = Source.OFFICIAL
    enterprise = factory.SubFactory(EnterpriseFactory)
    locality = factory.LazyAttribute(
        lambda o: o.project.locality if o.project else o.enterprise.locality
    )
    project = None
    raised_by = factory.LazyFunction(lambda: user_with_role(Role.COORDINATOR))
    status = Status.SUBMITTED
