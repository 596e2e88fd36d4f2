"""The pages `vanco bench` measures, with the demo users who open them.

Targets (ids, versions) are read from the database once, before the server is measured.
"""

from django.contrib.auth import get_user_model
from django.db.models import Count
from django.urls import reverse
from django.utils import timezone

from vanco.accounts.enums import Role
from vanco.core.bench import Job, Scenario
from vanco.enterprises.models import Pairing
from vanco.industries.models import Industry
from vanco.obstacles.enums import Status
from vanco.obstacles.models import Obstacle
from vanco.org.models import Locality
from vanco.projects.dispatch import previous_report, reports_due_for
from vanco.projects.enums import PeriodStatus, ReportStatus, Stage
from vanco.projects.models import DispatchPeriod, ProgressReport, Project

COORDINATOR = "dieuphoi"
LEADER = "lanhdao"
LOCALITY_OFFICER = "quan1"


def _directive_worker():
    """The department officer with the most directives being worked on, and those directives:
    a progress report is a step they can take again and again."""
    from vanco.meetings.enums import DirectiveStatus
    from vanco.meetings.models import Directive

    working = (DirectiveStatus.ACKNOWLEDGED, DirectiveStatus.IN_PROGRESS)
    row = (
        Directive.departments.through.objects.filter(directive__status__in=working)
        .values("department_id")
        .annotate(n=Count("pk"))
        .order_by("-n")
        .first()
    )
    if row is None:
        raise RuntimeError("the demo data has no directive being worked on by a department")
    officer = (
        get_user_model()
        .objects.filter(
            is_active=True,
            role_assignments__role=Role.DEPARTMENT,
            role_assignments__department=row["department_id"],
        )
        .order_by("pk")
        .first()
    )
    ids = list(
        Directive.objects.filter(status__in=working, departments=row["department_id"])
        .order_by("pk")
        .values_list("pk", flat=True)[:50]
    )
    return officer, ids


def _longest_campaign() -> int:
    from django.db.models import F

    from vanco.targets.models import Campaign

    campaign = (
        Campaign.objects.annotate(span=F("last_year") - F("first_year"))
        .order_by("-span", "-last_year", "pk")
        .first()
    )
    if campaign is None:
        raise RuntimeError("the demo data has no ranking campaign")
    return campaign.pk


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


def _busiest_department_officer():
    """An officer of the department with the most obstacles in its hands: the inbox's worst
    case, and enough steps to take one per measured request."""
    row = (
        Obstacle.objects.filter(status__in=(Status.ASSIGNED, Status.ACCEPTED, Status.IN_PROGRESS))
        .values("lead_department")
        .annotate(open=Count("pk"))
        .order_by("-open")
        .first()
    )
    if row is None:
        raise RuntimeError("the demo data has no obstacle assigned to a department")
    officer = (
        get_user_model()
        .objects.filter(
            is_active=True,
            role_assignments__role=Role.DEPARTMENT,
            role_assignments__department=row["lead_department"],
        )
        .order_by("pk")
        .first()
    )
    if officer is None:
        raise RuntimeError("the busiest department has no officer")
    return officer, row["lead_department"]


def _obstacle_steps(department_id: int, count: int) -> list[tuple[int, str]]:
    """Steps the department can take, one per request: accept what is assigned, then start
    what is accepted, then resolve what is in progress."""
    steps = []
    for status, action in (
        (Status.ASSIGNED, "accept"),
        (Status.ACCEPTED, "start"),
        (Status.IN_PROGRESS, "resolve"),
    ):
        pks = Obstacle.objects.filter(lead_department_id=department_id, status=status)
        steps += [(pk, action) for pk in pks.order_by("pk").values_list("pk", flat=True)[:count]]
        if len(steps) >= count:
            break
    return steps[:count]


def _busiest_obstacle() -> Obstacle:
    recent = Obstacle.objects.order_by("pk")[:500]
    return (
        Obstacle.objects.filter(pk__in=recent.values("pk"))
        .annotate(events_count=Count("events"))
        .order_by("-events_count", "pk")
        .first()
    )


