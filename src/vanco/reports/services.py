"""Generating bulletins and annual reports: request (a queued row + a background task), run
(PDF and Excel, progress on the row), and the automatic bulletins when a period closes.

Generation runs as the requesting user, so a report never holds a row they cannot see; the
automatic bulletins of a closed period run as the coordinator who closed it (whole city).
Progress writes are single committed UPDATEs of the row, as for import jobs (core.tasks).
"""

from __future__ import annotations

import datetime
import logging
import tempfile
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile, File
from django.db import transaction
from django.tasks import task
from django.utils import formats, timezone, translation
from django.utils.encoding import force_str
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from vanco.core import access
from vanco.core.audit import acting_as
from vanco.core.exports import cell_value
from vanco.projects.models import DispatchPeriod
from vanco.reports import content, pdf
from vanco.reports.models import Report, ReportKind, ReportStatus, ReportTrigger

logger = logging.getLogger("vanco.reports")

LANGUAGE_CODES = tuple(code for code, _name in settings.LANGUAGES)


def auto_languages() -> list[str]:
    """The languages of the bulletins made when a period closes (VANCO_BULLETIN_LANGUAGES)."""
    wanted = getattr(settings, "VANCO_BULLETIN_LANGUAGES", ("vi", "zh-hans"))
    return [code for code in wanted if code in LANGUAGE_CODES]


def request_report(
    *,
    actor,
    kind: str,
    language: str,
    period: DispatchPeriod | None = None,
    year: int | None = None,
    trigger: str = ReportTrigger.ON_DEMAND,
) -> Report:
    """Queue a report; the task starts once this transaction commits."""
    access.require(actor, "bulletins.generate")
    if language not in LANGUAGE_CODES:
        raise ValidationError({"language": _("Choose one of the offered languages.")})
    if kind == ReportKind.BULLETIN:
        if period is None:
            raise ValidationError({"period": _("Choose the dispatch period of the bulletin.")})
        access.visible_or_404(DispatchPeriod, actor, pk=period.pk)
        year = None
    elif kind == ReportKind.ANNUAL:
        if not year or not 2000 <= int(year) <= 2100:
            raise ValidationError({"year": _("Choose the year of the report.")})
        period = None
    else:
        raise ValidationError({"kind": _("Choose a kind of report.")})
    with transaction.atomic():
        report = Report.objects.create(
            kind=kind,
            period=period,
            year=year,
            language=language,
            trigger=trigger,
            generated_by=actor,
        )
        transaction.on_commit(lambda: generate_report.enqueue(report.pk))
    return report


def queue_period_bulletins(*, actor, period: DispatchPeriod) -> list[Report]:
    """The automatic bulletins of a period that has just closed, one per configured language."""
    return [
        request_report(
            actor=actor,
            kind=ReportKind.BULLETIN,
            language=language,
            period=period,
            trigger=ReportTrigger.PERIOD_CLOSE,
        )
        for language in auto_languages()
    ]


# --- the work -------------------------------------------------------------------------------


def _set_progress(report_id: int, percent: int) -> None:
    Report.objects.filter(pk=report_id, status=ReportStatus.RUNNING).update(
        progress=max(0, min(100, int(percent))), updated_at=timezone.now()
    )


def build_document(report: Report, user, progress=lambda percent: None) -> content.Document:
    if report.kind == ReportKind.BULLETIN:
        return content.bulletin(user, report.period, progress)
    return content.annual(user, report.year, progress)


def render_pdf(document: content.Document, language: str) -> bytes:
    generated = _("Generated on %(when)s") % {
        "when": formats.date_format(timezone.localtime(), "SHORT_DATETIME_FORMAT")
    }
    return pdf.render(
        "report.typ", content.typst_data(document, language=language, generated=generated)
    )


def _excel_value(value):
    # Amounts stay numbers in Excel (core.exports would write a Decimal as text).
    if isinstance(value, Decimal):
        return float(value)
    return cell_value(value)


def render_xlsx(document: content.Document, handle) -> None:
    """One sheet per section, raw values (numbers stay numbers), written to `handle`."""
    workbook = Workbook(write_only=True)
    used: set[str] = set()
    for number, section in enumerate(document.sections, start=1):
        title = f"{number}. {section.title}"[:31]
        for char in "[]:*?/\\":
            title = title.replace(char, " ")
        while title in used:
            title = title[:28] + f"~{number}"
        used.add(title)
        sheet = workbook.create_sheet(title=title)
        header = []
        for column in section.columns:
            cell = WriteOnlyCell(sheet, value=force_str(column.label))
            cell.font = Font(bold=True)
            header.append(cell)
        sheet.append(header)
        for row in section.rows:
            sheet.append([_excel_value(value) for value in row])
    workbook.save(handle)


def run_report(report_id: int) -> str:
    """Generate a queued report as its requester, in its language; returns the final status."""
    claimed = Report.objects.filter(pk=report_id, status=ReportStatus.QUEUED).update(
        status=ReportStatus.RUNNING, progress=5, started_at=timezone.now()
    )
    if not claimed:
        return ""
    report = Report.objects.select_related("generated_by", "period").get(pk=report_id)
    user = report.generated_by
    error = ""
    with translation.override(report.language), acting_as(user):
        try:
            if not access.can(user, "bulletins.generate"):
                raise PermissionDenied("bulletins.generate")
            document = build_document(report, user, lambda p: _set_progress(report_id, p))
            data = render_pdf(document, report.language)
            _set_progress(report_id, 90)
            report.pdf.save(report.file_name("pdf"), ContentFile(data), save=False)
            with tempfile.TemporaryFile() as handle:
                render_xlsx(document, handle)
                handle.seek(0)
                report.xlsx.save(report.file_name("xlsx"), File(handle), save=False)
        except pdf.PdfError as failure:
            error = str(failure)
        except PermissionDenied:
            error = _("You are not allowed to generate reports (any more).")
        except Exception:
            logger.exception("report %s failed", report_id)
            error = _("The report could not be generated; try again or tell the administrator.")
    if error:
        # A failed report keeps no half-made file: only finished reports are downloaded.
        for stored in (report.pdf, report.xlsx):
            if stored:
                stored.delete(save=False)
    Report.objects.filter(pk=report_id).update(
        status=ReportStatus.FAILED if error else ReportStatus.DONE,
        progress=100,
        pdf=report.pdf.name or "",
        xlsx=report.xlsx.name or "",
        error=error,
        finished_at=timezone.now(),
        updated_at=timezone.now(),
    )
    return ReportStatus.FAILED if error else ReportStatus.DONE


@task
def generate_report(report_id: int) -> str:
    """The background task (the db_worker runs it)."""
    return run_report(report_id)


#: a report still "running" this long after it started lost its worker
STALE_AFTER = datetime.timedelta(hours=1)


def fail_stale_reports(*, now=None) -> int:
    """Mark as failed the reports whose worker died while generating them (their row would
    otherwise poll for ever); returns how many."""
    now = now or timezone.now()
    stale = Report.objects.filter(status=ReportStatus.RUNNING, started_at__lt=now - STALE_AFTER)
    return stale.update(
        status=ReportStatus.FAILED,
        progress=100,
        error=_("The generation stopped (the worker was interrupted); request the report again."),
        finished_at=now,
        updated_at=now,
    )
