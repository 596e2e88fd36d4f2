"""Dispatch pages: cycles, periods and their board, reports (form, review), to-do, light rules."""

import django_filters
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, F, Q
from django.db.models.functions import Substr
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView, View

from vanco.core import access
from vanco.core.services import save_versioned
from vanco.core.tables import Column, display
from vanco.core.tree import PATH_DIGITS
from vanco.core.views import DetailPage, FormPage, ListPage, ScopedMixin
from vanco.org.models import Locality
from vanco.projects import dispatch, lights
from vanco.projects.enums import PeriodStatus, ReportStatus
from vanco.projects.filters import DATE_INPUT
from vanco.projects.forms_dispatch import CycleForm, LightRulesForm, ReportForm
from vanco.projects.models import (
    Attachment,
    DispatchCycle,
    DispatchPeriod,
    ProgressReport,
    ProjectLight,
)

#: "/<city>/<district>/": the first two segments of a locality path.
DISTRICT_PATH_LENGTH = 1 + 2 * (PATH_DIGITS + 1)

LIGHT_ICONS = {
    "green": "check-circle-fill",
    "yellow": "exclamation-triangle-fill",
    "red": "x-octagon-fill",
}


def light_context(light: str, reasons) -> dict:
    """What the light partial needs: colour, icon, word and the reasons in words."""
    from vanco.projects.enums import Light

    return {
        "colour": light,
        "icon": LIGHT_ICONS.get(light, "dash-circle"),
        "word": Light(light).label if light else _("No light"),
        "reasons": lights.reasons_text(reasons),
    }


# --- Buckets of the board -------------------------------------------------------------------

BUCKETS = {
    "due": gettext_lazy("Not yet due"),
    "missing": gettext_lazy("Missing (overdue)"),
    "submitted": gettext_lazy("Submitted"),
    "late": gettext_lazy("Submitted late"),
    "returned": gettext_lazy("Returned"),
    "accepted": gettext_lazy("Accepted"),
}


def bucket_q(name: str, today) -> Q:
    if name == "due":
        return Q(status=ReportStatus.DUE, period__due_on__gte=today)
    if name == "missing":
        return Q(status=ReportStatus.DUE, period__due_on__lt=today)
    if name == "late":
        return Q(
            status__in=(ReportStatus.SUBMITTED, ReportStatus.ACCEPTED),
            submitted_at__date__gt=F("period__due_on"),
        )
    if name in ("submitted", "returned", "accepted"):
        return Q(status=name)
    if name == "counted":
        return Q(status__in=dispatch.COUNTED)
    return Q()


# --- Cycles ---------------------------------------------------------------------------------


class CycleList(ListPage):
    model = DispatchCycle
    title = gettext_lazy("Dispatch cycles")
    create_url_name = "projects:cycle-create"
    create_action = "dispatch.manage"
    export_name = "dispatch-cycles"
    search_lookup = "name__icontains"
    fold_search = False
    default_sort = "name"
    empty_message = gettext_lazy("No dispatch cycle yet.")
    columns = [
        Column("name", gettext_lazy("Name"), sort="name"),
        Column(
            "frequency",
            gettext_lazy("Frequency"),
            value=lambda o: display(o, "frequency"),
            sort="frequency",
        ),
        Column("starts_on", gettext_lazy("First period starts on"), sort="starts_on"),
        Column("due_days", gettext_lazy("Days to report"), sort="due_days", numeric=True),
        Column("is_active", gettext_lazy("Active"), sort="is_active"),
    ]


class CycleFormPage(FormPage):
    model = DispatchCycle
    form_class = CycleForm
    action = "dispatch.manage"
    title = gettext_lazy("New dispatch cycle")

    def get_success_url(self, obj) -> str:
        return reverse("projects:period-list")


# --- Periods --------------------------------------------------------------------------------


class PeriodFilter(django_filters.FilterSet):
    cycle = django_filters.ModelChoiceFilter(
        queryset=DispatchCycle.objects.none(), label=gettext_lazy("Cycle")
    )
    status = django_filters.ChoiceFilter(
        choices=PeriodStatus.choices, label=gettext_lazy("Status"), empty_label=gettext_lazy("All")
    )

    class Meta:
        model = DispatchPeriod
        fields = ["cycle", "status"]

    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, request=request, **kwargs)
        self.filters["cycle"].queryset = DispatchCycle.objects.visible_to(request.user)