def _visiting_official():
    """The paired official with the most open pairings, and those enterprises."""
    row = (
        Pairing.objects.filter(ends_on__isnull=True)
        .values("official")
        .annotate(pairs=Count("pk"))
        .order_by("-pairs")
        .first()
    )
    if row is None:
        raise RuntimeError("the demo data has no pairing")
    official = get_user_model().objects.get(pk=row["official"])
    enterprises = list(
        Pairing.objects.filter(official=official, ends_on__isnull=True).values_list(
            "enterprise_id", flat=True
        )
    )
    return official, enterprises


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

    department_officer, department_id = _busiest_department_officer()
    steps = _obstacle_steps(department_id, runs + 10)
    if not steps:
        raise RuntimeError(f"{department_officer.username} has no obstacle step to take")
    obstacle = _busiest_obstacle()
    visitor, paired = _visiting_official()
    directive_officer, directive_ids = _directive_worker()

    def directive_step(index: int):
        from vanco.meetings.models import Directive

        pk = directive_ids[index % len(directive_ids)]
        version = Directive.objects.filter(pk=pk).values_list("version", flat=True).first()
        data = {"version": str(version), "note": "Đã làm việc với chủ đầu tư, đang hoàn thiện."}
        return "POST", reverse("meetings:directive-step", args=[pk, "progress"]), data

    busiest_chain = (
        Industry.objects.annotate(nodes=Count("chain_nodes")).order_by("-nodes", "pk").first().pk
    )
    longest_campaign = _longest_campaign()

    def obstacle_step(index: int):
        pk, action = steps[index % len(steps)]
        version = Obstacle.objects.filter(pk=pk).values_list("version", flat=True).first()
        data = {"version": str(version), "comment": "Đã làm việc với chủ đầu tư."}
        if action == "resolve":
            data["resolution"] = "Đã hoàn thành thủ tục, gửi văn bản cho doanh nghiệp."
        return "POST", reverse("obstacles:obstacle-step", args=[pk, action]), data

    def visit(index: int):
        data = {
            "enterprise": str(paired[index % len(paired)]),
            "visited_on": timezone.localdate().isoformat(),
            "form": "on_site",
            "people_met": "Bà Lan, giám đốc",
            "summary": "Trao đổi kế hoạch mở rộng nhà xưởng; doanh nghiệp cần hỗ trợ thủ tục.",
            "demands": "Cần hỗ trợ thủ tục đất đai.",
            "demand-TOTAL_FORMS": "1",
            "demand-INITIAL_FORMS": "0",
            "demand-MIN_NUM_FORMS": "0",
            "demand-MAX_NUM_FORMS": "10",
            "demand-0-title": "Chậm cấp giấy phép xây dựng",
            "demand-0-category": "permits",
            "demand-0-severity": "medium",
            "demand-0-description": "Hồ sơ nộp từ tháng 8 chưa có kết quả.",
        }
        return "POST", reverse("enterprises:visit-create"), data

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
        Scenario(
            "department inbox",
            department_officer.username,
            lambda i: ("GET", reverse("obstacles:obstacle-list") + "?view=inbox", None),
        ),
        Scenario(
            "obstacle detail",
            COORDINATOR,
            lambda i: ("GET", reverse("obstacles:obstacle-detail", args=[obstacle.pk]), None),
        ),
        Scenario("obstacle transition", department_officer.username, obstacle_step),
        Scenario("visit form submission", visitor.username, visit),
        Scenario("coverage", COORDINATOR, lambda i: ("GET", reverse("enterprises:coverage"), None)),
        Scenario(
            "obstacle metrics", COORDINATOR, lambda i: ("GET", reverse("obstacles:metrics"), None)
        ),
        Scenario(
            "dashboard (leader)",
            LEADER,
            lambda i: ("GET", reverse("dashboard:index"), None),
            target_ms=400,
        ),
        Scenario(
            "dashboard (locality officer)",
            LOCALITY_OFFICER,
            lambda i: ("GET", reverse("dashboard:index"), None),
            target_ms=400,
        ),
        Scenario("directive transition", directive_officer.username, directive_step),
        Scenario(
            "chain map",
            COORDINATOR,
            lambda i: ("GET", reverse("industries:chain-map", args=[busiest_chain]), None),
        ),
        Scenario(
            "ranking (three-year campaign, live)",
            LEADER,
            lambda i: ("GET", reverse("targets:ranking") + f"?campaign={longest_campaign}", None),
        ),
    ]


def jobs() -> list[Job]:
    """Background work timed in-process: the dispatch bulletin of the latest closed period,
    PDF and Excel, alternately in Vietnamese and Chinese (the issue's bound: under 10 s)."""
    from vanco.reports import services as report_services
    from vanco.reports.models import ReportKind, ReportStatus

    period = DispatchPeriod.objects.filter(status=PeriodStatus.CLOSED).order_by("-ends_on").first()
    if period is None:
        raise RuntimeError("the demo data has no closed dispatch period")
    coordinator = get_user_model().objects.get(username=COORDINATOR)

    def bulletin(index: int) -> bool:
        report = report_services.request_report(
            actor=coordinator,
            kind=ReportKind.BULLETIN,
            language=("vi", "zh-hans")[index % 2],
            period=period,
        )
        return report_services.run_report(report.pk) == ReportStatus.DONE

    return [Job("bulletin generation (PDF + Excel)", bulletin, target_ms=10_000)]
