"""Demo bulletins: one generated Vietnamese bulletin of the latest closed dispatch period, so the
archive is not empty. Small data only (about half a second); larger demos queue nothing."""

from django.contrib.auth import get_user_model

from vanco.projects.enums import PeriodStatus
from vanco.projects.models import DispatchPeriod
from vanco.reports.models import Report, ReportKind, ReportStatus, ReportTrigger
from vanco.reports.services import run_report

COORDINATOR_LOGIN = "dieuphoi"


def generate_reports(*, scale: str = "small", language: str = "vi") -> int:
    """Generate the latest closed period's bulletin as the demo coordinator; returns how many
    reports were made (0 at other scales, without the coordinator or a closed period)."""
    if scale != "small":
        return 0
    coordinator = get_user_model().objects.filter(username=COORDINATOR_LOGIN).first()
    period = DispatchPeriod.objects.filter(status=PeriodStatus.CLOSED).order_by("-ends_on").first()
    if coordinator is None or period is None:
        return 0
    # Made inline, not through the task queue: the demo needs no worker running.
    report = Report.objects.create(
        kind=ReportKind.BULLETIN,
        period=period,
        language=language,
        trigger=ReportTrigger.PERIOD_CLOSE,
        generated_by=coordinator,
    )
    return 1 if run_report(report.pk) == ReportStatus.DONE else 0
