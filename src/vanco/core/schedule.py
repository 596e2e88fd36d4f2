"""Periodic jobs run by the one scheduler process of `vanco serve` (`vanco scheduler`).

Apps register management commands with an interval in their AppConfig.ready(); the scheduler
runs each when due, one at a time, as the system actor. A failing job is logged and retried at
its next turn; it never stops the others.
"""

import logging
from dataclasses import dataclass

logger = logging.getLogger("vanco.scheduler")


@dataclass(frozen=True)
class Job:
    command: str
    every_minutes: int


_JOBS: dict[str, Job] = {}


def register(command: str, *, every_minutes: int) -> None:
    if every_minutes < 1:
        raise ValueError("every_minutes must be at least 1")
    _JOBS[command] = Job(command=command, every_minutes=every_minutes)


def jobs() -> list[Job]:
    return sorted(_JOBS.values(), key=lambda job: job.command)
