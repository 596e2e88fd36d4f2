"""The obstacle list's filters, and every figure of the metrics and concentration pages
leading to a list that holds exactly the obstacles the figure counts."""

from urllib.parse import parse_qs, urlsplit

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from tests.factories import EnterpriseFactory, ObstacleFactory
from tests.obstacles.test_metrics import build_dataset
from vanco.accounts.enums import Role
from vanco.obstacles import queries
from vanco.obstacles.models import CommonProblem

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _language_as_found():
    """Requests activate the user's language for the thread; put back what was active so
    later tests that read lazy labels are not affected."""
    before = translation.get_language()
    yield
    translation.activate(before) if before else translation.deactivate()


LIST = reverse("obstacles:obstacle-list")
METRICS = reverse("obstacles:metrics")
CONCENTRATION = reverse("obstacles:concentration")
RANGE = {"date_from": "2026-01-01", "date_to": "2026-06-30"}
#: The figures that link to a list, with the row attribute each one's list must count.
COUNTED = {
    "raised": "raised",
    "resolved": "resolved",
    "on_time": "on_time",
    "overdue": "overdue",
}


def client_for(user) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def numbers(client, **params) -> list[int]:
    """The dataset numbers (1–10) the list shows with these filters."""
    response = client.get(LIST, {"view": "all", "per_page": 100, **params})
    assert response.status_code == 200
    return sorted(NUMBER[obj.pk] for obj, *_rest in response.context["rows"])


NUMBER: dict = {}


@pytest.fixture
def data(world):
    built = build_dataset(world)
    NUMBER.clear()
    NUMBER.update({obstacle.pk: n for n, obstacle in built["obstacles"].items()})
    return built


@pytest.fixture
def coordinator(world):
    return client_for(world["users"][Role.COORDINATOR])


# --- the filters, one by one ----------------------------------------------------------------


def test_filter_resolved_range_keeps_resolved_between_the_dates(coordinator, data):
    found = numbers(coordinator, resolved_from="2026-02-01", resolved_to="2026-03-31")
    assert found == [1, 2, 6]


def test_filter_resolved_on_time_yes_and_no(coordinator, data):
    assert numbers(coordinator, on_time="yes") == [1, 3, 6, 9]
    assert numbers(coordinator, on_time="no") == [2, 5]


def test_filter_closed_range_keeps_closed_between_the_dates(coordinator, data):
    assert numbers(coordinator, closed_from="2026-02-01", closed_to="2026-06-30") == [1, 3]


def test_filter_rated_yes_and_no(coordinator, data):
    assert numbers(coordinator, rated="yes") == [1, 3, 9]
    assert numbers(coordinator, rated="no") == [2, 4, 5, 6, 7, 8, 10]


def test_filter_status_group_unresolved_and_open(coordinator, data):
    assert numbers(coordinator, status_group="unresolved") == [4, 7, 8, 10]
    assert numbers(coordinator, status_group="open") == [4, 7, 8]


def test_filter_no_lead_department_keeps_unassigned(coordinator, data):
    assert numbers(coordinator, lead_department="none") == [10]


def test_filter_no_leading_industry(coordinator, data):
    assert numbers(coordinator, industry="none", status_group="unresolved") == [10]


def test_filter_common_problem_and_none(coordinator, data):
    problem = CommonProblem.objects.create(title="Thiếu điện khu công nghiệp")
    for n in (4, 8):
        obstacle = data["obstacles"][n]
        obstacle.common_problem = problem
        obstacle.save(update_fields=["common_problem"])
    assert numbers(coordinator, common_problem=problem.pk) == [4, 8]
    assert numbers(coordinator, common_problem="none") == [1, 2, 3, 5, 6, 7, 9, 10]


def test_filter_common_problem_choices_only_visible_problems(world, data):
    CommonProblem.objects.create(title="Thiếu điện khu công nghiệp")
    enterprise_client = client_for(world["users"][Role.ENTERPRISE])
    response = enterprise_client.get(LIST)
    choices = list(response.context["filterset"].filters["common_problem"].queryset)
    assert choices == []