class PeriodList(ListPage):
    model = DispatchPeriod
    title = gettext_lazy("Dispatch periods")
    template_name = "projects/dispatch_period_list.html"
    filterset_class = PeriodFilter
    select_related = ("cycle",)
    export_name = "dispatch-periods"
    search_lookup = "label__icontains"
    fold_search = False
    default_sort = "-starts_on"
    empty_message = gettext_lazy("No period has been opened yet.")
    columns = [
        Column("label", gettext_lazy("Period"), sort="label", link=True),
        Column("cycle", gettext_lazy("Cycle"), sort="cycle__name"),
        Column("starts_on", gettext_lazy("Start"), sort="starts_on"),
        Column("ends_on", gettext_lazy("End"), sort="ends_on"),
        Column("due_on", gettext_lazy("Reports due"), sort="due_on"),
        Column(
            "status", gettext_lazy("Status"), value=lambda o: display(o, "status"), sort="status"
        ),
    ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        if access.can(self.request.user, "dispatch.manage"):
            context["open_cycles"] = DispatchCycle.objects.editable_by(self.request.user).filter(
                is_active=True
            )
        return context


class PeriodOpen(ScopedMixin, View):
    http_method_names = ["post"]
    required_action = "dispatch.manage"

    def post(self, request):
        cycle_id = request.POST.get("cycle", "")
        cycle = (
            DispatchCycle.objects.editable_by(request.user).filter(pk=cycle_id).first()
            if cycle_id.isdigit()
            else None
        )
        if cycle is None:
            messages.error(request, _("Choose the cycle to open a period in."))
            return HttpResponseRedirect(reverse("projects:period-list"))
        try:
            starts_on = timezone.datetime.fromisoformat(request.POST.get("starts_on", "")).date()
        except ValueError:
            messages.error(request, _("Enter the date the period starts."))
            return HttpResponseRedirect(reverse("projects:period-list"))
        try:
            period = dispatch.open_period(actor=request.user, cycle=cycle, starts_on=starts_on)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return HttpResponseRedirect(reverse("projects:period-list"))
        messages.success(request, _("Period opened: %(name)s") % {"name": period})
        return HttpResponseRedirect(period.get_absolute_url())


class PeriodClose(ScopedMixin, View):
    http_method_names = ["post"]

    def post(self, request, pk):
        period = get_object_or_404(DispatchPeriod.objects.visible_to(request.user), pk=pk)
        access.require(request.user, "dispatch.manage")
        try:
            dispatch.close_period(actor=request.user, period=period)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Period closed; the lights are recomputed."))
        return HttpResponseRedirect(period.get_absolute_url())


class PeriodBoard(ScopedMixin, TemplateView):
    """Per district: how many reports are not yet due, missing, submitted, late, returned,
    accepted — counted in SQL with one GROUP BY over the reports the user may see."""

    model = DispatchPeriod
    template_name = "projects/dispatch_board.html"

    def get_context_data(self, **kwargs):
        period = get_object_or_404(
            DispatchPeriod.objects.visible_to(self.request.user).select_related("cycle"),
            pk=self.kwargs["pk"],
        )
        today = timezone.localdate()
        reports = ProgressReport.objects.visible_to(self.request.user).filter(period=period)
        counts = {name: Count("pk", filter=bucket_q(name, today)) for name in BUCKETS}
        grouped = list(
            reports.annotate(area=Substr("project__locality__path", 1, DISTRICT_PATH_LENGTH))
            .values("area")
            .annotate(total=Count("pk"), **counts)
            .order_by("area")
        )
        areas = Locality.objects.visible_to(self.request.user).filter(
            path__in=[row["area"] for row in grouped]
        )
        names, labels = {}, {}
        for pk, area_path, name in areas.values_list("pk", "path", "name"):
            names[area_path], labels[pk] = pk, name
        rows, totals = [], {name: 0 for name in ["total", *BUCKETS]}
        for row in grouped:
            locality_id = names.get(row["area"])
            cells = [(name, row[name]) for name in BUCKETS]
            rows.append(
                {
                    "locality_id": locality_id,
                    "name": labels.get(locality_id, "—"),
                    "total": row["total"],
                    "cells": cells,
                }
            )
            for name in totals:
                totals[name] += row[name]
        return super().get_context_data(
            period=period,
            title=str(period),
            buckets=list(BUCKETS.items()),
            rows=rows,
            totals=[(name, totals[name]) for name in BUCKETS],
            grand_total=totals["total"],
            can_manage=access.can(self.request.user, "dispatch.manage"),
            **kwargs,
        )


# --- Reports --------------------------------------------------------------------------------


class ReportFilter(django_filters.FilterSet):
    period = django_filters.ModelChoiceFilter(
        queryset=DispatchPeriod.objects.none(), label=gettext_lazy("Period")
    )
    bucket = django_filters.ChoiceFilter(
        # Besides the board's buckets: the reports whose figures count (funds in place).
        choices=[*BUCKETS.items(), ("counted", gettext_lazy("Counted (submitted or accepted)"))],
        label=gettext_lazy("Status"),
        empty_label=gettext_lazy("All"),
        method="filter_bucket",
    )
    locality = django_filters.ModelChoiceFilter(
        queryset=Locality.objects.none(),
        label=gettext_lazy("Locality"),
        method="filter_locality",
        empty_label=gettext_lazy("Whole city"),
    )
    period_ends_from = django_filters.DateFilter(
        field_name="period__ends_on",
        lookup_expr="gte",
        label=gettext_lazy("Period ends from"),
        widget=DATE_INPUT,
    )
    period_ends_to = django_filters.DateFilter(
        field_name="period__ends_on",
        lookup_expr="lte",
        label=gettext_lazy("Period ends until"),
        widget=DATE_INPUT,
    )

    class Meta:
        model = ProgressReport
        fields = ["period"]

    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, request=request, **kwargs)
        self.filters["period"].queryset = DispatchPeriod.objects.visible_to(request.user)
        self.filters["locality"].queryset = Locality.objects.visible_to(request.user)

    def filter_bucket(self, queryset, name, value):
        return queryset.filter(bucket_q(value, timezone.localdate())) if value else queryset

    def filter_locality(self, queryset, name, value):
        if not value:
            return queryset
        return queryset.filter(project__locality__path__startswith=value.path)


