"""Pairing pages: the list (behind on visits flagged), a pairing, pair / edit / end, the paired
official's "My enterprises", the coverage page and the enterprise page's Pairings & Visits
section. Thin: reads start at the user's scope, changes go through vanco.enterprises.pairings."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView, View

from vanco.core import access, import_views
from vanco.core.exports import xlsx_response
from vanco.core.services import StaleEditError
from vanco.core.tables import Column
from vanco.core.text import fold
from vanco.core.views import DetailPage, ListPage, ScopedMixin
from vanco.enterprises import pairing_imports, pairings
from vanco.enterprises.models import Enterprise, Pairing, Visit
from vanco.enterprises.pairing_filters import PairingFilter
from vanco.enterprises.pairing_forms import PairingEditForm, PairingEndForm, PairingForm
from vanco.enterprises.pairing_tables import days_late, pairing_columns

PAIRINGS_ON_ENTERPRISE = 10
VISITS_ON_ENTERPRISE = 10
VISITS_ON_PAIRING = 20
MY_ENTERPRISES = 100


class PairingList(ListPage):
    model = Pairing
    template_name = "enterprises/pairing_list.html"
    title = gettext_lazy("Pairings")
    filterset_class = PairingFilter
    select_related = ("official", "enterprise", "enterprise__locality")
    default_sort = "next_visit_due"
    create_url_name = "enterprises:pairing-create"
    create_action = "pairings.manage"
    export_name = "pairings"
    empty_message = gettext_lazy("No pairing matches these filters.")
    search_lookup = "enterprise__search_text__contains"
    columns = pairing_columns()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["search_placeholder"] = _("Enterprise name or tax code")
        # The generic import page knows the kinds core.import_views.KINDS lists.
        context["can_import"] = "pairings" in import_views.KINDS and access.can(
            self.request.user, pairing_imports.PairingImporter.action
        )
        context["today"] = timezone.localdate()
        return context


class PairingDetail(DetailPage):
    model = Pairing
    template_name = "enterprises/pairing_detail.html"
    select_related = ("official", "enterprise", "enterprise__locality")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        pairing = context["object"]
        user = self.request.user
        context["days_late"] = days_late(pairing)
        context["can_manage"] = context["can_edit"] and access.can(user, "pairings.manage")
        visits = (
            Visit.objects.visible_to(user)
            .filter(enterprise_id=pairing.enterprise_id, officials=pairing.official_id)
            .order_by("-visited_on", "-pk")
        )
        context["visits"] = visits[:VISITS_ON_PAIRING]
        context["visits_count"] = visits.count()
        if context["can_manage"] and pairing.is_open:
            context["edit_form"] = PairingEditForm(
                initial={
                    "version": pairing.version,
                    "frequency": pairing.frequency,
                    "note": pairing.note,
                }
            )
            context["end_form"] = PairingEndForm(initial={"version": pairing.version})
        return context


class _PairingAction(ScopedMixin, TemplateView):
    """A POST form acting on a pairing (or creating one) through its service; the page shows
    the form again, with the input kept, when the service refuses."""

    template_name = "enterprises/pairing_form.html"
    form_class = None
    title = ""
    on_pairing = True

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.pairing = None
        if self.on_pairing:
            self.pairing = get_object_or_404(
                Pairing.objects.visible_to(request.user).select_related("official", "enterprise"),
                pk=kwargs["pk"],
            )
        access.require(request.user, "pairings.manage")
        if self.pairing is not None and not (
            Pairing.objects.editable_by(request.user).filter(pk=self.pairing.pk).exists()
        ):
            raise PermissionDenied("pairings.manage")
        return super().dispatch(request, *args, **kwargs)

    def initial(self) -> dict:
        return {}

    def render_form(self, form, status=200):
        return render(
            self.request,
            self.template_name,
            {"form": form, "object": self.pairing, "title": self.title_text()},
            status=status,
        )

    def title_text(self) -> str:
        return str(self.title)

    def get(self, request, *args, **kwargs):
        return self.render_form(self.form_class(initial=self.initial(), user=request.user))

    def post(self, request, *args, **kwargs):
        form = self.form_class(data=request.POST, user=request.user)
        if form.is_valid():
            try:
                pairing = self.act(form.cleaned_data)
            except StaleEditError:
                form.add_error(None, _("Someone else changed this pairing; reload and retry."))
            except ValidationError as error:
                form.add_error(None, error.messages)
            else:
                messages.success(request, _("Saved: %(name)s") % {"name": pairing})
                return HttpResponseRedirect(pairing.get_absolute_url())
        return self.render_form(form, status=400)


class PairingCreate(_PairingAction):
    form_class = PairingForm
    title = gettext_lazy("New pairing")
    on_pairing = False

    def initial(self) -> dict:
        enterprise = self.request.GET.get("enterprise", "")
        return {"enterprise": int(enterprise)} if enterprise.isdigit() else {}

    def act(self, data):
        return pairings.create_pairing(
            actor=self.request.user,
            official=data["official"],
            enterprise=data["enterprise"],
            starts_on=data["starts_on"],
            frequency=data["frequency"],
            note=data["note"],
        )


class PairingEdit(_PairingAction):
    form_class = PairingEditForm

    def title_text(self) -> str:
        return _("Edit pairing: %(name)s") % {"name": self.pairing}

    def initial(self) -> dict:
        return {
            "version": self.pairing.version,
            "frequency": self.pairing.frequency,
            "note": self.pairing.note,
        }

    def act(self, data):
        return pairings.update_pairing(
            actor=self.request.user,
            pairing=self.pairing,
            frequency=data["frequency"],
            note=data["note"],
            expected_version=data["version"],
        )


class PairingEnd(_PairingAction):
    form_class = PairingEndForm

    def title_text(self) -> str:
        return _("End pairing: %(name)s") % {"name": self.pairing}

    def initial(self) -> dict:
        return {"version": self.pairing.version}

    def act(self, data):
        return pairings.end_pairing(
            actor=self.request.user,
            pairing=self.pairing,
            ends_on=data["ends_on"],
            expected_version=data["version"],
        )


class MyEnterprises(ScopedMixin, TemplateView):
    """The paired official's to-do: their open pairings, the most urgent visit first."""

    template_name = "enterprises/pairing_mine.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        mine = (
            Pairing.objects.visible_to(user)
            .filter(official=user, ends_on__isnull=True)
            .select_related("enterprise", "enterprise__locality")
            .order_by("next_visit_due", "pk")
        )
        rows = [(pairing, days_late(pairing)) for pairing in mine[:MY_ENTERPRISES]]
        return super().get_context_data(
            title=_("My enterprises"),
            rows=rows,
            total=mine.count(),
            behind=sum(1 for _pairing, late in rows if late),
            can_log=access.can(user, "visits.log"),
            **kwargs,
        )


