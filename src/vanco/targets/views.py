"""Targets and ranking pages: the targets grid (year × locality × metric) with its Excel import
and export, the actuals with their definitions and drill-downs, the live ranking with its
formula and publish button, the published snapshots and the campaigns.

Thin: figures come from `targets.actuals` and `targets.ranking`, writes from `targets.services`
and `targets.ranking.publish_ranking`; every read starts at the user's visible querysets."""

import tempfile
from decimal import Decimal
from urllib.parse import urlencode

import django_filters
from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView, View
from openpyxl import Workbook

from vanco.core import access, imports
from vanco.core.exports import cell_value
from vanco.core.forms import bootstrap
from vanco.core.tables import Column
from vanco.core.views import DetailPage, FormPage, ListPage, ScopedMixin
from vanco.org.models import Locality
from vanco.projects.templatetags.vanco_projects import format_amount
from vanco.targets import ranking
from vanco.targets.actuals import actuals, drilldown_url
from vanco.targets.enums import COUNT_METRICS, RATE_METRICS, Metric, definition, unit
from vanco.targets.forms import CampaignForm, TargetForm
from vanco.targets.models import Campaign, RankingEntry, RankingSnapshot, Target

MANAGE = "targets.manage"


def figure(metric: str, value) -> str | None:
    """A figure as people read it: whole numbers for counts, 2 places for rates and amounts."""
    if value is None:
        return None
    if metric in COUNT_METRICS:
        return format_amount(value, 0)
    return format_amount(value, 2 if metric in RATE_METRICS else 3)


def metric_heads() -> list[dict]:
    return [
        {
            "value": metric,
            "label": label,
            "unit": unit(metric),
            "definition": definition(metric),
        }
        for metric, label in Metric.choices
    ]


class YearForm(forms.Form):
    year = forms.IntegerField(label=gettext_lazy("Year"), min_value=2000, max_value=2100)


class SpanForm(forms.Form):
    year_from = forms.IntegerField(label=gettext_lazy("From year"), min_value=2000, max_value=2100)
    year_to = forms.IntegerField(label=gettext_lazy("To year"), min_value=2000, max_value=2100)

    def clean(self):
        cleaned = super().clean()
        first, last = cleaned.get("year_from"), cleaned.get("year_to")
        if first and last and last < first:
            raise forms.ValidationError(_("The last year cannot come before the first year."))
        if first and last and last - first > 20:
            raise forms.ValidationError(_("Choose at most twenty years."))
        return cleaned


def _grid_localities(user, locality_ids):
    """The localities a grid shows: the city and its direct parts, plus any other locality
    with a figure to show; only those the user can see."""
    qs = Locality.objects.visible_to(user).order_by("path")
    scope = access.scope_for(user)
    if scope.whole_city:
        return list(qs.filter(depth__lte=1) | qs.filter(pk__in=locality_ids))
    # A locality officer: their own localities, the level just under them, and any locality of
    # their subtree with a target. A path "/1/2/" has depth 1: its segments minus one.
    segments = [path.strip("/").count("/") + 1 for path in scope.locality_paths]
    subtree = qs.filter(scope.locality_q("path"))
    return list(
        subtree.filter(depth__lte=min(segments, default=1)) | subtree.filter(pk__in=locality_ids)
    )


# --- targets grid ---------------------------------------------------------------------------