REPORT_COLUMNS = [
    Column("project__code", gettext_lazy("Code"), sort="project__code"),
    Column("project__name", gettext_lazy("Project"), sort="project__name", link=True),
    Column("project__locality", gettext_lazy("Host locality"), sort="project__locality__name"),
    Column("period", gettext_lazy("Period"), sort="period__starts_on"),
    Column("period__due_on", gettext_lazy("Reports due"), sort="period__due_on"),
    Column("status", gettext_lazy("Status"), value=lambda o: display(o, "status"), sort="status"),
    Column(
        "progress_percent",
        gettext_lazy("Physical progress (%)"),
        sort="progress_percent",
        numeric=True,
    ),
    Column(
        "funds_this_period",
        gettext_lazy("Funds in place this period"),
        sort="funds_this_period",
        numeric=True,
        total=True,
    ),
    Column("submitted_at", gettext_lazy("Submitted at"), sort="submitted_at"),
]


class ReportList(ListPage):
    model = ProgressReport
    title = gettext_lazy("Progress reports")
    filterset_class = ReportFilter
    select_related = ("project", "project__locality", "period")
    export_name = "progress-reports"
    search_lookup = "project__search_text__contains"
    # Newest first along the primary key: no sort over millions of joined rows by default.
    default_sort = "-pk"
    empty_message = gettext_lazy("No report matches these filters.")
    columns = REPORT_COLUMNS
    template_name = "projects/report_list.html"

    def get_context_data(self, **kwargs):
        can_import = access.can(self.request.user, "reports.submit")
        return super().get_context_data(can_import=can_import, **kwargs)


