"""Generic, access-checked list / detail / edit views every management page is built from.

This is the one place where simple form saves happen: it checks the action (403), loads the
object through the user's scope (404), saves with optimistic locking and re-checks the scope
inside the same transaction.
"""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ImproperlyConfigured, PermissionDenied, ValidationError
from django.core.paginator import EmptyPage, Paginator
from django.db import transaction
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template import TemplateDoesNotExist
from django.template.loader import get_template
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.generic import TemplateView, View

from vanco.core import access
from vanco.core.exports import xlsx_response
from vanco.core.forms import bootstrap
from vanco.core.services import save_versioned, set_active_flag
from vanco.core.text import fold


class ScopedMixin(LoginRequiredMixin):
    model = None
    #: action required to open the page at all (403 without it)
    required_action: str | None = None

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        if self.required_action and not access.can(request.user, self.required_action):
            raise PermissionDenied(self.required_action)
        return super().dispatch(request, *args, **kwargs)

    def visible_queryset(self):
        if self.model is None:
            raise ImproperlyConfigured(f"{type(self).__name__} needs a model")
        return access.visible(self.model, self.request.user)


class ListPage(ScopedMixin, TemplateView):
    template_name = "core/list.html"
    filterset_class = None
    columns: list = []
    default_sort = "name"
    title = ""
    create_url_name: str | None = None
    create_action: str | None = None
    export_name = "export"
    select_related: tuple[str, ...] = ()
    empty_message = ""
    #: how the search box filters; None hides it. Folded search needs a SearchableModel.
    search_lookup: str | None = "search_text__contains"
    fold_search = True

    def base_queryset(self):
        qs = self.visible_queryset()
        if self.select_related:
            qs = qs.select_related(*self.select_related)
        return qs

    def sort_options(self) -> dict[str, str]:
        return {column.name: column.sort for column in self.columns if column.sort}

    def page_size(self) -> int:
        from django.conf import settings

        try:
            size = int(self.request.GET.get("per_page", settings.VANCO_PAGE_SIZE))
        except ValueError:
            size = settings.VANCO_PAGE_SIZE
        return max(1, min(size, settings.VANCO_MAX_PAGE_SIZE))

    def filtered(self):
        qs = self.base_queryset()
        filterset = None
        if self.filterset_class is not None:
            filterset = self.filterset_class(
                self.request.GET or None, queryset=qs, request=self.request
            )
            bootstrap(filterset.form)
            qs = filterset.qs if filterset.is_bound and filterset.is_valid() else qs
            if filterset.is_bound and not filterset.is_valid():
                qs = qs.none()
        raw_term = self.request.GET.get("q", "").strip()[:100]
        term = fold(raw_term) if self.fold_search else raw_term
        if term and self.search_lookup:
            qs = qs.filter(**{self.search_lookup: term})
        sort = self.request.GET.get("sort", "")
        options = self.sort_options()
        key = sort.lstrip("-")
        if key in options:
            expression = options[key]
            qs = qs.order_by(f"-{expression}" if sort.startswith("-") else expression, "pk")
        else:
            sort = ""
            qs = qs.order_by(*([self.default_sort] if self.default_sort else []), "pk")
        return qs, filterset, sort

    def get(self, request, *args, **kwargs):
        qs, filterset, sort = self.filtered()
        if request.GET.get("export") == "xlsx":
            return xlsx_response(
                queryset=qs,
                columns=self.columns,
                filename=f"{self.export_name}.xlsx",
                sheet_title=str(self.title),
            )
        paginator = Paginator(qs, self.page_size())
        try:
            page = paginator.page(request.GET.get("page", 1))
        except (EmptyPage, ValueError, TypeError):
            page = paginator.page(paginator.num_pages if request.GET.get("page") else 1)
        rows = [
            (obj, [(column, column.get(obj)) for column in self.columns])
            for obj in page.object_list
        ]
        query = request.GET.copy()
        query.pop("page", None)
        query.pop("export", None)
        context = self.get_context_data(
            title=self.title,
            filterset=filterset,
            columns=self.columns,
            rows=rows,
            page=page,
            paginator=paginator,
            sort=sort,
            search=request.GET.get("q", ""),
            searchable=bool(self.search_lookup),
            querystring=query.urlencode(),
            can_create=bool(
                self.create_url_name
                and (self.create_action is None or access.can(request.user, self.create_action))
            ),
            create_url=reverse(self.create_url_name) if self.create_url_name else None,
            empty_message=self.empty_message,
        )
        template = self.template_name
        if request.htmx and request.htmx.target == "list-results":
            template = self.results_template()
        return self.render_to_response(context, template_name=template)

    def results_template(self) -> str:
        """The results fragment: the page's own `results` partial, or the one of core/list.html
        that pages extending it inherit (a partial is not found through {% extends %})."""
        own = f"{self.template_name}#results"
        try:
            get_template(own)
        except TemplateDoesNotExist:
            return "core/list.html#results"
        return own

    def render_to_response(self, context, template_name=None, **kwargs):
        return self.response_class(
            request=self.request, template=[template_name or self.template_name], context=context
        )


