"""Generic, access-checked list / detail / edit views every management page is built from.

This is the one place where simple form saves happen: it checks the action (403), loads the
object through the user's scope (404), saves with optimistic locking and re-checks the scope
inside the same transaction.
"""

from django import forms
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ImproperlyConfigured, PermissionDenied, ValidationError
from django.core.paginator import EmptyPage, InvalidPage, Paginator
from django.db import transaction
from django.db.models import Sum
from django.forms.utils import flatatt
from django.http import HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404
from django.template import TemplateDoesNotExist
from django.template.loader import get_template
from django.urls import reverse
from django.utils.html import escape
from django.utils.safestring import mark_safe
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


class FastSelect(forms.Select):
    """A single select rendered in Python, option by option, to the same HTML as Django's.

    Django renders each option through a template: for the hundreds of users, localities or
    chain nodes of a filter form that alone took most of a list page's time (60 ms of 125 ms
    on the large demo's project list).
    """

    def render(self, name, value, attrs=None, renderer=None):
        final = self.build_attrs(self.attrs, attrs)
        selected = set(self.format_value(value))
        parts = [f'<select name="{escape(name)}"{flatatt(final)}>']
        chosen = False

        def option(option_value, label) -> str:
            nonlocal chosen
            text = "" if option_value is None else str(option_value)
            mark = ""
            if not chosen and text in selected:
                mark, chosen = " selected", True
            return f'<option value="{escape(text)}"{mark}>{escape(label)}</option>'

        for option_value, label in self.choices:
            if isinstance(label, (list, tuple)):
                parts.append(f'<optgroup label="{escape(option_value)}">')
                parts.extend(option(value, text) for value, text in label)
                parts.append("</optgroup>")
            else:
                parts.append(option(option_value, label))
        parts.append("</select>")
        return mark_safe("".join(parts))  # noqa: S308 (every value above is escaped)


def fast_selects(form: forms.Form) -> forms.Form:
    """Swap the plain single selects of a form for FastSelect (same attributes and choices)."""
    for field in form.fields.values():
        widget = field.widget
        if type(widget) is forms.Select:
            fast = FastSelect(attrs=widget.attrs)
            fast.choices = widget.choices
            fast.is_required = widget.is_required
            field.widget = fast
    return form


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
    #: fetch a page's rows in two steps (see page_objects): for lists of many wide rows
    two_step_pages = False

    def base_queryset(self):
        qs = self.visible_queryset()
        if self.select_related:
            qs = qs.select_related(*self.select_related)
        return qs

    def sort_options(self) -> dict[str, str]:
        return {column.name: column.sort for column in self.columns if column.sort}

    def get_columns(self) -> list:
        """The columns shown on the page (a page may let the user choose some)."""
        return self.columns

    def get_paginator(self, qs) -> Paginator:
        return Paginator(qs, self.page_size())

    def page_objects(self, qs, page) -> list:
        """The rows of one page in two steps: their keys in the list's order (only the columns
        the filter and the sort need), then those rows with their related objects by key.

        Sorting the whole filtered set with every joined column in each sort record is what a
        list page spent most of its SQL time on (20,000 projects with six joins).
        """
        query = qs.query
        simple = not (query.distinct or query.annotations or query.combinator)
        if not (self.two_step_pages and simple and query.order_by):
            return list(page.object_list)
        keys = list(page.object_list.values_list("pk", flat=True))
        by_key = {obj.pk: obj for obj in qs.order_by().filter(pk__in=keys)}
        return [by_key[key] for key in keys if key in by_key]

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
            fast_selects(bootstrap(filterset.form))
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
        paginator = self.get_paginator(qs)
        try:
            page = paginator.page(request.GET.get("page", 1))
        except EmptyPage:
            page = paginator.page(paginator.num_pages)
        except (InvalidPage, ValueError, TypeError):
            # "abc", "1.5": not a page number, the first page
            page = paginator.page(1)
        page.object_list = self.page_objects(qs, page)
        columns = self.get_columns()
        rows = [
            (obj, [(column, column.get(obj)) for column in columns]) for obj in page.object_list
        ]
        column_totals = self.column_totals(qs, columns) if rows else None
        query = request.GET.copy()
        query.pop("page", None)
        query.pop("export", None)
        context = self.get_context_data(
            title=self.title,
            filterset=filterset,
            columns=columns,
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
            column_totals=column_totals,
        )
        template = self.template_name
        if request.htmx and request.htmx.target == "list-results":
            template = self.results_template()
        return self.render_to_response(context, template_name=template)

    def column_totals(self, qs, columns) -> list | None:
        """The totals row: each summed column's sum over all filtered rows (one query), None
        where a column is not summed; None when no column is."""
        summed = [column.name for column in columns if column.total]
        if not summed:
            return None
        sums = qs.order_by().aggregate(**{name: Sum(name) for name in summed})
        return [(column, sums[column.name] if column.total else None) for column in columns]

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


class SearchOptions(ScopedMixin, View):
    """Search-as-you-type choices (tom-select) for a field that picks one of many rows — tens of
    thousands of enterprises or projects, too many for a plain select. Only rows the user may
    see; matched on the folded search column, so diacritics and case do not matter."""

    http_method_names = ["get"]
    #: The field shown in brackets after the name (the natural key people recognise).
    key_field = ""
    max_options = 20

    def get(self, request):
        term = fold(request.GET.get("q", ""))[:100]
        options = []
        if len(term) >= 2:
            matches = (
                self.visible_queryset()
                .filter(search_text__contains=term)
                .order_by("name", "pk")
                .values_list("pk", "name", self.key_field)[: self.max_options]
            )
            options = [{"value": pk, "text": f"{name} ({key})"} for pk, name, key in matches]
        return JsonResponse({"results": options})
