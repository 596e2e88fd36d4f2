"""Factories of the targets app and the small fixed dataset its tests compute by hand."""

import datetime
from decimal import Decimal

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from tests.factories import (
    DispatchPeriodFactory,
    EnterpriseFactory,
    ObstacleFactory,
    ProgressReportFactory,
    ProjectFactory,
    VisitFactory,
)
from vanco.obstacles.enums import Status
from vanco.projects.enums import ReportStatus, Stage
from vanco.targets.models import Campaign, Target


def noon(year: int, month: int, day: int) -> datetime.datetime:
    return datetime.datetime(year, month, day, 12, 0, tzinfo=timezone.get_default_timezone())


class TargetFactory(DjangoModelFactory):
    class Meta:
        model = Target

    year = 2025
    metric = "visits"
    value = Decimal("1")


class CampaignFactory(DjangoModelFactory):
    class Meta:
        model = Campaign

    name = factory.Sequence(lambda n: f"Thi đua {n}")
    first_year = 2025
    last_year = 2025
    weights = factory.LazyFunction(lambda: {"projects_signed": "2", "visits": "1"})
    completion_cap = Decimal("120")


def build_records(world) -> dict:
    """The records of the hand-computed figures (see test_actuals for the sums).

    District A (DA) and its commune (DA-1), district B (DB), in 2024–2026."""
    da, db, ca = world["district_a"], world["district_b"], world["commune_a"]
    ent_da, ent_ca, ent_db = (
        EnterpriseFactory(locality=da),
        EnterpriseFactory(locality=ca),
        EnterpriseFactory(locality=db),
    )
    d = datetime.date
    p1 = ProjectFactory(
        investor=ent_ca,
        stage=Stage.UNDER_CONSTRUCTION,
        signing_date=d(2025, 3, 1),
        signed_amount=Decimal("100"),
        start_date=d(2025, 6, 1),
    )
    p2 = ProjectFactory(
        investor=ent_da, stage=Stage.SIGNED, signing_date=d(2025, 7, 1), signed_amount=Decimal("50")
    )
    p3 = ProjectFactory(
        investor=ent_db,
        stage=Stage.COMPLETED,
        signing_date=d(2024, 12, 31),
        signed_amount=Decimal("70"),
        start_date=d(2025, 1, 10),
        completion_date=d(2025, 11, 30),
    )
    p4 = ProjectFactory(
        investor=ent_db,
        stage=Stage.IN_OPERATION,
        signing_date=d(2023, 5, 5),
        operation_date=d(2025, 5, 5),
    )
    p5 = ProjectFactory(
        investor=ent_da,
        stage=Stage.IN_OPERATION,
        completion_date=d(2024, 12, 1),
        operation_date=d(2025, 2, 1),
    )
    january = DispatchPeriodFactory(
        label="01/2025", starts_on=d(2025, 1, 1), ends_on=d(2025, 1, 31), due_on=d(2025, 2, 5)
    )
    next_january = DispatchPeriodFactory(
        label="01/2026", starts_on=d(2026, 1, 1), ends_on=d(2026, 1, 31), due_on=d(2026, 2, 5)
    )
    ProgressReportFactory(
        project=p1, period=january, status=ReportStatus.SUBMITTED, funds_this_period=30
    )
    ProgressReportFactory(project=p2, period=january, status=ReportStatus.DUE, funds_this_period=99)
    ProgressReportFactory(
        project=p3, period=january, status=ReportStatus.ACCEPTED, funds_this_period=20
    )
    ProgressReportFactory(
        project=p1, period=next_january, status=ReportStatus.ACCEPTED, funds_this_period=7
    )
    VisitFactory(enterprise=ent_ca, visited_on=d(2025, 3, 3))
    VisitFactory(enterprise=ent_da, visited_on=d(2025, 12, 31))
    VisitFactory(enterprise=ent_da, visited_on=d(2026, 1, 1))
    VisitFactory(enterprise=ent_db, visited_on=d(2025, 5, 5))

    def obstacle(enterprise, resolved, on_time, closed=None, rating=None):
        return ObstacleFactory(
            enterprise=enterprise,
            status=Status.CLOSED if closed else Status.RESOLVED,
            resolved_at=resolved,
            resolved_on_time=on_time,
            closed_at=closed,
            rating=rating,
        )

    obstacle(ent_da, noon(2025, 4, 1), True, noon(2025, 4, 5), 4)
    obstacle(ent_ca, noon(2025, 8, 1), False, noon(2025, 8, 2), 5)
    obstacle(ent_da, noon(2025, 9, 1), True)
    obstacle(ent_db, noon(2025, 2, 2), False, noon(2025, 2, 3), 2)
    obstacle(ent_da, noon(2024, 12, 20), True)
    ObstacleFactory(enterprise=ent_da)  # raised, not resolved: counts nowhere
    return {"projects": [p1, p2, p3, p4, p5], "enterprises": (ent_da, ent_ca, ent_db)}