def test_filter_more_filters_open_when_one_is_set(coordinator, data):
    closed = coordinator.get(LIST, {"view": "all"})
    opened = coordinator.get(LIST, {"view": "all", "on_time": "yes"})
    assert b'data-testid="more-filters" open' not in closed.content
    assert b"open data-testid" not in closed.content
    assert b' open data-testid="more-filters"' in opened.content


# --- every figure leads to its list ---------------------------------------------------------


def _list_count(client, url: str) -> int:
    response = client.get(url + "&per_page=100")
    assert response.status_code == 200
    return response.context["paginator"].count


def _rated(client, url: str) -> list[int]:
    response = client.get(url + "&per_page=100")
    return [obj.rating for obj, *_rest in response.context["rows"]]


def _check_table(client, table) -> int:
    """Every linked figure of every row equals the count of its list; returns links checked."""
    checked = 0
    rows = [*table["rows"], (table["total"], table["total_links"])]
    for row, links in rows:
        for figure, attribute in COUNTED.items():
            assert _list_count(client, links[figure]) == getattr(row, attribute), (
                row.label,
                figure,
            )
            checked += 1
        if row.average_rating is not None:
            ratings = _rated(client, links["rated"])
            average = sum(ratings) / len(ratings)
            assert round(average, 2) == float(row.average_rating), (row.label, ratings)
            checked += 1
    return checked


@pytest.mark.parametrize("role", [Role.COORDINATOR, Role.LEADER, Role.DEPARTMENT, Role.LOCALITY])
def test_metrics_every_figure_links_to_a_list_of_the_same_count(world, data, role):
    client = client_for(world["users"][role])
    response = client.get(METRICS, RANGE)
    assert response.status_code == 200
    checked = sum(_check_table(client, table) for table in response.context["tables"])
    assert checked >= 10


def test_metrics_department_links_match_hand_computed_lists(coordinator, world, data):
    response = coordinator.get(METRICS, RANGE)
    table = response.context["tables"][0]
    links = {row.key: row_links for row, row_links in table["rows"]}
    dept_a = links[world["dept_a"].pk]
    assert numbers_at(coordinator, dept_a["raised"]) == [1, 2, 3, 4]
    assert numbers_at(coordinator, dept_a["resolved"]) == [1, 2, 3, 5]
    assert numbers_at(coordinator, dept_a["on_time"]) == [1, 3]
    assert numbers_at(coordinator, dept_a["rated"]) == [1, 3]
    assert numbers_at(coordinator, links[None]["raised"]) == [10]


def numbers_at(client, url: str) -> list[int]:
    response = client.get(url + "&per_page=100")
    return sorted(NUMBER[obj.pk] for obj, *_rest in response.context["rows"])


def test_metrics_figures_render_as_links(coordinator, data):
    response = coordinator.get(METRICS, RANGE)
    html = response.content.decode()
    table = response.context["tables"][0]
    first_row, links = table["rows"][0]
    assert f'href="{links["resolved"].replace("&", "&amp;")}"' in html
    query = parse_qs(urlsplit(links["on_time"]).query)
    assert query == {
        "view": ["all"],
        "lead_department": [str(first_row.filter_value)],
        "resolved_from": ["2026-01-01"],
        "resolved_to": ["2026-06-30"],
        "on_time": ["yes"],
    }


def test_concentration_every_cell_links_to_a_list_of_the_same_count(coordinator, world, data):
    # One unresolved obstacle with no leading industry beyond no. 10, in district B.
    ObstacleFactory(enterprise=EnterpriseFactory(locality=world["district_b"]))
    for params in ({}, {"locality": world["district_a"].pk}):
        response = coordinator.get(CONCENTRATION, params)
        matrix = response.context["matrix"]
        checked = 0
        for _label, cells in response.context["rows"]:
            for count, _shade, link in cells:
                if count:
                    assert _list_count(coordinator, link) == count
                    checked += 1
                else:
                    assert link is None
        assert checked == len([n for n in matrix.counts.values() if n])
        assert checked >= 2


def test_concentration_counts_match_hand_computed_cells(world, data):
    matrix = queries.concentration(world["users"][Role.COORDINATOR])
    assert sum(matrix.counts.values()) == 4
    assert matrix.cell("power", data["ind2"].pk) == 1