class TargetGrid(ScopedMixin, TemplateView):
    """Targets of one year: a row per locality, a column per metric."""

    model = Target
    template_name = "targets/target_grid.html"

    def get(self, request, *args, **kwargs):
        this_year = timezone.localdate().year
        form = bootstrap(YearForm(request.GET or {"year": this_year}))
        year = form.cleaned_data["year"] if form.is_valid() else this_year
        if request.GET.get("export") == "xlsx":
            handle = tempfile.TemporaryFile()  # noqa: SIM115 (FileResponse closes it)
            imports.write_export("targets", handle, user=request.user, params={"year": year})
            handle.seek(0)
            return FileResponse(
                handle,
                as_attachment=True,
                filename=f"targets-{year}.xlsx",
                content_type=imports.XLSX_CONTENT_TYPE,
            )
        targets = list(Target.objects.visible_to(request.user).filter(year=year).order_by())
        by_cell = {(t.locality_id, t.metric): t for t in targets}
        localities = _grid_localities(request.user, {t.locality_id for t in targets})
        can_manage = access.can(request.user, MANAGE)
        new_url = reverse("targets:target-create")
        rows = []
        for locality in localities:
            cells = []
            for metric in Metric.values:
                target = by_cell.get((locality.pk, metric))
                if target is not None:
                    url = target.get_absolute_url() if can_manage else None
                else:
                    query = {"year": year, "locality": locality.pk, "metric": metric}
                    url = f"{new_url}?{urlencode(query)}" if can_manage else None
                cells.append(
                    {
                        "metric": metric,
                        "target": target,
                        "text": figure(metric, target.value) if target else None,
                        "url": url,
                    }
                )
            rows.append({"locality": locality, "cells": cells})
        return self.render_to_response(
            self.get_context_data(
                title=_("Targets"),
                form=form,
                year=year,
                rows=rows,
                heads=metric_heads(),
                count=len(targets),
                can_manage=can_manage,
                import_url=reverse("core:import", args=["targets"]),
                export_query=urlencode({"year": year, "export": "xlsx"}),
            )
        )


class TargetFormPage(FormPage):
    model = Target
    form_class = TargetForm
    action = MANAGE
    title = gettext_lazy("New target")
    template_name = "targets/target_form.html"

    def get_form(self, obj, data=None):
        initial = {}
        if obj is None:
            for name in ("year", "locality", "metric"):
                if self.request.GET.get(name):
                    initial[name] = self.request.GET[name]
            initial.setdefault("year", timezone.localdate().year)
        return self.form_class(data=data, instance=obj, user=self.request.user, initial=initial)

    def get_success_url(self, obj) -> str:
        return f"{reverse('targets:target-grid')}?{urlencode({'year': obj.year})}"

    def page_context(self, obj, form):
        context = super().page_context(obj, form)
        context["definitions"] = metric_heads()
        return context


# --- actuals --------------------------------------------------------------------------------


def _span_from(request) -> tuple[SpanForm, range]:
    this_year = timezone.localdate().year
    data = request.GET if request.GET.get("year_from") else None
    form = bootstrap(SpanForm(data or {"year_from": this_year, "year_to": this_year}))
    if form.is_valid():
        return form, range(form.cleaned_data["year_from"], form.cleaned_data["year_to"] + 1)
    return form, range(this_year, this_year + 1)


class ActualsPage(ScopedMixin, TemplateView):
    """Actuals against targets for a year or a span of years, every figure a link to the list
    of the records behind it."""

    model = Target
    template_name = "targets/actuals.html"

    def get(self, request, *args, **kwargs):
        form, span = _span_from(request)
        user = request.user
        targets = {}
        for locality_id, metric, year, value in (
            Target.objects.visible_to(user)
            .filter(year__in=list(span))
            .values_list("locality_id", "metric", "year", "value")
        ):
            targets.setdefault((locality_id, metric), {})[year] = value
        localities = _grid_localities(user, {key[0] for key in targets})
        figures = actuals(user, years=span, locality_ids=[loc.pk for loc in localities])
        rows = []
        for locality in localities:
            cells = []
            for metric in Metric.values:
                yearly = targets.get((locality.pk, metric), {})
                target = None
                if len(yearly) == len(span):
                    total = sum(yearly.values(), Decimal("0"))
                    target = total / len(span) if metric in RATE_METRICS else total
                actual = figures.get((locality.pk, metric))
                completion = None
                if target and actual is not None:
                    completion = actual * 100 / target
                cells.append(
                    {
                        "metric": metric,
                        "actual": figure(metric, actual),
                        "target": figure(metric, target),
                        "completion": format_amount(completion, 1)
                        if completion is not None
                        else None,
                        "reached": completion is not None and completion >= 100,
                        "numbers": [_number(actual), _number(target), _number(completion)],
                        "url": drilldown_url(metric, span, locality),
                        "denominator_url": drilldown_url(metric, span, locality, part="resolved")
                        if metric == Metric.OBSTACLE_ON_TIME_RATE
                        else None,
                    }
                )
            rows.append({"locality": locality, "cells": cells})
        if request.GET.get("export") == "xlsx":
            return _actuals_workbook(rows, span)
        return self.render_to_response(
            self.get_context_data(
                title=_("Actuals against targets"),
                form=form,
                span=span,
                rows=rows,
                heads=metric_heads(),
                export_query=urlencode(
                    {"year_from": span[0], "year_to": span[-1], "export": "xlsx"}
                ),
            )
        )


