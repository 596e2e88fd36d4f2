"""Dashboard sections built on other apps: overdue directives, targets against actuals."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from tests.dashboard.test_figures import THIS_YEAR, YEAR, build_dataset
from tests.meetings.factories import DirectiveFactory
from vanco.accounts.enums import Role
from vanco.dashboard import sections
from vanco.dashboard.figures import Filters
from vanco.meetings.enums import DirectiveStatus
from vanco.targets.models import Target

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


def overdue_directives(world):
    past = TODAY - datetime.timedelta(days=4)
    leader = world["users"][Role.LEADER]
    DirectiveFactory(
        issued_by=leader, localities=[world["district_a"]], due_on=past, is_overdue=True
    )
    DirectiveFactory(
        issued_by=leader, localities=[world["district_b"]], due_on=past, is_overdue=True
    )
    DirectiveFactory(issued_by=leader, localities=[world["district_a"]])
    DirectiveFactory(
        issued_by=leader,
        localities=[world["district_a"]],
        due_on=past,
        status=DirectiveStatus.DONE,
        is_overdue=False,
    )


@pytest.mark.parametrize(("role", "expected"), [(Role.LEADER, 2), (Role.LOCALITY, 1)])
def test_overdue_directives_counted_in_scope_and_listed_alike(client, world, role, expected):
    overdue_directives(world)
    reader = world["users"][role]
    section = sections.directives_section(reader, today=TODAY)
    assert (section["count"], [row["days"] for row in section["rows"]]) == (
        expected,
        [4] * expected,
    )
    client.force_login(reader)
    assert client.get(section["url"]).context["paginator"].count == expected


def test_targets_section_sets_actuals_against_targets(client, world):
    build_dataset(world)
    Target.objects.create(
        year=YEAR, locality=world["district_b"], metric="projects_signed", value=Decimal("4")
    )
    leader = world["users"][Role.LEADER]
    section = sections.targets_section(
        leader, Filters.year(YEAR, locality_id=world["district_b"].pk)
    )
    assert [(r["metric"], r["target"], r["actual"], r["percent"]) for r in section["rows"]] == [
        ("projects_signed", Decimal("4"), Decimal("1"), Decimal("25.0"))
    ]
    client.force_login(leader)
    assert client.get(section["rows"][0]["url"]).context["paginator"].count == 1


def test_targets_section_of_a_locality_officer_is_their_locality(world):
    section = sections.targets_section(world["users"][Role.LOCALITY], THIS_YEAR)
    assert (section["locality"], section["rows"]) == (world["district_a"], [])