class MyReports(ListPage):
    """The officer's to-do: reports of projects they may report on, in open periods, not in."""

    model = ProgressReport
    title = gettext_lazy("My reports due")
    required_action = "reports.submit"
    select_related = ("project", "project__locality", "period")
    export_name = "my-reports-due"
    search_lookup = "project__search_text__contains"
    default_sort = "period__due_on"
    empty_message = gettext_lazy("Nothing to report: every report is in.")
    columns = REPORT_COLUMNS[:6]
    template_name = "projects/report_list.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(can_import=True, **kwargs)

    def base_queryset(self):
        return dispatch.reports_due_for(self.request.user, today=timezone.localdate())


def report_attachments(user, report) -> list:
    """The files stored with one report, as the user may see them (one query)."""
    return list(
        Attachment.objects.visible_to(user)
        .filter(report=report)
        .select_related("uploaded_by")
        .order_by("created_at", "pk")
    )


class ReportDetail(DetailPage):
    model = ProgressReport
    template_name = "projects/report_detail.html"
    select_related = ("project", "project__locality", "period", "submitted_by", "reviewed_by")

    #: At most this many linked obstacles are listed (the newest first).
    MAX_OBSTACLES = 20

    def get_context_data(self, **kwargs):
        from vanco.obstacles.models import Obstacle
        from vanco.obstacles.tables import status_look

        context = super().get_context_data(**kwargs)
        report = context["object"]
        user = self.request.user
        linked = list(
            Obstacle.objects.visible_to(user)
            .filter(report=report)
            .select_related("lead_department")
            .order_by("-raised_at", "-pk")[: self.MAX_OBSTACLES + 1]
        )
        stored = (
            ProjectLight.objects.visible_to(user)
            .filter(project_id=report.project_id, period_id=report.period_id)
            .first()
        )
        context.update(
            title=str(report.project),
            attachments=report_attachments(user, report),
            previous=dispatch.previous_report(report),
            light=light_context(stored.light, stored.reasons) if stored else None,
            can_submit=context["can_edit"]
            and access.can(user, "reports.submit")
            and report.status in dispatch.SUBMITTABLE
            and report.period.status != PeriodStatus.CLOSED,
            can_review=report.status == ReportStatus.SUBMITTED
            and access.can(user, "reports.review")
            and context["can_edit"],
            can_raise_obstacle=access.can(user, "obstacles.raise"),
            linked_obstacles=[
                (obstacle, status_look(obstacle.status))
                for obstacle in linked[: self.MAX_OBSTACLES]
            ],
            more_obstacles=len(linked) > self.MAX_OBSTACLES,
        )
        return context


class ReportEdit(ScopedMixin, TemplateView):
    """The report form: phone first, one column; a refused submit keeps what was typed."""

    model = ProgressReport
    template_name = "projects/report_form.html"

    def get_report(self):
        report = get_object_or_404(
            ProgressReport.objects.visible_to(self.request.user).select_related(
                "project", "period"
            ),
            pk=self.kwargs["pk"],
        )
        access.require(self.request.user, "reports.submit")
        if not ProgressReport.objects.editable_by(self.request.user).filter(pk=report.pk).exists():
            raise PermissionDenied("reports.submit")
        return report

    def render_form(self, report, form, status=200):
        context = self.get_context_data(
            object=report,
            form=form,
            previous=form.previous,
            title=str(report.project),
            closed=report.period.status == PeriodStatus.CLOSED,
        )
        response = self.render_to_response(context)
        response.status_code = status
        return response

    def get(self, request, pk):
        report = self.get_report()
        form = ReportForm(instance=report, previous=dispatch.previous_report(report))
        return self.render_form(report, form)

    def post(self, request, pk):
        report = self.get_report()
        form = ReportForm(
            data=request.POST,
            files=request.FILES,
            instance=report,
            previous=dispatch.previous_report(report),
        )
        if form.is_valid():
            try:
                dispatch.submit_report(
                    actor=request.user,
                    report=report,
                    data=request.POST,
                    expected_version=form.cleaned_data.get("version"),
                    files=form.cleaned_data.get("files") or [],
                )
            except ValidationError as error:
                if hasattr(error, "error_dict"):
                    for field, errors in error.message_dict.items():
                        form.add_error(field if field in form.fields else None, errors)
                else:
                    form.add_error(None, error.messages)
            except PermissionDenied:
                form.add_error(None, _("You may not submit this report."))
            else:
                messages.success(request, _("Report submitted."))
                return HttpResponseRedirect(report.get_absolute_url())
        if request.FILES.getlist("files"):
            # Browsers cannot refill a file input: say so, next to the field.
            form.add_error(
                "files",
                _(
                    "The report was not submitted, so the files you chose were not kept: "
                    "choose them again."
                ),
            )
        return self.render_form(report, form, status=400)


