"""Common problems, the concentration view and the metrics of departments and localities."""

import re
import tempfile
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView, View
from openpyxl import Workbook

from vanco.core import access
from vanco.core.exports import cell_value
from vanco.core.forms import bootstrap
from vanco.core.tables import Column
from vanco.core.views import DetailPage, FormPage, ListPage, ScopedMixin
from vanco.obstacles import problems, queries
from vanco.obstacles.filters import NONE, CommonProblemFilter, StatusGroup
from vanco.obstacles.models import CommonProblem, Obstacle
from vanco.obstacles.tables import status_look
from vanco.org.models import Locality

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
OBSTACLES_PER_PAGE = 25


def obstacle_list_url(**params) -> str:
    """The obstacle list (all of the user's tabs) filtered by `params` (filters.py names)."""
    query = {"view": "all", **{k: v for k, v in params.items() if v not in (None, "")}}
    return f"{reverse('obstacles:obstacle-list')}?{urlencode(query)}"


# --- common problems ------------------------------------------------------------------------


class ProblemList(ListPage):
    model = CommonProblem
    title = gettext_lazy("Common problems")
    filterset_class = CommonProblemFilter
    select_related = ("industry", "owner")
    default_sort = "-updated_at"
    create_url_name = "obstacles:problem-create"
    create_action = "problems.manage"
    export_name = "common-problems"
    empty_message = gettext_lazy("No common problem yet.")
    columns = [
        Column("title", gettext_lazy("Title"), sort="title", link=True),
        Column(
            "category",
            gettext_lazy("Category"),
            value=lambda p: p.get_category_display(),
            sort="category",
        ),
        Column("industry", gettext_lazy("Leading industry"), sort="industry__name"),
        Column("owner", gettext_lazy("Owner"), sort="owner__username"),
        Column(
            "status", gettext_lazy("Status"), value=lambda p: p.get_status_display(), sort="status"
        ),
        Column("updated_at", gettext_lazy("Updated"), sort="updated_at", nowrap=True),
    ]


class ProblemDetail(DetailPage):
    model = CommonProblem
    template_name = "obstacles/problem_detail.html"
    select_related = ("industry", "owner")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        problem = context["object"]
        linked = (
            Obstacle.objects.visible_to(self.request.user)
            .filter(common_problem=problem)
            .select_related("enterprise", "locality", "lead_department")
            .order_by("-raised_at", "-pk")
        )
        page = Paginator(linked, OBSTACLES_PER_PAGE).get_page(self.request.GET.get("page"))
        query = self.request.GET.copy()
        query.pop("page", None)
        context.update(
            page=page,
            paginator=page.paginator,
            querystring=query.urlencode(),
            rows=[(o, status_look(o.status)) for o in page.object_list],
            can_manage=context["can_edit"] and access.can(self.request.user, "problems.manage"),
        )
        return context


class ProblemFormPage(FormPage):
    model = CommonProblem
    form_class = problems.CommonProblemForm
    action = "problems.manage"
    title = gettext_lazy("New common problem")


#: "VM-12", "12" or "#12", separated by commas, spaces or new lines.
_OBSTACLE_NUMBER = re.compile(r"(?:VM-|#)?(\d{1,12})", re.IGNORECASE)


def parse_numbers(text: str) -> list[int] | None:
    """Obstacle ids from what the coordinator typed; None when something is not a number."""
    parts = [part for part in re.split(r"[\s,;]+", text or "") if part]
    numbers = []
    for part in parts:
        match = _OBSTACLE_NUMBER.fullmatch(part)
        if match is None:
            return None
        numbers.append(int(match.group(1)))
    return numbers


class ProblemGroup(ScopedMixin, View):
    """POST: add obstacles (by number) to the problem."""

    http_method_names = ["post"]

    def post(self, request, pk):
        problem = get_object_or_404(CommonProblem.objects.visible_to(request.user), pk=pk)
        access.require(request.user, "problems.manage")
        numbers = parse_numbers(request.POST.get("obstacles", ""))
        if numbers is None:
            messages.error(request, _("Type obstacle numbers such as VM-12, separated by commas."))
        else:
            try:
                changed = problems.group_obstacles(
                    actor=request.user,
                    problem=problem,
                    obstacles=numbers,
                    comment=request.POST.get("comment", ""),
                )
            except ValidationError as error:
                messages.error(request, " ".join(error.messages))
            else:
                messages.success(
                    request,
                    _("Obstacles added to the common problem: %(count)s.")
                    % {"count": len(changed)},
                )
        return HttpResponseRedirect(problem.get_absolute_url())


