"""The reports API: the archive, asking for a bulletin or a report, its status, downloads.

Reads need "bulletins.read" (403) and start at `Report.objects.visible_to`; asking for one goes
through `services.request_report` ("bulletins.generate", 403; bad choices, 422).
"""

import datetime
from typing import Literal

from django.http import Http404
from django.urls import reverse
from ninja import Router, Schema
from ninja.responses import Status

from vanco.api.pagination import LimitOffsetPagination, paginate
from vanco.core import access
from vanco.core.uploads import download_response
from vanco.projects.models import DispatchPeriod
from vanco.reports import services
from vanco.reports.models import Report, ReportStatus
from vanco.reports.views import CONTENT_TYPES, _Download

router = Router(tags=["reports"])


class BulletinOut(Schema):
    id: int
    kind: str
    period_id: int | None
    year: int | None
    language: str
    status: str
    progress: int
    trigger: str
    generated_by_id: int
    requested_at: datetime.datetime
    started_at: datetime.datetime | None
    finished_at: datetime.datetime | None
    error: str
    pdf_url: str | None
    xlsx_url: str | None

    @staticmethod
    def resolve_progress(obj) -> int:
        return obj.percent

    @staticmethod
    def resolve_pdf_url(obj) -> str | None:
        return reverse("api:get_bulletin_file", args=[obj.pk, "pdf"]) if obj.pdf else None

    @staticmethod
    def resolve_xlsx_url(obj) -> str | None:
        return reverse("api:get_bulletin_file", args=[obj.pk, "xlsx"]) if obj.xlsx else None


class BulletinIn(Schema):
    kind: Literal["bulletin", "annual"]
    language: str
    period_id: int | None = None
    year: int | None = None


def _visible(request):
    access.require(request.user, "bulletins.read")
    return Report.objects.visible_to(request.user)


@router.get("/bulletins", response=list[BulletinOut], url_name="list_bulletins")
@paginate(LimitOffsetPagination)
def list_reports(
    request,
    kind: str | None = None,
    language: str | None = None,
    status: str | None = None,
    year: int | None = None,
):
    """The archive, newest first."""
    qs = _visible(request)
    if kind:
        qs = qs.filter(kind=kind)
    if language:
        qs = qs.filter(language=language)
    if status:
        qs = qs.filter(status=status)
    if year:
        qs = qs.filter(year=year) | qs.filter(period__starts_on__year=year)
    return qs.order_by("-requested_at", "-pk")


@router.post("/bulletins", response={201: BulletinOut}, url_name="request_bulletin")
def request_report(request, payload: BulletinIn):
    """Queue a bulletin (period_id) or an annual report (year); poll its status."""
    access.require(request.user, "bulletins.generate")
    period = None
    if payload.period_id is not None:
        period = access.visible_or_404(DispatchPeriod, request.user, payload.period_id)
    report = services.request_report(
        actor=request.user,
        kind=payload.kind,
        language=payload.language,
        period=period,
        year=payload.year,
    )
    return Status(201, report)


@router.get("/bulletins/{pk}", response=BulletinOut, url_name="get_bulletin")
def get_report(request, pk: int):
    """One report: status, progress and, once done, the links to its files."""
    # Looked up first: for whoever may not read bulletins the report does not exist (404).
    return access.visible_or_404(Report, request.user, pk)


@router.get("/bulletins/{pk}/files/{fmt}", url_name="get_bulletin_file")
def get_report_file(request, pk: int, fmt: Literal["pdf", "xlsx"]):
    """The generated PDF or Excel file."""
    report = access.visible_or_404(
        Report.objects.filter(status=ReportStatus.DONE), request.user, pk
    )
    stored = getattr(report, fmt)
    if not stored:
        raise Http404("not generated")
    return download_response(_Download(stored, report.file_name(fmt), CONTENT_TYPES[fmt]))
