"""Visit pages: the list, a visit with the obstacles it raised, and the phone-first visit form
that turns the company's demands into obstacles in the same step (pairings.log_visit)."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView

from vanco.core.views import DetailPage, ListPage, ScopedMixin
from vanco.enterprises import pairings
from vanco.enterprises.models import Visit
from vanco.enterprises.pairing_filters import VisitFilter
from vanco.enterprises.pairing_forms import DemandFormSet, VisitEntryForm
from vanco.enterprises.pairing_tables import visit_columns
from vanco.obstacles.models import Obstacle

DEMAND_PREFIX = "demand"


def _visible_obstacles(user):
    return Obstacle.objects.visible_to(user).order_by("pk")


class VisitList(ListPage):
    model = Visit
    template_name = "enterprises/visit_list.html"
    title = gettext_lazy("Visits")
    filterset_class = VisitFilter
    select_related = ("enterprise", "enterprise__locality")
    default_sort = "-visited_on"
    create_url_name = "enterprises:visit-create"
    create_action = "visits.log"
    export_name = "visits"
    empty_message = gettext_lazy("No visit matches these filters.")
    search_lookup = "enterprise__search_text__contains"
    columns = visit_columns()

    def base_queryset(self):
        return (
            super()
            .base_queryset()
            .prefetch_related(
                "officials",
                Prefetch(
                    "obstacles",
                    queryset=_visible_obstacles(self.request.user).only("pk", "visit_id"),
                ),
            )
        )

    def sort_options(self) -> dict[str, str]:
        return {**super().sort_options(), "visited_on": "visited_on"}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["search_placeholder"] = _("Enterprise name or tax code")
        return context


class VisitDetail(DetailPage):
    model = Visit
    template_name = "enterprises/visit_detail.html"
    select_related = ("enterprise", "enterprise__locality", "recorded_by", "pairing")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        visit = context["object"]
        context["officials"] = list(visit.officials.order_by("full_name", "pk"))
        context["obstacles"] = list(
            _visible_obstacles(self.request.user)
            .filter(visit=visit)
            .select_related("lead_department")
        )
        return context


class VisitCreate(ScopedMixin, TemplateView):
    """Log a visit from a phone: the visit, then any demands to turn into obstacles."""

    template_name = "enterprises/visit_form.html"
    required_action = "visits.log"

    def render_form(self, form, demands, status=200):
        return render(
            self.request,
            self.template_name,
            {
                "form": form,
                "demands": demands,
                "paired": form.paired,
                "title": _("Log a visit"),
            },
            status=status,
        )

    def get(self, request, *args, **kwargs):
        initial = {}
        enterprise = request.GET.get("enterprise", "")
        if enterprise.isdigit():
            initial["enterprise"] = int(enterprise)
        form = VisitEntryForm(initial=initial, user=request.user)
        return self.render_form(form, DemandFormSet(prefix=DEMAND_PREFIX))

    def post(self, request, *args, **kwargs):
        form = VisitEntryForm(data=request.POST, user=request.user)
        demands = DemandFormSet(data=request.POST, prefix=DEMAND_PREFIX)
        if form.is_valid() and demands.is_valid():
            data = form.cleaned_data
            raised = [
                {
                    key: demand.cleaned_data[key]
                    for key in ("title", "category", "severity", "description")
                }
                for demand in demands.forms
                if demand.has_changed() and demand.cleaned_data
            ]
            try:
                visit, obstacles = pairings.log_visit(
                    actor=request.user,
                    data=data,
                    officials=list(data["officials"]),
                    demands=raised,
                )
            except ValidationError as error:
                form.add_error(None, error.messages)
            except PermissionDenied:
                form.add_error(
                    None, _("You cannot log a visit to this enterprise: it is not yours to visit.")
                )
            else:
                if obstacles:
                    messages.success(
                        request,
                        _("Visit saved; obstacles raised: %(count)s.") % {"count": len(obstacles)},
                    )
                else:
                    messages.success(request, _("Visit saved."))
                return HttpResponseRedirect(visit.get_absolute_url())
        return self.render_form(form, demands, status=400)
