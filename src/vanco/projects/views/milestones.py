"""The milestone plan of a project: a section of the project page (loaded by htmx), a page of
its own, and add / edit / delete forms. Thin: every write is a service of projects.milestones."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.generic import TemplateView

from vanco.core import access
from vanco.core.views import ScopedMixin
from vanco.projects import milestones as services
from vanco.projects.forms import MilestoneForm
from vanco.projects.models import Milestone, Project


def add_errors(form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


def can_edit_plan(user, project: Project) -> bool:
    return (
        access.can(user, services.ACTION)
        and Project.objects.editable_by(user).filter(pk=project.pk).exists()
    )


class MilestonePlan(ScopedMixin, TemplateView):
    """The plan, read-only to whoever sees the project, with edit links to its editors.
    An htmx request (the project page's section) gets only the `section` fragment."""

    model = Project
    template_name = "projects/milestone_plan.html"

    def get(self, request, pk, **kwargs):
        project = get_object_or_404(Project.objects.visible_to(request.user), pk=pk)
        milestones = list(Milestone.objects.visible_to(request.user).filter(project=project))
        context = self.get_context_data(
            project=project,
            milestones=milestones,
            can_edit=can_edit_plan(request.user, project),
            title=_("Milestone plan"),
        )
        template = self.template_name
        if request.headers.get("HX-Request") or self.kwargs.get("section"):
            template += "#section"
        return self.response_class(request=request, template=[template], context=context)


class MilestoneFormPage(ScopedMixin, TemplateView):
    """Add (project pk) or change (milestone pk) a milestone."""

    model = Milestone
    template_name = "projects/milestone_form.html"

    def load(self):
        user = self.request.user
        if "milestone" in self.kwargs:
            milestone = get_object_or_404(
                Milestone.objects.visible_to(user).select_related("project"),
                pk=self.kwargs["milestone"],
            )
            project = milestone.project
        else:
            milestone = None
            project = get_object_or_404(Project.objects.visible_to(user), pk=self.kwargs["pk"])
        access.require(user, services.ACTION)
        if not can_edit_plan(user, project):
            raise PermissionDenied(services.ACTION)
        return project, milestone

    def render_form(self, project, milestone, form, status=200):
        context = self.get_context_data(
            project=project,
            object=milestone,
            form=form,
            title=str(milestone) if milestone else _("New milestone"),
        )
        response = self.render_to_response(context)
        response.status_code = status
        return response

    def get(self, request, **kwargs):
        project, milestone = self.load()
        return self.render_form(
            project, milestone, MilestoneForm(instance=milestone, project=project)
        )

    def post(self, request, **kwargs):
        project, milestone = self.load()
        form = MilestoneForm(data=request.POST, instance=milestone, project=project)
        if form.is_valid():
            data = {name: request.POST.get(name, "") for name in form.Meta.fields}
            try:
                if milestone is None:
                    saved = services.create_milestone(
                        actor=request.user, project=project, data=data
                    )
                else:
                    saved = services.update_milestone(
                        actor=request.user,
                        milestone=milestone,
                        data=data,
                        expected_version=form.cleaned_data.get("version"),
                    )
            except ValidationError as error:
                add_errors(form, error)
            else:
                messages.success(request, _("Saved: %(name)s") % {"name": saved})
                return HttpResponseRedirect(reverse("projects:milestone-list", args=[project.pk]))
        return self.render_form(project, milestone, form, status=400)


class MilestoneDelete(MilestoneFormPage):
    """GET asks to confirm, POST removes."""

    template_name = "projects/milestone_delete.html"

    def get(self, request, **kwargs):
        project, milestone = self.load()
        return self.render_form(project, milestone, None)

    def post(self, request, **kwargs):
        project, milestone = self.load()
        version = request.POST.get("version", "")
        try:
            services.delete_milestone(
                actor=request.user,
                milestone=milestone,
                expected_version=int(version) if version.isdigit() else None,
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Milestone removed: %(name)s") % {"name": milestone})
        return HttpResponseRedirect(reverse("projects:milestone-list", args=[project.pk]))


urlpatterns = [
    path("<int:pk>/milestones/", MilestonePlan.as_view(), name="milestone-list"),
    path(
        "<int:pk>/milestones/section/",
        MilestonePlan.as_view(),
        {"section": True},
        name="milestone-section",
    ),
    path("<int:pk>/milestones/new/", MilestoneFormPage.as_view(), name="milestone-create"),
    path("milestones/<int:milestone>/edit/", MilestoneFormPage.as_view(), name="milestone-edit"),
    path("milestones/<int:milestone>/delete/", MilestoneDelete.as_view(), name="milestone-delete"),
]
