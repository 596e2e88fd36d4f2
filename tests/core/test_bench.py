import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories import PASSWORD
from vanco.core import bench


@pytest.fixture
def timed(settings):
    settings.VANCO_SERVER_TIMING = True


@pytest.mark.django_db
def test_server_timing_header_counts_queries(timed, coordinator_client):
    with CaptureQueriesContext(connection) as captured:
        response = coordinator_client.get(reverse("org:locality-list"))
    match = bench._TIMING.search(response["Server-Timing"])
    assert match is not None, response["Server-Timing"]
    assert float(match.group(1)) > 0
    assert int(match.group(2)) == len(captured) == 6


@pytest.mark.django_db
def test_server_timing_is_off_by_default(coordinator_client):
    assert "Server-Timing" not in coordinator_client.get(reverse("home"))


def test_percentile_picks_the_nearest_rank():
    values = [float(v) for v in range(1, 21)]
    assert bench.percentile(values, 0.5) == 11.0
    assert bench.percentile(values, 0.95) == 19.0
    assert bench.percentile([7.0], 0.95) == 7.0


@pytest.mark.django_db(transaction=True)
def test_bench_run_logs_in_and_measures_pages(timed, live_server, world):
    scenario = bench.Scenario(
        "localities", "coordinator", lambda i: ("GET", reverse("org:locality-list"), None)
    )
    [result] = bench.run([scenario], base_url=live_server.url, password=PASSWORD, runs=5)
    assert result.runs == 5
    assert result.statuses == [200] * 5
    assert len(set(result.queries)) == 1
    assert 0 < result.p50_ms <= result.p95_ms <= result.max_ms
    assert result.ok


@pytest.mark.django_db(transaction=True)
def test_bench_run_refuses_a_wrong_password(timed, live_server, world):
    scenario = bench.Scenario("home", "coordinator", lambda i: ("GET", "/", None))
    with pytest.raises(RuntimeError, match="could not log in as coordinator"):
        bench.run([scenario], base_url=live_server.url, password="wrong-password-1", runs=5)