def _xlsx(sheet_title: str, header: list, rows: list[list], filename: str) -> FileResponse:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=sheet_title[:31])
    sheet.append([str(h) for h in header])
    for row in rows:
        sheet.append([cell_value(value) for value in row])
    handle = tempfile.TemporaryFile()  # noqa: SIM115 (FileResponse closes it)
    workbook.save(handle)
    handle.seek(0)
    return FileResponse(
        handle, as_attachment=True, filename=filename, content_type=imports.XLSX_CONTENT_TYPE
    )


def _actuals_workbook(rows, span) -> FileResponse:
    header = [_("Locality")]
    for _metric, label in Metric.choices:
        header += [
            _("%(metric)s: actual") % {"metric": label},
            _("%(metric)s: target") % {"metric": label},
            _("%(metric)s: completion (%%)") % {"metric": label},
        ]
    lines = []
    for row in rows:
        line = [row["locality"].name]
        for cell in row["cells"]:
            line += cell["numbers"]
        lines.append(line)
    return _xlsx(str(_("Actuals")), header, lines, f"actuals-{span[0]}-{span[-1]}.xlsx")


# --- ranking --------------------------------------------------------------------------------


def _chosen_campaign(request):
    campaigns = list(Campaign.objects.visible_to(request.user))
    chosen = None
    wanted = request.GET.get("campaign")
    if wanted:
        chosen = next((c for c in campaigns if str(c.pk) == wanted), None)
        if chosen is None:
            raise Http404("campaign")
    elif campaigns:
        this_year = timezone.localdate().year
        chosen = next((c for c in campaigns if this_year in c.years), campaigns[0])
    return campaigns, chosen


def _weights_list(weights: dict) -> list[dict]:
    return [
        {"metric": metric, "label": Metric(metric).label, "weight": format_amount(weight, 2)}
        for metric, weight in ranking.clean_weights(weights).items()
    ]


def _line_rows(lines, span, locality, *, links: bool) -> list[dict]:
    return [
        {
            "label": line.metric_label,
            "unit": unit(line.metric),
            "weight": format_amount(line.weight, 2),
            "target": figure(line.metric, line.target),
            "actual": figure(line.metric, line.actual),
            "completion": format_amount(line.completion, 2)
            if line.completion is not None
            else None,
            "points": format_amount(line.points, 2) if line.points is not None else None,
            "status": line.status,
            "url": drilldown_url(line.metric, span, locality) if links else None,
            "numbers": [_number(line.target), _number(line.actual), _number(line.points)],
        }
        for line in lines
    ]


def _number(value) -> float | None:
    """A Decimal as an Excel number (a text cell cannot be summed)."""
    return None if value is None else float(value)