class ReportReview(ScopedMixin, View):
    """POST accept or return (with a comment)."""

    http_method_names = ["post"]
    decision = "accept"

    def post(self, request, pk):
        report = get_object_or_404(ProgressReport.objects.visible_to(request.user), pk=pk)
        access.require(request.user, "reports.review")
        try:
            with transaction.atomic():
                if self.decision == "accept":
                    dispatch.accept_report(actor=request.user, report=report)
                    messages.success(request, _("Report accepted."))
                else:
                    dispatch.return_report(
                        actor=request.user, report=report, comment=request.POST.get("comment", "")
                    )
                    messages.success(request, _("Report returned to the officer."))
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        return HttpResponseRedirect(report.get_absolute_url())


# --- Light rules ----------------------------------------------------------------------------


class LightRulesPage(ScopedMixin, TemplateView):
    """Everyone reads the rules in plain words; the coordinator changes the thresholds."""

    template_name = "projects/dispatch_light_rules.html"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not access.scope_for(request.user).has_role:
            raise PermissionDenied("lights.read")
        return super().dispatch(request, *args, **kwargs)

    def render_page(self, rules, form, status=200):
        context = self.get_context_data(
            title=_("Traffic-light rules"),
            rules=rules,
            descriptions=[
                (light_context(colour, []), text)
                for colour, text in lights.rule_descriptions(rules)
            ],
            form=form,
        )
        response = self.render_to_response(context)
        response.status_code = status
        return response

    def can_configure(self, rules) -> bool:
        user = self.request.user
        return access.can(user, "lights.configure") and (
            type(rules).objects.editable_by(user).filter(pk=rules.pk).exists()
        )

    def get(self, request):
        rules = dispatch.current_rules()
        form = LightRulesForm(instance=rules) if self.can_configure(rules) else None
        return self.render_page(rules, form)

    def post(self, request):
        rules = dispatch.current_rules()
        access.require(request.user, "lights.configure")
        if not self.can_configure(rules):
            raise PermissionDenied("lights.configure")
        form = LightRulesForm(data=request.POST, instance=rules)
        if form.is_valid():
            try:
                save_versioned(
                    instance=form.save(commit=False),
                    expected_version=form.cleaned_data.get("version"),
                    actor=request.user,
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, _("The traffic-light rules are saved."))
                return HttpResponseRedirect(reverse("projects:light-rules"))
        return self.render_page(rules, form, status=400)


urlpatterns = [
    path("dispatch/cycles/", CycleList.as_view(), name="cycle-list"),
    path("dispatch/cycles/new/", CycleFormPage.as_view(), name="cycle-create"),
    path("dispatch/cycles/<int:pk>/edit/", CycleFormPage.as_view(), name="cycle-edit"),
    path("dispatch/periods/", PeriodList.as_view(), name="period-list"),
    path("dispatch/periods/open/", PeriodOpen.as_view(), name="period-open"),
    path("dispatch/periods/<int:pk>/", PeriodBoard.as_view(), name="period-board"),
    path("dispatch/periods/<int:pk>/close/", PeriodClose.as_view(), name="period-close"),
    path("dispatch/reports/", ReportList.as_view(), name="report-list"),
    path("dispatch/reports/mine/", MyReports.as_view(), name="my-reports"),
    path("dispatch/reports/<int:pk>/", ReportDetail.as_view(), name="report-detail"),
    path("dispatch/reports/<int:pk>/edit/", ReportEdit.as_view(), name="report-edit"),
    path(
        "dispatch/reports/<int:pk>/accept/",
        ReportReview.as_view(decision="accept"),
        name="report-accept",
    ),
    path(
        "dispatch/reports/<int:pk>/return/",
        ReportReview.as_view(decision="return"),
        name="report-return",
    ),
    path("dispatch/lights/rules/", LightRulesPage.as_view(), name="light-rules"),
]
