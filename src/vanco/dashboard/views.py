"""The command dashboard (dashboard.read) and the coordinator's boundary upload (maps.manage)."""

import datetime

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.urls import path
from django.utils import timezone
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.generic import TemplateView

from vanco.core import access
from vanco.core import figures as figures_cache
from vanco.core.forms import bootstrap
from vanco.core.views import ScopedMixin
from vanco.dashboard import charts, sections
from vanco.dashboard import figures as f
from vanco.industries.models import Industry
from vanco.obstacles.models import Obstacle
from vanco.org import boundaries
from vanco.org.models import Locality
from vanco.projects.models import DispatchPeriod, ProgressReport, Project
from vanco.projects.templatetags.vanco_projects import money_unit

FIRST_YEAR = 2015
#: Dispatch periods offered in the filter (the most recent ones).
PERIOD_CHOICES = 36


class DashboardForm(forms.Form):
    year = forms.TypedChoiceField(label=gettext_lazy("Year"), coerce=int, required=False)
    period = forms.ModelChoiceField(
        label=gettext_lazy("Or a dispatch period"),
        queryset=DispatchPeriod.objects.none(),
        required=False,
        empty_label=gettext_lazy("Whole year"),
    )
    industry = forms.ModelChoiceField(
        label=gettext_lazy("Leading industry"),
        queryset=Industry.objects.none(),
        required=False,
        empty_label=gettext_lazy("All industries"),
    )
    locality = forms.ModelChoiceField(
        label=gettext_lazy("Locality"),
        queryset=Locality.objects.none(),
        required=False,
        empty_label=gettext_lazy("Whole city"),
    )

    def __init__(self, *args, user=None, today=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today or timezone.localdate()
        years = range(self.today.year + 1, FIRST_YEAR - 1, -1)
        self.fields["year"].choices = [(year, str(year)) for year in years]
        periods = DispatchPeriod.objects.visible_to(user).select_related("cycle")
        recent = list(periods.order_by("-starts_on").values_list("pk", flat=True)[:PERIOD_CHOICES])
        self.fields["period"].queryset = periods.filter(pk__in=recent).order_by("-starts_on")
        self.fields["period"].label_from_instance = lambda period: f"{period.cycle} · {period}"
        self.fields["industry"].queryset = Industry.objects.visible_to(user)
        self.fields["locality"].queryset = (
            Locality.objects.visible_to(user).filter(is_active=True).order_by("path")
        )
        self.fields["locality"].label_from_instance = lambda loc: (
            "\u2003" * max(loc.depth - 1, 0) + loc.name
        )

    def filters(self) -> f.Filters:
        data = self.cleaned_data if self.is_bound and self.is_valid() else {}
        period = data.get("period")
        industry = data.get("industry")
        locality = data.get("locality")
        kwargs = {
            "industry_id": industry.pk if industry else None,
            "locality_id": locality.pk if locality else None,
        }
        if period is not None:
            return f.Filters(period.starts_on, period.ends_on, **kwargs)
        return f.Filters.year(data.get("year") or self.today.year, **kwargs)


def _figures_context(user, filters: f.Filters, *, today: datetime.date) -> dict:
    values = f.summary(user, filters, today=today)
    urls = f.summary_urls(filters, today=today)
    numbers = [
        {
            "key": key,
            "label": label(),
            "value": values[key],
            "url": urls[key],
            "money": key in f.MONEY_KEYS,
        }
        for key, label in f.SUMMARY_LABELS.items()
    ]
    pipeline = f.pipeline_by_stage(user, filters)
    industries = f.by_industry(user, filters)
    localities = f.by_locality(user, filters)
    red_count, red_rows = f.red_projects(user, filters)
    overdue_count, overdue_rows = f.overdue_obstacles(user, filters, today=today)
    geo = f.map_data(user, filters)
    return {
        "numbers": numbers,
        "summary": values,
        "pipeline_option": charts.pipeline_option(pipeline),
        "industry_option": charts.industry_option(industries),
        "industry_height": max(240, 28 * len(industries) + 80),
        "locality_option": charts.locality_option(localities),
        "locality_height": max(240, 28 * len(localities) + 80),
        "satisfaction_option": charts.satisfaction_option(f.satisfaction_trend(user, filters)),
        "funds_option": charts.funds_option(f.funds_over_time(user, filters)),
        "red_count": red_count,
        "red_rows": red_rows,
        "red_url": urls["red_count"],
        "overdue_count": overdue_count,
        "overdue_rows": overdue_rows,
        "overdue_url": urls["obstacles_overdue"],
        "map": geo,
        "map_option": charts.map_option(geo["areas"], geo["points"]) if geo["geojson"] else None,
    }


#: Every table the page's figures read: the page is kept in the cache until one changes.
PAGE_MODELS = (Project, Locality, Industry, Obstacle, ProgressReport)


def dashboard_context(user, filters: f.Filters, *, today: datetime.date) -> dict:
    """The page's figures, kept whole in the cache (reader's scope, filters, day, language and
    the data version: one lookup and one indexed MAX per table when nothing changed)."""
    context = figures_cache.cached(
        "dashboard-page",
        user,
        (filters.key(), today, get_language()),
        PAGE_MODELS,
        lambda: _figures_context(user, filters, today=today),
    )
    return {
        **context,
        "filters": filters,
        "money_unit": money_unit(),
        "can_manage_maps": access.can(user, "maps.manage"),
        "map_name": charts.MAP_NAME,
        "max_points": f.MAX_POINTS,
        "extra_sections": sections.extra_sections(user, filters, today=today),
    }


class DashboardPage(ScopedMixin, TemplateView):
    template_name = "dashboard/dashboard.html"
    required_action = "dashboard.read"

    def get(self, request, *args, **kwargs):
        today = timezone.localdate()
        form = bootstrap(DashboardForm(request.GET or None, user=request.user, today=today))
        if not form.is_bound:
            form.initial = {"year": today.year}
        filters = form.filters()
        context = self.get_context_data(
            title=_("Command dashboard"),
            form=form,
            today=today,
            **dashboard_context(request.user, filters, today=today),
        )
        if request.headers.get("HX-Request"):
            self.template_name = "dashboard/dashboard.html#body"
        return self.render_to_response(context)


class BoundaryForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("GeoJSON file"),
        help_text=gettext_lazy(
            "A FeatureCollection of Polygon or MultiPolygon features (longitude, latitude), each "
            "with the locality's “code” (or “name”) property."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".geojson,.json,application/geo+json"}),
    )


