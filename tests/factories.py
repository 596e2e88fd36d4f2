"""One factory per model. Trees get their path from the model's save()."""

import factory
from factory.django import DjangoModelFactory

from vanco.accounts.enums import Role
from vanco.accounts.models import RoleAssignment, User
from vanco.industries.enums import ChainSegment
from vanco.industries.models import ChainNode, Industry
from vanco.org.enums import LocalityKind
from vanco.org.models import Department, Locality

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
