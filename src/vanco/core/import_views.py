"""Excel import pages for every registered kind: upload → check → errors or counts → import →
progress → result. Thin: the work is in core/tasks.py (services and the background task)."""

import tempfile

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView, View

from vanco.core import access, imports
from vanco.core.models import ImportJob, ImportJobStatus
from vanco.core.tasks import apply_job, start_job
from vanco.core.views import ScopedMixin

#: per kind: page title, what matches a row to a stored record, the list page to go back to
KINDS = {
    "enterprises": {
        "title": gettext_lazy("Import enterprises"),
        "help": gettext_lazy(
            "Rows are matched by tax code: a known tax code updates the enterprise, a new one "
            "creates it."
        ),
        "list_url": "enterprises:enterprise-list",
        "list_title": gettext_lazy("Enterprises"),
    },
    "projects": {
        "title": gettext_lazy("Import projects"),
        "help": gettext_lazy(
            "Rows are matched by project code: a known code updates the project; leave the code "
            "empty to register a new project (its code is given automatically)."
        ),
        "list_url": "projects:project-list",
        "list_title": gettext_lazy("Projects"),
    },
    "reports": {
        "title": gettext_lazy("Import progress reports"),
        "help": gettext_lazy(
            "Rows are matched by project code and period: each row fills in and submits that "
            "project's report for the period."
        ),
        "list_url": "projects:report-list",
        "list_title": gettext_lazy("Progress reports"),
    },
    "pairings": {
        "title": gettext_lazy("Import pairings"),
        "help": gettext_lazy(
            "Each row pairs an official (user name) with an enterprise (tax code) at a visit "
            "frequency from a start date; all rows or none."
        ),
        "list_url": "enterprises:pairing-list",
        "list_title": gettext_lazy("Pairings"),
    },
    "targets": {
        "title": gettext_lazy("Import targets"),
        "help": gettext_lazy(
            "Each row sets the target of a locality (by its code) for a metric in a year; a row "
            "for a target that exists changes its value. All rows or none."
        ),
        "list_url": "targets:target-grid",
        "list_title": gettext_lazy("Targets"),
    },
}


def _kind_or_404(kind: str):
    if kind not in KINDS:
        raise Http404(kind)
    try:
        return imports.get_importer(kind)
    except LookupError:
        raise Http404(kind) from None


class KindMixin(ScopedMixin):
    """Resolves the kind (404 when unknown) and requires its importer's action (403)."""

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.importer = _kind_or_404(kwargs["kind"])
        self.kind = kwargs["kind"]
        access.require(request.user, self.importer.action)
        return super().dispatch(request, *args, **kwargs)

    def kind_context(self) -> dict:
        info = KINDS[self.kind]
        return {
            "kind": self.kind,
            "title": info["title"],
            "kind_help": info["help"],
            "list_url": reverse(info["list_url"]),
            "list_title": info["list_title"],
            "template_url": reverse("core:import-template", args=[self.kind]),
            "upload_url": reverse("core:import", args=[self.kind]),
            "max_mb": settings.DATA_UPLOAD_MAX_MEMORY_SIZE // (1024 * 1024),
        }


class ImportStart(KindMixin, TemplateView):
    template_name = "core/import.html"

    def get_context_data(self, **kwargs):
        recent = ImportJob.objects.visible_to(self.request.user).filter(kind=self.kind)[:5]
        return super().get_context_data(**{**kwargs, **self.kind_context(), "recent": recent})

    def post(self, request, *args, **kwargs):
        upload = request.FILES.get("file")
        if upload is None:
            return self.refuse([_("Choose an Excel file (.xlsx) to import.")])
        try:
            job = start_job(user=request.user, kind=self.kind, upload=upload)
        except imports.ImportFileError as error:
            return self.refuse([str(message) for message in error.messages])
        return HttpResponseRedirect(reverse("core:import-job", args=[job.pk]))

    def refuse(self, problems):
        response = self.render_to_response(self.get_context_data(problems=problems))
        response.status_code = 400
        return response


class ImportTemplate(KindMixin, View):
    def get(self, request, *args, **kwargs):
        handle = tempfile.TemporaryFile()  # noqa: SIM115 (FileResponse closes it)
        imports.template_workbook(self.kind, handle, user=request.user)
        handle.seek(0)
        return FileResponse(
            handle,
            as_attachment=True,
            filename=f"{self.kind}-template.xlsx",
            content_type=imports.XLSX_CONTENT_TYPE,
        )


class ImportJobPage(KindMixin, TemplateView):
    """The job's state (only the user's own jobs: 404 otherwise; the kind's action: 403).

    While it runs, the progress fragment polls itself (htmx) or, without JS, the page refreshes
    itself. POST imports a checked file for real."""

    template_name = "core/import_job.html"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        queryset = (
            ImportJob.objects.editable_by(request.user)
            if request.method == "POST"
            else ImportJob.objects.visible_to(request.user)
        )
        self.job = get_object_or_404(queryset, pk=kwargs["pk"])
        self.kind = self.job.kind
        self.importer = _kind_or_404(self.kind)
        access.require(request.user, self.importer.action)
        return TemplateView.dispatch(self, request, *args, **kwargs)

    def get_template_names(self):
        if self.request.headers.get("HX-Request") == "true":
            return ["core/import_job.html#progress"]
        return [self.template_name]

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            **self.kind_context(),
            job=self.job,
            statuses=ImportJobStatus,
            **kwargs,
        )

    def post(self, request, *args, **kwargs):
        try:
            job = apply_job(job=self.job, user=request.user)
        except PermissionDenied:
            raise Http404("job") from None
        except imports.ImportFileError as error:
            self.job.refresh_from_db()
            response = self.render_to_response(
                self.get_context_data(problems=[str(m) for m in error.messages])
            )
            response.status_code = 400
            return response
        return HttpResponseRedirect(reverse("core:import-job", args=[job.pk]))