class BoundaryUpload(ScopedMixin, TemplateView):
    template_name = "dashboard/boundaries.html"
    required_action = "maps.manage"

    def context(self, form):
        localities = Locality.objects.visible_to(self.request.user).order_by("path")
        return self.get_context_data(
            title=_("Map boundaries"),
            form=form,
            localities=localities.values("pk", "code", "name", "depth", "boundary__isnull"),
            max_mb=boundaries.MAX_BYTES // 1024 // 1024,
        )

    def get(self, request, *args, **kwargs):
        return self.render_to_response(self.context(bootstrap(BoundaryForm())))

    def post(self, request, *args, **kwargs):
        form = bootstrap(BoundaryForm(request.POST, request.FILES))
        if form.is_valid():
            upload = form.cleaned_data["file"]
            if upload.size > boundaries.MAX_BYTES:
                form.add_error(
                    "file",
                    _("The file is too large; the limit is %(max)s MB.")
                    % {"max": boundaries.MAX_BYTES // 1024 // 1024},
                )
            else:
                try:
                    count = boundaries.import_boundaries(actor=request.user, data=upload.read())
                except ValidationError as error:
                    for message in error.messages:
                        form.add_error(None, message)
                else:
                    messages.success(
                        request,
                        _("Boundaries saved for %(count)s localities.") % {"count": count},
                    )
                    return redirect("dashboard:boundaries")
        return self.render_to_response(self.context(form), status=400)


urlpatterns = [
    path("", DashboardPage.as_view(), name="index"),
    path("boundaries/", BoundaryUpload.as_view(), name="boundaries"),
]