def _share(row, key: str) -> int:
    return row[f"{key}_share"]


COVERAGE_COLUMNS = [
    Column("locality", gettext_lazy("Locality"), value=lambda row: row["locality"]),
    Column(
        "enterprises",
        gettext_lazy("Operating enterprises"),
        value=lambda row: row["enterprises"],
        numeric=True,
    ),
    Column("paired", gettext_lazy("Paired"), value=lambda row: row["paired"], numeric=True),
    Column(
        "paired_share",
        gettext_lazy("Share paired (%)"),
        value=lambda row: _share(row, "paired"),
        numeric=True,
    ),
    Column(
        "visited",
        gettext_lazy("Visited this quarter"),
        value=lambda row: row["visited"],
        numeric=True,
    ),
    Column(
        "visited_share",
        gettext_lazy("Share visited (%)"),
        value=lambda row: _share(row, "visited"),
        numeric=True,
    ),
    Column(
        "behind",
        gettext_lazy("Enterprises with a pairing behind"),
        value=lambda row: row["behind"],
        numeric=True,
    ),
]


class _Rows(list):
    """A list that the Excel export can read like a queryset."""

    def __getitem__(self, index):
        found = super().__getitem__(index)
        return _Rows(found) if isinstance(index, slice) else found

    def iterator(self, chunk_size=None):
        return iter(self)