class ProblemUngroup(ScopedMixin, View):
    """POST: take one obstacle out of the problem."""

    http_method_names = ["post"]

    def post(self, request, pk, obstacle_pk):
        problem = get_object_or_404(CommonProblem.objects.visible_to(request.user), pk=pk)
        access.require(request.user, "problems.manage")
        obstacle = get_object_or_404(
            Obstacle.objects.visible_to(request.user).filter(common_problem=problem),
            pk=obstacle_pk,
        )
        try:
            problems.ungroup_obstacle(
                actor=request.user,
                obstacle=obstacle,
                expected_version=request.POST.get("version") or None,
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(
                request, _("Removed from the common problem: %(name)s") % {"name": obstacle}
            )
        return HttpResponseRedirect(problem.get_absolute_url())


# --- metrics --------------------------------------------------------------------------------


class RangeForm(forms.Form):
    date_from = forms.DateField(label=gettext_lazy("From"), required=False, widget=DATE_INPUT)
    date_to = forms.DateField(label=gettext_lazy("Until"), required=False, widget=DATE_INPUT)

    def clean(self):
        data = super().clean()
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            raise ValidationError(_("The start date is after the end date."))
        return data


def figure_links(group: dict, date_from, date_to) -> dict:
    """Where each figure leads: the obstacle list filtered to exactly the obstacles counted
    (see queries.metrics for what each figure counts)."""
    start, end = date_from.isoformat(), date_to.isoformat()
    resolved = {**group, "resolved_from": start, "resolved_to": end}
    return {
        "raised": obstacle_list_url(**group, raised_from=start, raised_to=end),
        "resolved": obstacle_list_url(**resolved),
        "on_time": obstacle_list_url(**resolved, on_time="yes"),
        "overdue": obstacle_list_url(**group, deadline="overdue"),
        "rated": obstacle_list_url(**group, closed_from=start, closed_to=end, rated="yes"),
    }


def _row_links(row, by: str, date_from, date_to) -> dict:
    """The links of one row: its department (or "none" for the obstacles not yet assigned)
    or its district; a row the list cannot single out gets none."""
    if by == queries.DEPARTMENT:
        value = NONE if row.key is None else row.filter_value
        group = {"lead_department": value}
    else:
        if row.filter_value is None:
            return {}
        group = {"locality": row.filter_value}
    return figure_links(group, date_from, date_to)


def metric_tables(user, date_from, date_to) -> list[dict]:
    tables = []
    for by, heading, label in (
        (queries.DEPARTMENT, gettext_lazy("By lead department"), gettext_lazy("Department")),
        (queries.LOCALITY, gettext_lazy("By district"), gettext_lazy("Locality")),
    ):
        rows = queries.metrics(user, by=by, date_from=date_from, date_to=date_to)
        tables.append(
            {
                "by": by,
                "heading": heading,
                "label": label,
                "rows": [(row, _row_links(row, by, date_from, date_to)) for row in rows],
                "total": queries.metrics_total(rows),
                "total_links": figure_links({}, date_from, date_to),
            }
        )
    return tables


METRIC_HEADERS = [
    gettext_lazy("Raised"),
    gettext_lazy("Resolved"),
    gettext_lazy("Resolved on time"),
    gettext_lazy("On time (%)"),
    gettext_lazy("Median days to resolve"),
    gettext_lazy("Overdue now"),
    gettext_lazy("Average satisfaction (1–5)"),
]


def _metric_values(row) -> list:
    return [
        row.raised,
        row.resolved,
        row.on_time,
        row.on_time_share,
        row.median_days,
        row.overdue,
        row.average_rating,
    ]


def metrics_workbook(tables) -> FileResponse:
    workbook = Workbook(write_only=True)
    for table in tables:
        sheet = workbook.create_sheet(title=str(table["heading"])[:31])
        sheet.append([str(table["label"]), *(str(header) for header in METRIC_HEADERS)])
        for row, _links in table["rows"]:
            sheet.append([cell_value(v) for v in [row.label, *_metric_values(row)]])
        total = table["total"]
        sheet.append([cell_value(v) for v in [total.label, *_metric_values(total)]])
    handle = tempfile.TemporaryFile()  # noqa: SIM115 (FileResponse closes it)
    workbook.save(handle)
    handle.seek(0)
    return FileResponse(
        handle,
        as_attachment=True,
        filename="obstacle-metrics.xlsx",
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )


class MetricsPage(ScopedMixin, TemplateView):
    template_name = "obstacles/metrics.html"
    required_action = "obstacles.metrics"

    def get(self, request, *args, **kwargs):
        form = bootstrap(RangeForm(request.GET or None))
        default_from, default_to = queries.default_range()
        date_from, date_to = default_from, default_to
        if form.is_bound and form.is_valid():
            date_from = form.cleaned_data["date_from"] or default_from
            date_to = form.cleaned_data["date_to"] or default_to
        if not form.is_bound:
            form = bootstrap(RangeForm(initial={"date_from": date_from, "date_to": date_to}))
        tables = metric_tables(request.user, date_from, date_to)
        if request.GET.get("export") == "xlsx":
            return metrics_workbook(tables)
        query = request.GET.copy()
        query["export"] = "xlsx"
        context = self.get_context_data(
            title=_("Obstacle metrics"),
            form=form,
            tables=tables,
            date_from=date_from,
            date_to=date_to,
            export_query=query.urlencode(),
            headers=METRIC_HEADERS,
        )
        return self.render_to_response(context)


# --- concentration --------------------------------------------------------------------------


class LocalityForm(forms.Form):
    locality = forms.ModelChoiceField(
        label=gettext_lazy("Locality"),
        queryset=Locality.objects.none(),
        required=False,
        empty_label=gettext_lazy("Whole city"),
    )

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["locality"].queryset = (
            Locality.objects.visible_to(user).filter(is_active=True, depth__lte=1).order_by("path")
        )


#: Shades of the heat table, lightest to darkest (the count is always written in the cell).
HEAT_CLASSES = [
    "",
    "bg-danger bg-opacity-10",
    "bg-danger bg-opacity-25",
    "bg-danger bg-opacity-50",
    "bg-danger bg-opacity-75 text-white",
]


def heat_class(count: int, maximum: int) -> str:
    if not count or not maximum:
        return HEAT_CLASSES[0]
    return HEAT_CLASSES[min(4, 1 + (4 * (count - 1)) // maximum)]


class ConcentrationPage(ScopedMixin, TemplateView):
    template_name = "obstacles/concentration.html"
    required_action = "obstacles.metrics"

    def get(self, request, *args, **kwargs):
        form = bootstrap(LocalityForm(request.GET or None, user=request.user))
        locality = form.cleaned_data.get("locality") if form.is_valid() else None
        matrix = queries.concentration(request.user, locality=locality)
        locality_id = locality.pk if locality else None
        rows = []
        for category, label in matrix.categories:
            cells = []
            for industry_id, _name in matrix.industries:
                count = matrix.cell(category, industry_id)
                link = None
                if count:
                    link = obstacle_list_url(
                        status_group=StatusGroup.UNRESOLVED,
                        category=category,
                        industry=NONE if industry_id is None else industry_id,
                        locality=locality_id,
                    )
                cells.append((count, heat_class(count, matrix.maximum), link))
            rows.append((label, cells))
        context = self.get_context_data(
            title=_("Where obstacles concentrate"),
            form=form,
            matrix=matrix,
            rows=rows,
        )
        return self.render_to_response(context)


urlpatterns = [
    path("problems/", ProblemList.as_view(), name="problem-list"),
    path("problems/new/", ProblemFormPage.as_view(), name="problem-create"),
    path("problems/<int:pk>/", ProblemDetail.as_view(), name="problem-detail"),
    path("problems/<int:pk>/edit/", ProblemFormPage.as_view(), name="problem-edit"),
    path("problems/<int:pk>/group/", ProblemGroup.as_view(), name="problem-group"),
    path(
        "problems/<int:pk>/remove/<int:obstacle_pk>/",
        ProblemUngroup.as_view(),
        name="problem-ungroup",
    ),
    path("metrics/", MetricsPage.as_view(), name="metrics"),
    path("concentration/", ConcentrationPage.as_view(), name="concentration"),
]