def _score_chart(entries) -> dict:
    ranked = [entry for entry in entries if entry["score"] is not None]
    return {
        "grid": {"left": 8, "right": 16, "top": 8, "bottom": 8, "containLabel": True},
        "tooltip": {"trigger": "axis"},
        "xAxis": {"type": "value", "name": str(_("Score"))},
        "yAxis": {
            "type": "category",
            "inverse": True,
            "data": [entry["name"] for entry in ranked],
        },
        "series": [
            {
                "type": "bar",
                "name": str(_("Score")),
                "data": [
                    {"value": float(entry["score"]), "url": f"#locality-{entry['pk']}"}
                    for entry in ranked
                ],
            }
        ],
    }


class LiveRanking(ScopedMixin, TemplateView):
    """Today's ranking of a campaign, computed from the records (whole-city readers only)."""

    model = Campaign
    required_action = "rankings.live"
    template_name = "targets/ranking.html"

    def get(self, request, *args, **kwargs):
        campaigns, campaign = _chosen_campaign(request)
        entries = []
        if campaign is not None:
            span = campaign.years
            for row in ranking.campaign_ranking(request.user, campaign):
                entries.append(
                    {
                        "pk": row.locality.pk,
                        "name": row.locality.name,
                        "rank": row.rank,
                        "score": row.score,
                        "score_text": format_amount(row.score, 2)
                        if row.score is not None
                        else None,
                        "lines": _line_rows(row.lines, span, row.locality, links=True),
                    }
                )
        return self.render_to_response(
            self.get_context_data(
                title=_("Live ranking"),
                campaigns=campaigns,
                campaign=campaign,
                entries=entries,
                weights=_weights_list(campaign.weights) if campaign else [],
                formula=ranking.FORMULA,
                chart=_score_chart(entries),
                can_publish=access.can(request.user, "rankings.publish") and campaign is not None,
                snapshots=RankingSnapshot.objects.visible_to(request.user).filter(
                    campaign=campaign
                )[:5]
                if campaign
                else [],
            )
        )


class PublishRanking(ScopedMixin, View):
    http_method_names = ["post"]
    model = Campaign

    def post(self, request, pk):
        campaign = get_object_or_404(Campaign.objects.visible_to(request.user), pk=pk)
        access.require(request.user, "rankings.publish")
        try:
            snapshot = ranking.publish_ranking(
                actor=request.user, campaign=campaign, title=request.POST.get("title", "")[:255]
            )
        except (ValidationError, PermissionDenied) as error:
            messages.error(request, " ".join(getattr(error, "messages", [str(error)])))
            return HttpResponseRedirect(
                f"{reverse('targets:ranking')}?{urlencode({'campaign': campaign.pk})}"
            )
        messages.success(request, _("Published: %(name)s") % {"name": snapshot})
        return HttpResponseRedirect(snapshot.get_absolute_url())


class SnapshotFilter(django_filters.FilterSet):
    campaign = django_filters.ModelChoiceFilter(
        queryset=Campaign.objects.none(), label=gettext_lazy("Campaign"), empty_label=_("All")
    )

    class Meta:
        model = RankingSnapshot
        fields = ["campaign"]

    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, request=request, **kwargs)
        self.filters["campaign"].queryset = Campaign.objects.visible_to(request.user)


class SnapshotList(ListPage):
    model = RankingSnapshot
    title = gettext_lazy("Published rankings")
    filterset_class = SnapshotFilter
    select_related = ("campaign", "published_by")
    default_sort = "-published_at"
    search_lookup = None
    export_name = "published-rankings"
    empty_message = gettext_lazy(
        "No ranking has been published yet. The coordinator publishes one from the live ranking."
    )
    columns = [
        Column("title", gettext_lazy("Title"), sort="title", link=True),
        Column("campaign", gettext_lazy("Campaign"), sort="campaign__name"),
        Column(
            "years",
            gettext_lazy("Years"),
            value=lambda o: (
                f"{o.first_year}–{o.last_year}"
                if o.first_year != o.last_year
                else str(o.first_year)
            ),
            sort="first_year",
            nowrap=True,
        ),
        Column("data_date", gettext_lazy("Data as of"), sort="data_date", nowrap=True),
        Column("published_by", gettext_lazy("Published by"), sort="published_by__full_name"),
        Column("published_at", gettext_lazy("Published at"), sort="published_at", nowrap=True),
    ]


