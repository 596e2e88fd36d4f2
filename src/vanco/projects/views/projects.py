"""Project pages: list (filters, totals, bulk reassign, export), detail, create/edit, stage
changes and attachments. Thin: every write is a service call or the generic FormPage save."""

from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Sum
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView, View

from vanco.core import access
from vanco.core.exports import xlsx_response
from vanco.core.views import DetailPage, FormPage, ListPage, fast_selects
from vanco.enterprises.models import Enterprise
from vanco.projects import queries, services
from vanco.projects.enums import Stage
from vanco.projects.filters import ProjectFilter
from vanco.projects.forms import (
    AttachmentForm,
    BulkReassignForm,
    ProjectForm,
    TransitionForm,
    is_backwards,
)
from vanco.projects.models import Attachment, Project
from vanco.projects.tables import (
    FIXED_COLUMNS,
    MONEY_COLUMNS,
    PROJECT_COLUMNS,
    chosen_columns,
)

MANAGE = "projects.manage"
REFUSED_SCOPE = gettext_lazy(
    "You cannot change a project outside the area you are responsible for."
)


def add_errors(form, error: ValidationError) -> None:
    """Put a service's errors next to the fields they name, the rest on top of the form."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


class ProjectList(ListPage):
    model = Project
    template_name = "projects/project_list.html"
    title = gettext_lazy("Projects")
    filterset_class = ProjectFilter
    #: every column: each may be sorted on, chosen for the page, and is in the Excel file
    columns = PROJECT_COLUMNS
    default_sort = "-created_at"
    select_related = queries.LIST_RELATED
    two_step_pages = True
    create_url_name = "projects:project-create"
    create_action = MANAGE
    export_name = "projects"
    empty_message = gettext_lazy("No project matches these filters.")

    def get_columns(self):
        return chosen_columns(self.request.GET)

    def get_paginator(self, qs):
        """The row count and the totals row in one pass over the filtered rows."""
        paginator = super().get_paginator(qs)
        if qs.query.distinct:
            self.totals = queries.totals(qs)
            return paginator
        sums = qs.order_by().aggregate(
            rows=Count("*"),
            planned_investment=Sum("planned_investment"),
            signed_amount=Sum("signed_amount"),
            funds_in_place=Sum("funds_in_place"),
        )
        paginator.count = sums.pop("rows")
        self.totals = {key: value or Decimal("0") for key, value in sums.items()}
        return paginator

    def get(self, request, *args, **kwargs):
        if request.GET.get("export") == "xlsx":
            qs, _filterset, _sort = self.filtered()
            return xlsx_response(
                queryset=qs,
                columns=PROJECT_COLUMNS,
                filename=f"{self.export_name}.xlsx",
                sheet_title=str(self.title),
            )
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        can_bulk = access.can(self.request.user, MANAGE)
        bulk_form = None
        if can_bulk:
            bulk_form = fast_selects(BulkReassignForm(user=self.request.user))
        shown = {column.name for column in context["columns"]}
        context.update(
            totals=self.totals,
            money_columns=MONEY_COLUMNS,
            column_choices=[
                (column, column.name in shown)
                for column in PROJECT_COLUMNS
                if column.name not in FIXED_COLUMNS
            ],
            can_bulk=can_bulk,
            bulk_form=bulk_form,
        )
        return context


class ProjectDetail(DetailPage):
    model = Project
    template_name = "projects/project_detail.html"
    select_related = queries.DETAIL_RELATED

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        project = context["object"]
        user = self.request.user
        try:
            targets = services.allowed_transitions(actor=user, project=project)
        except PermissionDenied:
            targets = []
        context.update(
            title=str(project),
            transitions=[(Stage(target), is_backwards(project, target)) for target in targets],
            timeline=queries.timeline(user, project),
            attachments=queries.attachments(user, project),
            chart=queries.funds_series(user, project),
            tags=list(project.tags.all()),
            investor_visible=Enterprise.objects.visible_to(user)
            .filter(pk=project.investor_id)
            .exists(),
            can_upload=context["can_edit"] and access.can(user, MANAGE),
            attachment_form=AttachmentForm(),
        )
        return context


class ProjectFormPage(FormPage):
    model = Project
    form_class = ProjectForm
    action = MANAGE
    title = gettext_lazy("New project")
    template_name = "projects/project_form.html"

    def save(self, form, obj):
        if obj is None:
            return services.create_project(actor=self.request.user, data=form.cleaned_data)
        return super().save(form, obj)

    def post(self, request, *args, **kwargs):
        obj = self.get_object()
        form = self.get_form(obj, data=request.POST)
        if form.is_valid():
            try:
                with transaction.atomic():
                    instance = self.save(form, obj)
            except ValidationError as error:
                add_errors(form, error)
            except PermissionDenied:
                form.add_error(None, str(REFUSED_SCOPE))
            else:
                messages.success(request, _("Saved: %(name)s") % {"name": instance})
                return HttpResponseRedirect(self.get_success_url(instance))
        return self.render_to_response(self.page_context(obj, form), status=400)


class ProjectTransition(LoginRequiredMixin, TemplateView):
    """The small form of one stage change; a page that works without JavaScript, shown in a
    modal by projects.js when htmx is on."""

    template_name = "projects/project_transition.html"

    def setup_objects(self, request, pk, to_stage):
        if to_stage not in Stage.values:
            raise Http404
        project = get_object_or_404(
            Project.objects.visible_to(request.user).select_related("locality"), pk=pk
        )
        allowed = services.allowed_transitions(actor=request.user, project=project)
        return project, Stage(to_stage), to_stage in allowed

    def render_form(self, request, project, to_stage, form, allowed, status=200):
        context = self.get_context_data(
            object=project,
            project=project,
            to_stage=to_stage,
            form=form,
            allowed=allowed,
            title=_("Move to: %(stage)s") % {"stage": to_stage.label},
        )
        template = self.template_name
        if request.htmx:
            template = f"{self.template_name}#dialog"
        return self.response_class(
            request=request, template=[template], context=context, status=status
        )

    def get(self, request, pk, to_stage):
        project, stage, allowed = self.setup_objects(request, pk, to_stage)
        form = TransitionForm(project=project, to_stage=stage)
        return self.render_form(request, project, stage, form, allowed, 200 if allowed else 403)

    def post(self, request, pk, to_stage):
        project, stage, allowed = self.setup_objects(request, pk, to_stage)
        form = TransitionForm(request.POST, request.FILES, project=project, to_stage=stage)
        if not allowed:
            return self.render_form(request, project, stage, form, allowed, 403)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.transition_project(
                    actor=request.user,
                    project=project,
                    to_stage=stage,
                    effective_date=data["effective_date"],
                    reason=data.get("reason") or "",
                    evidence_file=data.get("evidence") or None,
                    signed_amount=data.get("signed_amount"),
                    expected_version=data.get("version"),
                )
            except ValidationError as error:
                add_errors(form, error)
            except PermissionDenied:
                form.add_error(None, str(REFUSED_SCOPE))
            else:
                messages.success(
                    request,
                    _("The project moved to the stage “%(stage)s”.") % {"stage": stage.label},
                )
                return HttpResponseRedirect(project.get_absolute_url())
        return self.render_form(request, project, stage, form, allowed, 400)


class BulkReassign(LoginRequiredMixin, View):
    http_method_names = ["post"]

    def post(self, request):
        access.require(request.user, MANAGE)
        back = request.POST.get("next", "")
        list_url = reverse("projects:project-list")
        if not (
            back.startswith(list_url)
            and url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()})
        ):
            back = list_url
        try:
            ids = sorted({int(value) for value in request.POST.getlist("ids")})
        except ValueError:
            ids = []
        form = BulkReassignForm(request.POST, user=request.user)
        if not ids:
            messages.error(request, _("Tick the projects to reassign first."))
        elif not form.is_valid():
            problems = [str(message) for errors in form.errors.values() for message in errors]
            messages.error(request, " ".join(problems))
        else:
            data = form.cleaned_data
            try:
                count = services.bulk_reassign(
                    actor=request.user,
                    project_ids=ids,
                    officer=data.get("officer"),
                    leader=data.get("leader"),
                    task_force=data.get("task_force") or None,
                )
            except ValidationError as error:
                messages.error(request, " ".join(error.messages))
            except PermissionDenied:
                messages.error(
                    request,
                    _(
                        "Nothing was changed: at least one of the selected projects is outside "
                        "the area you are responsible for."
                    ),
                )
            else:
                messages.success(request, _("%(count)d projects reassigned.") % {"count": count})
        return HttpResponseRedirect(back)


class AttachmentUpload(LoginRequiredMixin, View):
    http_method_names = ["post"]

    def post(self, request, pk):
        project = get_object_or_404(Project.objects.visible_to(request.user), pk=pk)
        access.require(request.user, MANAGE)
        if not Project.objects.editable_by(request.user).filter(pk=project.pk).exists():
            raise PermissionDenied(MANAGE)
        form = AttachmentForm(request.POST, request.FILES)
        if not form.is_valid():
            problems = [str(message) for errors in form.errors.values() for message in errors]
            messages.error(request, " ".join(problems))
        else:
            try:
                attachment = services.add_attachment(
                    actor=request.user,
                    project=project,
                    uploaded_file=form.cleaned_data["file"],
                    description=form.cleaned_data["description"],
                )
            except ValidationError as error:
                messages.error(request, " ".join(error.messages))
            else:
                messages.success(
                    request, _("Attached: %(name)s") % {"name": attachment.original_name}
                )
        return HttpResponseRedirect(project.get_absolute_url() + "#attachments")


class AttachmentDownload(LoginRequiredMixin, View):
    http_method_names = ["get"]

    def get(self, request, pk):
        attachment = get_object_or_404(
            Attachment.objects.visible_to(request.user).select_related("project"), pk=pk
        )
        return services.attachment_response(actor=request.user, attachment=attachment)


urlpatterns = [
    path("", ProjectList.as_view(), name="project-list"),
    path("new/", ProjectFormPage.as_view(), name="project-create"),
    path("bulk-reassign/", BulkReassign.as_view(), name="project-bulk-reassign"),
    path("<int:pk>/", ProjectDetail.as_view(), name="project-detail"),
    path("<int:pk>/edit/", ProjectFormPage.as_view(), name="project-edit"),
    path(
        "<int:pk>/stage/<str:to_stage>/",
        ProjectTransition.as_view(),
        name="project-transition",
    ),
    path("<int:pk>/attachments/", AttachmentUpload.as_view(), name="attachment-upload"),
    path("attachments/<int:pk>/", AttachmentDownload.as_view(), name="attachment-download"),
]
