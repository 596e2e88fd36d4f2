"""The pages `vanco bench` measures, with the demo users who open them.

Targets (ids, versions) are read from the database once, before the server is measured.
"""

from django.contrib.auth import get_user_model
from django.db.models import Count
from django.urls import reverse
from django.utils import timezone

from vanco.core.bench import Scenario
from vanco.industries.models import Industry
from vanco.org.models import Locality
from vanco.projects.dispatch import previous_report, reports_due_for
from vanco.projects.enums import PeriodStatus, ReportStatus, Stage
from vanco.projects.models import DispatchPeriod, ProgressReport, Project

COORDINATOR = "dieuphoi"


def _busiest_project() -> Project:
    # A project with a long history: the detail page's worst case.
    recent = Project.objects.filter(stage=Stage.UNDER_CONSTRUCTION).order_by("pk")[:200]
    return (
        Project.objects.filter(pk__in=recent.values("pk"))
        .annotate(reports_count=Count("reports"))
        .order_by("-reports_count", "pk")
        .first()
    )


def _busiest_officer(period: DispatchPeriod):
    """The officer who owes the most reports this period: the to-do list's worst case, and
    enough distinct reports to submit one per measured request."""
    row = (
        ProgressReport.objects.filter(period=period, status=ReportStatus.DUE)
        .exclude(project__officer=None)
        .values("project__officer")
        .annotate(owed=Count("pk"))
        .order_by("-owed")
        .first()
    )
    if row is None:
        raise RuntimeError("the demo data has no report still due in the open period")
    return get_user_model().objects.get(pk=row["project__officer"])


def scenarios(runs: int) -> list[Scenario]:
    period = DispatchPeriod.objects.filter(status=PeriodStatus.OPEN).order_by("-starts_on").first()
    if period is None:
        raise RuntimeError("the demo data has no open dispatch period")
    officer = _busiest_officer(period)
    # Due reports first; when a small demo runs out, submitted ones are submitted again
    # (allowed while the period is open), which runs the same code.
    due = list(
        reports_due_for(officer, today=timezone.localdate())
        .order_by("pk")
        .values_list("pk", flat=True)[: runs + 10]
    )
    if not due:
        raise RuntimeError(f"{officer.username} has no report to submit")
    project = _busiest_project()
    industry = Industry.objects.order_by("sort_order").first()
    district = Locality.objects.filter(role_assignments__user=officer).first() or project.locality
    filtered = (
        f"?stage={Stage.UNDER_CONSTRUCTION}&industry={industry.pk}&locality={district.pk}&q=nha+may"
    )

    def submit(index: int):
        pk = due[index % len(due)]
        report = ProgressReport.objects.select_related("period").get(pk=pk)
        previous = previous_report(report)
        base = previous.progress_percent if previous and previous.progress_percent else 0
        version = report.version
        data = {
            "narrative": "Đã hoàn thành móng nhà xưởng số 2; đang lắp dựng kết cấu thép.",
            "progress_percent": str(min(100, base + 1)),
            "funds_this_period": "4.5",
            "jobs_created": "12",
            "version": str(version),
        }
        return "POST", reverse("projects:report-edit", args=[pk]), data

    return [
        Scenario(
            "localities, search",
            COORDINATOR,
            lambda i: ("GET", reverse("org:locality-list") + "?q=phuong", None),
        ),
        Scenario(
            "users, search",
            COORDINATOR,
            lambda i: ("GET", reverse("accounts:user-list") + "?q=nguyen", None),
        ),
        Scenario("audit log", COORDINATOR, lambda i: ("GET", reverse("audit-log"), None)),
        Scenario(
            "enterprise list, search",
            COORDINATOR,
            lambda i: ("GET", reverse("enterprises:enterprise-list") + "?q=cong+ty+co+phan", None),
        ),
        Scenario(
            "project list", COORDINATOR, lambda i: ("GET", reverse("projects:project-list"), None)
        ),
        Scenario(
            "project list, 3 filters + search",
            COORDINATOR,
            lambda i: ("GET", reverse("projects:project-list") + filtered, None),
        ),
        Scenario(
            "project detail",
            COORDINATOR,
            lambda i: ("GET", reverse("projects:project-detail", args=[project.pk]), None),
        ),
        Scenario(
            "dispatch board",
            COORDINATOR,
            lambda i: ("GET", reverse("projects:period-board", args=[period.pk]), None),
        ),
        Scenario(
            "officer to-do",
            officer.username,
            lambda i: ("GET", reverse("projects:my-reports"), None),
        ),
        Scenario("report submission", officer.username, submit),
        Scenario(
            "API project list",
            COORDINATOR,
            lambda i: ("GET", "/api/v1/projects?limit=25", None),
            bearer=True,
        ),
    ]
