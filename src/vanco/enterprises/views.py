import tempfile

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView, View

from vanco.core import access, import_views, imports
from vanco.core.views import DetailPage, FormPage, ListPage, ScopedMixin, SearchOptions
from vanco.enterprises import services
from vanco.enterprises.filters import EnterpriseFilter
from vanco.enterprises.forms import ContactForm, EnterpriseForm
from vanco.enterprises.imports import export_related
from vanco.enterprises.models import Contact, Enterprise
from vanco.enterprises.tables import list_columns
from vanco.projects.models import Project

PROJECTS_ON_DETAIL = 20
CONTACTS_ON_DETAIL = 50


def _xlsx(handle, filename: str) -> FileResponse:
    handle.seek(0)
    return FileResponse(
        handle, as_attachment=True, filename=filename, content_type=imports.XLSX_CONTENT_TYPE
    )


class EnterpriseList(ListPage):
    model = Enterprise
    template_name = "enterprises/enterprise_list.html"
    title = gettext_lazy("Enterprises")
    filterset_class = EnterpriseFilter
    select_related = ("locality", "industry")
    default_sort = "name"
    create_url_name = "enterprises:enterprise-create"
    create_action = "enterprises.manage"
    export_name = "enterprises"
    empty_message = gettext_lazy("No enterprise matches these filters.")
    columns = list_columns()

    def get(self, request, *args, **kwargs):
        if request.GET.get("export") == "xlsx":
            qs, _filterset, _sort = self.filtered()
            handle = tempfile.TemporaryFile()  # noqa: SIM115 (FileResponse closes it)
            imports.write_export(
                "enterprises", handle, user=request.user, queryset=export_related(qs)
            )
            return _xlsx(handle, "enterprises.xlsx")
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["can_import"] = access.can(self.request.user, "enterprises.import")
        return context


class EnterpriseDetail(DetailPage):
    model = Enterprise
    template_name = "enterprises/enterprise_detail.html"
    select_related = ("locality", "industry")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        enterprise = context["object"]
        user = self.request.user
        projects = Project.objects.visible_to(user).filter(investor=enterprise)
        context["projects"] = projects.select_related("locality").order_by("-created_at", "pk")[
            :PROJECTS_ON_DETAIL
        ]
        context["projects_count"] = projects.count()
        contacts = Contact.objects.visible_to(user).filter(enterprise=enterprise)
        context["contacts"] = contacts[:CONTACTS_ON_DETAIL]
        context["contacts_count"] = contacts.count()
        context["chain_nodes"] = enterprise.chain_nodes.all()
        context["can_manage"] = context["can_edit"] and access.can(user, "enterprises.manage")
        if context["can_manage"]:
            context["contact_form"] = ContactForm(user=user)
        return context


class EnterpriseFormPage(FormPage):
    model = Enterprise
    form_class = EnterpriseForm
    action = "enterprises.manage"
    title = gettext_lazy("New enterprise")


class ContactFormPage(ScopedMixin, TemplateView):
    """Add a contact (enterprise pk) or edit one (contact pk), through the contact services."""

    template_name = "enterprises/contact_form.html"
    editing = False

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        model = Contact if self.editing else Enterprise
        obj = get_object_or_404(access.visible(model, request.user), pk=kwargs["pk"])
        access.require(request.user, "enterprises.manage")
        if not access.editable(model, request.user).filter(pk=obj.pk).exists():
            raise PermissionDenied("enterprises.manage")
        self.contact = obj if self.editing else None
        self.enterprise = obj.enterprise if self.editing else obj
        return super().dispatch(request, *args, **kwargs)

    def render_form(self, form, status=200):
        return render(
            self.request,
            self.template_name,
            {"form": form, "enterprise": self.enterprise, "contact": self.contact},
            status=status,
        )

    def get(self, request, *args, **kwargs):
        return self.render_form(ContactForm(instance=self.contact, user=request.user))

    def post(self, request, *args, **kwargs):
        form = ContactForm(data=request.POST, instance=self.contact, user=request.user)
        if form.is_valid():
            try:
                contact = form.save(commit=False)
                if self.editing:
                    services.update_contact(
                        contact=contact,
                        expected_version=form.cleaned_data.get("version"),
                        actor=request.user,
                    )
                else:
                    services.add_contact(
                        enterprise=self.enterprise, contact=contact, actor=request.user
                    )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, _("Saved: %(name)s") % {"name": contact})
                return HttpResponseRedirect(self.enterprise.get_absolute_url() + "#contacts")
        return self.render_form(form, status=400)


class ContactDelete(ScopedMixin, View):
    http_method_names = ["post"]

    def post(self, request, pk):
        contact = get_object_or_404(
            Contact.objects.visible_to(request.user).select_related("enterprise"), pk=pk
        )
        services.remove_contact(contact=contact, actor=request.user)
        messages.success(request, _("Removed: %(name)s") % {"name": contact.name})
        return HttpResponseRedirect(contact.enterprise.get_absolute_url() + "#contacts")


# The enterprise import is the generic import page of core (core:import, kind "enterprises");
# these keep the old URL names (links, bookmarks) answering the same pages.
ImportPage = import_views.ImportStart.as_view()
ImportTemplate = import_views.ImportTemplate.as_view()


class EnterpriseOptions(SearchOptions):
    """Choices for fields that pick an enterprise (the investor of a project)."""

    model = Enterprise
    key_field = "tax_code"
