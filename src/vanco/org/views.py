from django.utils.translation import gettext_lazy as _

from vanco.core.tables import Column, display
from vanco.core.views import DetailPage, FormPage, ListPage, ToggleActiveView
from vanco.org.filters import DepartmentFilter, LocalityFilter
from vanco.org.forms import DepartmentForm, LocalityForm
from vanco.org.models import Department, Locality

ACTIVE_LABEL = _("Active")


class LocalityList(ListPage):
    model = Locality
    title = _("Localities")
    filterset_class = LocalityFilter
    select_related = ("parent",)
    default_sort = "path"
    create_url_name = "org:locality-create"
    create_action = "org.manage"
    export_name = "localities"
    empty_message = _("No locality matches these filters.")
    columns = [
        Column("code", _("Code"), sort="code"),
        Column("name", _("Name"), sort="name", link=True, tree=True),
        Column("kind", _("Kind"), value=lambda o: display(o, "kind"), sort="kind"),
        Column("parent", _("Belongs to"), sort="parent__name"),
        Column("is_active", ACTIVE_LABEL, sort="is_active"),
    ]


class LocalityDetail(DetailPage):
    model = Locality
    template_name = "org/locality_detail.html"
    select_related = ("parent",)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        locality = context["object"]
        children = Locality.objects.visible_to(self.request.user).filter(parent=locality)
        context["children"] = children.order_by("name")[:200]
        context["children_count"] = children.count()
        context["ancestors"] = (
            Locality.objects.visible_to(self.request.user)
            .filter(pk__in=locality.ancestors_ids())
            .order_by("depth")
        )
        return context


class LocalityFormPage(FormPage):
    model = Locality
    form_class = LocalityForm
    action = "org.manage"
    title = _("New locality")


class LocalityToggle(ToggleActiveView):
    model = Locality
    action = "org.manage"


class DepartmentList(ListPage):
    model = Department
    title = _("Departments")
    filterset_class = DepartmentFilter
    create_url_name = "org:department-create"
    create_action = "org.manage"
    export_name = "departments"
    empty_message = _("No department matches these filters.")
    columns = [
        Column("code", _("Code"), sort="code"),
        Column("name", _("Name"), sort="name", link=True),
        Column("short_name", _("Short name"), sort="short_name"),
        Column("email", _("Email")),
        Column("phone", _("Phone")),
        Column("is_active", ACTIVE_LABEL, sort="is_active"),
    ]


class DepartmentDetail(DetailPage):
    model = Department
    template_name = "org/department_detail.html"


class DepartmentFormPage(FormPage):
    model = Department
    form_class = DepartmentForm
    action = "org.manage"
    title = _("New department")


class DepartmentToggle(ToggleActiveView):
    model = Department
    action = "org.manage"