class DetailPage(ScopedMixin, TemplateView):
    select_related: tuple[str, ...] = ()
    edit_url_name: str | None = None

    def get_object(self):
        qs = self.visible_queryset()
        if self.select_related:
            qs = qs.select_related(*self.select_related)
        return get_object_or_404(qs, pk=self.kwargs["pk"])

    def get_context_data(self, **kwargs):
        obj = self.get_object()
        editable = access.editable(self.model, self.request.user).filter(pk=obj.pk).exists()
        return super().get_context_data(object=obj, can_edit=editable, **kwargs)


class FormPage(ScopedMixin, TemplateView):
    """Create (no pk) or edit (pk) a model instance through a VersionedModelForm."""

    template_name = "core/form.html"
    form_class = None
    action: str = ""
    title = ""
    success_url_name = ""

    def get_object(self):
        if "pk" not in self.kwargs:
            return None
        obj = get_object_or_404(self.visible_queryset(), pk=self.kwargs["pk"])
        if not access.editable(self.model, self.request.user).filter(pk=obj.pk).exists():
            raise PermissionDenied(self.action)
        return obj

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not access.can(request.user, self.action):
            # The object must still not be revealed: an out-of-scope pk stays a 404.
            if "pk" in kwargs:
                get_object_or_404(access.visible(self.model, request.user), pk=kwargs["pk"])
            raise PermissionDenied(self.action)
        return super().dispatch(request, *args, **kwargs)

    def get_form(self, obj, data=None):
        return self.form_class(data=data, instance=obj, user=self.request.user)

    def get_success_url(self, obj) -> str:
        return obj.get_absolute_url()

    def get(self, request, *args, **kwargs):
        obj = self.get_object()
        return self.render_to_response(self.page_context(obj, self.get_form(obj)))

    def page_context(self, obj, form):
        return self.get_context_data(form=form, object=obj, title=self.title_for(obj))

    def title_for(self, obj) -> str:
        return str(obj) if obj else str(self.title)

    def save(self, form, obj):
        instance = form.save(commit=False)
        save_versioned(
            instance=instance,
            expected_version=form.cleaned_data.get("version"),
            actor=self.request.user,
        )
        form.save_m2m()
        return instance

    def post(self, request, *args, **kwargs):
        obj = self.get_object()
        form = self.get_form(obj, data=request.POST)
        if form.is_valid():
            try:
                with transaction.atomic():
                    instance = self.save(form, obj)
            except ValidationError as error:
                form.add_error(None, error)
            except PermissionDenied:
                form.add_error(
                    None, _("You cannot save this record outside the area you are responsible for.")
                )
            else:
                messages.success(request, _("Saved: %(name)s") % {"name": instance})
                return HttpResponseRedirect(self.get_success_url(instance))
        return self.render_to_response(self.page_context(obj, form), status=400)

    def render_to_response(self, context, status=200, **kwargs):
        response = super().render_to_response(context, **kwargs)
        response.status_code = status
        return response


class ToggleActiveView(ScopedMixin, View):
    """POST-only deactivate / reactivate: deactivated rows leave the choices, not the history."""

    action = ""
    http_method_names = ["post"]

    def post(self, request, pk):
        obj = get_object_or_404(self.visible_queryset(), pk=pk)
        if not access.can(request.user, self.action):
            raise PermissionDenied(self.action)
        if not access.editable(self.model, request.user).filter(pk=obj.pk).exists():
            raise PermissionDenied(self.action)
        active = request.POST.get("active") == "1"
        try:
            self.toggle(obj, active)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            if active:
                messages.success(request, _("Reactivated: %(name)s") % {"name": obj})
            else:
                messages.success(request, _("Deactivated: %(name)s") % {"name": obj})
        return HttpResponseRedirect(obj.get_absolute_url())

    def toggle(self, obj, active: bool):
        set_active_flag(instance=obj, active=active, actor=self.request.user)