class CoveragePage(ScopedMixin, TemplateView):
    """Per top-level locality: operating enterprises, share paired, share visited this
    quarter, pairings behind — the user's scope only."""

    template_name = "enterprises/coverage.html"

    def get(self, request, *args, **kwargs):
        since, rows = pairings.coverage_by_locality(request.user)
        if request.GET.get("export") == "xlsx":
            return xlsx_response(
                queryset=_Rows(rows),
                columns=COVERAGE_COLUMNS,
                filename="coverage.xlsx",
                sheet_title=_("Coverage"),
            )
        totals = {
            key: sum(row[key] for row in rows)
            for key in ("enterprises", "paired", "visited", "behind")
        }
        for key in ("paired", "visited"):
            totals[f"{key}_share"] = (
                round(100 * totals[key] / totals["enterprises"]) if totals["enterprises"] else 0
            )
        context = self.get_context_data(
            title=_("Pairing and visit coverage"), since=since, rows=rows, totals=totals
        )
        return self.render_to_response(context)


class EnterpriseSection(ScopedMixin, TemplateView):
    """The Pairings & Visits section of an enterprise's page (loaded into it with htmx):
    a few open pairings and the latest visits, with links to the full lists."""

    template_name = "enterprises/pairing_enterprise_section.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        enterprise = get_object_or_404(Enterprise.objects.visible_to(user), pk=self.kwargs["pk"])
        open_pairings = (
            Pairing.objects.visible_to(user)
            .filter(enterprise=enterprise, ends_on__isnull=True)
            .select_related("official")
            .order_by("next_visit_due", "pk")
        )
        visits = (
            Visit.objects.visible_to(user)
            .filter(enterprise=enterprise)
            .prefetch_related("officials")
        )
        visits = visits.order_by("-visited_on", "-pk")
        can_manage = (
            access.can(user, "pairings.manage")
            and Enterprise.objects.editable_by(user).filter(pk=enterprise.pk).exists()
        )
        return super().get_context_data(
            enterprise=enterprise,
            pairings=[(p, days_late(p)) for p in open_pairings[:PAIRINGS_ON_ENTERPRISE]],
            pairings_count=open_pairings.count(),
            visits=visits[:VISITS_ON_ENTERPRISE],
            visits_count=visits.count(),
            can_manage=can_manage,
            can_log=access.can(user, "visits.log"),
            pairing_list=reverse("enterprises:pairing-list") + f"?enterprise={enterprise.pk}",
            visit_list=reverse("enterprises:visit-list") + f"?enterprise={enterprise.pk}",
            **kwargs,
        )


MAX_OPTIONS = 20


class OfficialOptions(ScopedMixin, View):
    """Search-as-you-type choices of officials (a city has thousands of paired officials):
    for the pairing form, the visit form's officials present and the lists' filter. Any
    official (role other than enterprise) may look them up; names only."""

    http_method_names = ["get"]

    def get(self, request):
        if not access.can(request.user, "visits.log") and not access.can(
            request.user, "obstacles.metrics"
        ):
            raise PermissionDenied("visits.log")
        term = fold(request.GET.get("q", ""))[:100]
        options = []
        if len(term) >= 2:
            matches = (
                pairings.officials_for_pairing(request.user)
                .filter(search_text__contains=term)
                .values_list("pk", "full_name", "username")[:MAX_OPTIONS]
            )
            options = [
                {"value": pk, "text": f"{name or username} ({username})"}
                for pk, name, username in matches
            ]
        return JsonResponse({"results": options})
