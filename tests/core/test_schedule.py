import io

import pytest
from django.core.management import call_command

from vanco.core import schedule


@pytest.fixture
def no_jobs(monkeypatch):
    monkeypatch.setattr(schedule, "_JOBS", {})


def test_schedule_register_rejects_zero_interval(no_jobs):
    with pytest.raises(ValueError, match="at least 1"):
        schedule.register("check", every_minutes=0)


def test_schedule_jobs_sorted_by_command(no_jobs):
    schedule.register("zeta", every_minutes=5)
    schedule.register("alpha", every_minutes=60)
    assert [(job.command, job.every_minutes) for job in schedule.jobs()] == [
        ("alpha", 60),
        ("zeta", 5),
    ]


@pytest.mark.django_db
def test_scheduler_once_runs_every_job_and_survives_a_failing_one(no_jobs, capsys, caplog):
    schedule.register("no_such_command", every_minutes=1)
    schedule.register("check", every_minutes=1)
    caplog.set_level("ERROR", logger="vanco.scheduler")
    schedule.logger.addHandler(caplog.handler)
    try:
        call_command("scheduler", once=True, stdout=io.StringIO())
    finally:
        schedule.logger.removeHandler(caplog.handler)
    assert "System check identified no issues" in capsys.readouterr().out
    assert [record.getMessage() for record in caplog.records] == [
        "periodic job no_such_command failed"
    ]


@pytest.mark.django_db
def test_scheduler_says_when_nothing_is_registered(no_jobs):
    out = io.StringIO()
    call_command("scheduler", once=True, stdout=out)
    assert out.getvalue() == "No periodic job is registered.\n"
