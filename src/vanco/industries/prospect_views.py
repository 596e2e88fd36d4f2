"""Prospect pages: the list (per gap, per industry, per owner), the detail with its outreach
timeline, the forms and the decline and convert steps (a modal through htmx, a page without
JavaScript). Every change goes through industries.services."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView, View

from vanco.core import access
from vanco.core.tables import Column, display
from vanco.core.views import FormPage, ListPage, ScopedMixin
from vanco.industries import services
from vanco.industries.filters import ProspectFilter
from vanco.industries.forms import ConvertForm, DeclineForm, OutreachForm, ProspectForm
from vanco.industries.models import ChainNode, OutreachActivity, Prospect


def _person(user):
    return (user.get_full_name() or user.username) if user else None


def _money(value):
    return None if value is None else float(value)


class ProspectList(ListPage):
    model = Prospect
    title = _("Prospects")
    template_name = "industries/prospect_list.html"
    filterset_class = ProspectFilter
    select_related = ("industry", "node", "owner", "project")
    default_sort = "-updated_at"
    create_url_name = "industries:prospect-create"
    create_action = "prospects.manage"
    export_name = "prospects"
    empty_message = _(
        "No prospect matches these filters. Open a gap on a chain map and add the investors "
        "you want to bring there."
    )
    columns = [
        Column("company_name", _("Company"), sort="company_name", link=True),
        Column("country", _("Country"), sort="country", nowrap=True),
        Column("industry", _("Leading industry"), sort="industry__sort_order"),
        Column("node", _("Chain node"), sort="node__name"),
        Column(
            "estimated_investment",
            _("Estimated investment"),
            value=lambda o: _money(o.estimated_investment),
            sort="estimated_investment",
            numeric=True,
        ),
        Column("status", _("Status"), value=lambda o: display(o, "status"), sort="status"),
        Column("owner", _("Official in charge"), value=lambda o: _person(o.owner)),
        Column("activity_count", _("Contacts"), sort="activity_count", numeric=True),
        Column("last_contact_on", _("Last contact"), sort="last_contact_on", nowrap=True),
        Column("project", _("Project"), value=lambda o: o.project.code if o.project else None),
    ]

    def base_queryset(self):
        return super().base_queryset().annotate(activity_count=Count("activities"))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        node = self.request.GET.get("node", "")
        if node.isdigit():
            context["node"] = (
                ChainNode.objects.visible_to(self.request.user)
                .select_related("industry")
                .filter(pk=int(node))
                .first()
            )
        if context.get("node") is not None and context["can_create"]:
            context["create_url"] += f"?node={context['node'].pk}"
        return context


STEP_LABELS = {"decline": _("Decline"), "convert": _("Convert to a lead project")}


class ProspectDetail(ScopedMixin, TemplateView):
    model = Prospect
    template_name = "industries/prospect_detail.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        prospect = get_object_or_404(
            Prospect.objects.visible_to(user).select_related(
                "industry", "node", "owner", "project"
            ),
            pk=self.kwargs["pk"],
        )
        editable = (
            access.can(user, "prospects.manage")
            and Prospect.objects.editable_by(user).filter(pk=prospect.pk).exists()
        )
        activities = (
            OutreachActivity.objects.visible_to(user)
            .filter(prospect=prospect)
            .select_related("recorded_by")
            .prefetch_related("officials")
            .order_by("-occurred_on", "-pk")[:200]
        )
        steps = []
        if editable and prospect.is_open:
            steps.append(("decline", STEP_LABELS["decline"], "bi-x-circle"))
            if access.can(user, "projects.manage"):
                steps.insert(0, ("convert", STEP_LABELS["convert"], "bi-arrow-right-circle"))
        return super().get_context_data(
            object=prospect,
            activities=activities,
            can_edit=editable and prospect.is_open,
            steps=steps,
            **kwargs,
        )


class ProspectFormPage(FormPage):
    model = Prospect
    form_class = ProspectForm
    action = "prospects.manage"
    title = _("New prospect")

    def get_form(self, obj, data=None):
        initial = {}
        if obj is None:
            node = self.request.GET.get("node", "")
            if node.isdigit():
                found = (
                    ChainNode.objects.visible_to(self.request.user)
                    .filter(pk=int(node))
                    .values("pk", "industry_id")
                    .first()
                )
                if found:
                    initial = {"node": found["pk"], "industry": found["industry_id"]}
            industry = self.request.GET.get("industry", "")
            if industry.isdigit() and "industry" not in initial:
                initial["industry"] = int(industry)
            initial.setdefault("owner", self.request.user.pk)
        return self.form_class(data=data, instance=obj, user=self.request.user, initial=initial)

    def get_object(self):
        obj = super().get_object()
        if obj is not None and not obj.is_open:
            raise PermissionDenied("closed prospect")
        return obj

    def save(self, form, obj):
        data = form.cleaned_data
        if obj is None:
            return services.create_prospect(actor=self.request.user, data=data)
        return services.update_prospect(
            actor=self.request.user, prospect=obj, data=data, expected_version=data.get("version")
        )


def _editable_prospect(user, pk) -> Prospect:
    prospect = access.visible_or_404(Prospect, user, pk)
    access.require(user, "prospects.manage")
    if not Prospect.objects.editable_by(user).filter(pk=prospect.pk).exists():
        raise PermissionDenied("prospects.manage")
    return prospect


def _service_errors(form, error: ValidationError) -> None:
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for key, errors in error.error_dict.items():
        form.add_error(key if key in form.fields else None, errors)


class OutreachCreate(ScopedMixin, View):
    """Log an outreach activity: a short phone-friendly form."""

    template_name = "industries/outreach_form.html"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.prospect = _editable_prospect(request.user, kwargs["pk"])
        if not self.prospect.is_open:
            raise PermissionDenied("closed prospect")
        return super().dispatch(request, *args, **kwargs)

    def render_form(self, form, status=200):
        context = {"form": form, "object": self.prospect, "title": gettext("Log a contact")}
        return render(self.request, self.template_name, context, status=status)

    def get(self, request, pk):
        return self.render_form(OutreachForm(user=request.user))

    def post(self, request, pk):
        form = OutreachForm(data=request.POST, user=request.user)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.log_outreach(
                    actor=request.user,
                    prospect=self.prospect,
                    occurred_on=data["occurred_on"],
                    channel=data["channel"],
                    officials=list(data["officials"]),
                    participants=data["participants"],
                    outcome=data["outcome"],
                    next_step=data["next_step"],
                )
            except ValidationError as error:
                _service_errors(form, error)
            else:
                messages.success(request, gettext("Contact recorded."))
                return HttpResponseRedirect(self.prospect.get_absolute_url())
        return self.render_form(form, status=400)


STEPS = {
    "decline": (
        DeclineForm,
        lambda user, prospect, data: services.decline_prospect(
            actor=user, prospect=prospect, reason=data["reason"], expected_version=data["version"]
        ),
    ),
    "convert": (
        ConvertForm,
        lambda user, prospect, data: services.convert_prospect_to_lead(
            actor=user,
            prospect=prospect,
            locality=data["locality"],
            tax_code=data["tax_code"],
            project_name=data["project_name"],
            planned_investment=data["planned_investment"],
            expected_version=data["version"],
        ),
    ),
}


class ProspectStep(ScopedMixin, View):
    """GET: the form of a step (a modal through htmx, a page without JavaScript);
    POST: the step through its service."""

    template_name = "industries/prospect_step.html"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        if kwargs["step"] not in STEPS:
            from django.http import Http404

            raise Http404("step")
        self.prospect = _editable_prospect(request.user, kwargs["pk"])
        self.step = kwargs["step"]
        if self.step == "convert":
            access.require(request.user, "projects.manage")
        self.form_class, self.run = STEPS[self.step]
        return super().dispatch(request, *args, **kwargs)

    def render_form(self, form, status=200):
        template = self.template_name
        if self.request.htmx:
            template += "#dialog"
        context = {
            "form": form,
            "object": self.prospect,
            "step": self.step,
            "title": STEP_LABELS[self.step],
        }
        return render(self.request, template, context, status=status)

    def get(self, request, pk, step):
        if not self.prospect.is_open:
            raise PermissionDenied("closed prospect")
        return self.render_form(self.form_class(prospect=self.prospect, user=request.user))

    def post(self, request, pk, step):
        form = self.form_class(data=request.POST, prospect=self.prospect, user=request.user)
        if form.is_valid():
            try:
                result = self.run(request.user, self.prospect, form.cleaned_data)
            except ValidationError as error:
                _service_errors(form, error)
            else:
                if step == "convert":
                    messages.success(
                        request,
                        gettext("Converted: project %(project)s was created as a lead.")
                        % {"project": result.project},
                    )
                    target = result.project.get_absolute_url()
                else:
                    messages.success(request, gettext("The prospect was declined."))
                    target = self.prospect.get_absolute_url()
                if request.htmx:
                    response = HttpResponseRedirect(target)
                    response["HX-Redirect"] = target
                    return response
                return HttpResponseRedirect(target)
        return self.render_form(form, status=400)