class SnapshotDetail(DetailPage):
    model = RankingSnapshot
    template_name = "targets/snapshot_detail.html"
    select_related = ("campaign", "published_by")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        snapshot = context["object"]
        span = range(snapshot.first_year, snapshot.last_year + 1)
        entries = [
            {
                "pk": entry.locality_id,
                "name": entry.locality.name,
                "rank": entry.rank,
                "score": entry.score,
                "score_text": format_amount(entry.score, 2) if entry.score is not None else None,
                "lines": _line_rows(
                    ranking.snapshot_lines(entry), span, entry.locality, links=False
                ),
            }
            for entry in RankingEntry.objects.visible_to(self.request.user)
            .filter(snapshot=snapshot)
            .select_related("locality")
            .order_by("rank", "locality__path")
        ]
        if self.request.GET.get("export") == "xlsx":
            self.export = _snapshot_workbook(snapshot, entries)
        context.update(
            title=str(snapshot),
            entries=entries,
            weights=_weights_list(snapshot.weights),
            chart=_score_chart(entries),
        )
        return context

    def get(self, request, *args, **kwargs):
        self.export = None
        context = self.get_context_data(**kwargs)
        if self.export is not None:
            return self.export
        return self.render_to_response(context)


def _snapshot_workbook(snapshot, entries) -> FileResponse:
    header = [_("Rank"), _("Locality"), _("Score")]
    for _metric, label in Metric.choices:
        header += [
            _("%(metric)s: target") % {"metric": label},
            _("%(metric)s: actual") % {"metric": label},
            _("%(metric)s: points") % {"metric": label},
        ]
    rows = []
    for entry in entries:
        line = [entry["rank"], entry["name"], _number(entry["score"])]
        by_label = {str(item["label"]): item for item in entry["lines"]}
        for _metric, label in Metric.choices:
            line += by_label.get(str(label), {}).get("numbers", [None, None, None])
        rows.append(line)
    return _xlsx(str(_("Ranking")), header, rows, f"ranking-{snapshot.pk}.xlsx")


# --- campaigns ------------------------------------------------------------------------------


class CampaignList(ListPage):
    model = Campaign
    title = gettext_lazy("Campaigns")
    default_sort = "-last_year"
    create_url_name = "targets:campaign-create"
    create_action = MANAGE
    export_name = "campaigns"
    empty_message = gettext_lazy(
        "No campaign yet. The coordinator adds one: a year or several, with a weight per metric."
    )
    columns = [
        Column("name", gettext_lazy("Name"), sort="name", link=True),
        Column("first_year", gettext_lazy("First year"), sort="first_year", numeric=True),
        Column("last_year", gettext_lazy("Last year"), sort="last_year", numeric=True),
        Column(
            "weights",
            gettext_lazy("Weights"),
            value=lambda o: ", ".join(
                f"{Metric(metric).label} {format_amount(weight, 2)}"
                for metric, weight in ranking.clean_weights(o.weights).items()
            ),
        ),
        Column(
            "completion_cap",
            gettext_lazy("Cap on completion (%)"),
            sort="completion_cap",
            numeric=True,
        ),
    ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["can_live"] = access.can(self.request.user, "rankings.live")
        return context


class CampaignFormPage(FormPage):
    model = Campaign
    form_class = CampaignForm
    action = MANAGE
    title = gettext_lazy("New campaign")
    template_name = "targets/campaign_form.html"

    def get_success_url(self, obj) -> str:
        return reverse("targets:campaign-list")
