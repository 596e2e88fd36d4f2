"""Home (a landing page per role), health check and the audit log."""

import django_filters
from auditlog.models import LogEntry
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from vanco.accounts.enums import Role
from vanco.core import access
from vanco.core.tables import Column
from vanco.core.views import ListPage
from vanco.industries.models import ChainNode, Industry
from vanco.org.models import Department, Locality


@login_required
def home(request):
    user = request.user
    scope = access.scope_for(user)
    context = {"scope": scope, "roles": sorted(scope.roles)}
    if scope.whole_city:
        context["counts"] = [
            (
                _("Localities"),
                Locality.objects.visible_to(user).filter(is_active=True).count(),
                "org:locality-list",
                "geo-alt",
            ),
            (
                _("Departments"),
                Department.objects.visible_to(user).filter(is_active=True).count(),
                "org:department-list",
                "building",
            ),
            (
                _("Leading industries"),
                Industry.objects.visible_to(user).filter(is_active=True).count(),
                "industries:industry-list",
                "diagram-3",
            ),
            (
                _("Chain nodes"),
                ChainNode.objects.visible_to(user).filter(is_active=True).count(),
                "industries:node-list",
                "bezier2",
            ),
            (
                _("Users"),
                get_user_model().objects.visible_to(user).filter(is_active=True).count(),
                "accounts:user-list",
                "people",
            ),
        ]
    if scope.has(Role.LOCALITY):
        context["my_localities"] = (
            Locality.objects.visible_to(user)
            .filter(role_assignments__user=user, role_assignments__role=Role.LOCALITY)
            .distinct()
        )
    if scope.has(Role.DEPARTMENT):
        context["my_departments"] = Department.objects.visible_to(user).filter(
            pk__in=scope.department_ids
        )
    if access.can(user, "audit.read"):
        context["recent_changes"] = (
            access.visible(LogEntry, user)
            .select_related("actor", "content_type")
            .order_by("-timestamp")[:8]
        )
    context["assignments"] = user.role_assignments.select_related("locality", "department")
    return render(request, "core/home.html", context)


@never_cache
@require_GET
def healthz(request):
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as error:  # any driver error means "not healthy"
        return JsonResponse(
            {"status": "error", "database": "unavailable", "detail": type(error).__name__},
            status=503,
        )
    return JsonResponse({"status": "ok", "database": connection.vendor})


class LogEntryFilter(django_filters.FilterSet):
    actor = django_filters.ModelChoiceFilter(
        queryset=get_user_model().objects.none(), label=_("Actor")
    )
    content_type = django_filters.ModelChoiceFilter(
        queryset=ContentType.objects.none(), label=_("Record type")
    )
    object_pk = django_filters.CharFilter(label=_("Record ID"))
    action = django_filters.ChoiceFilter(
        choices=LogEntry.Action.choices, label=_("Action"), empty_label=_("All")
    )
    since = django_filters.DateFilter(
        field_name="timestamp",
        lookup_expr="date__gte",
        label=_("From date"),
        widget=django_filters.widgets.forms.DateInput(attrs={"type": "date"}),
    )
    until = django_filters.DateFilter(
        field_name="timestamp",
        lookup_expr="date__lte",
        label=_("To date"),
        widget=django_filters.widgets.forms.DateInput(attrs={"type": "date"}),
    )

    class Meta:
        model = LogEntry
        fields = ["actor", "content_type", "object_pk", "action"]

    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, request=request, **kwargs)
        self.filters["actor"].queryset = get_user_model().objects.visible_to(request.user)
        from vanco.core.audit import _AUDITED_APPS

        self.filters["content_type"].queryset = ContentType.objects.filter(
            app_label__in=_AUDITED_APPS
        ).order_by("app_label", "model")


def _changes_text(entry: LogEntry) -> str:
    changes = entry.changes_dict or {}
    parts = []
    for field, values in list(changes.items())[:6]:
        if isinstance(values, (list, tuple)) and len(values) == 2:
            parts.append(f"{field}: {values[0]} → {values[1]}")
        else:
            parts.append(str(field))
    return "; ".join(parts)


class AuditLogList(ListPage):
    model = LogEntry
    required_action = "audit.read"
    title = _("Audit log")
    filterset_class = LogEntryFilter
    template_name = "core/audit_list.html"
    select_related = ("actor", "content_type")
    default_sort = "-timestamp"
    export_name = "audit-log"
    empty_message = _("No change matches these filters.")
    columns = [
        Column("timestamp", _("Time"), sort="timestamp"),
        Column("actor", _("Actor"), sort="actor__full_name"),
        Column("action", _("Action"), value=lambda e: e.get_action_display(), sort="action"),
        Column(
            "content_type",
            _("Record type"),
            value=lambda e: (
                e.content_type.model_class()._meta.verbose_name
                if e.content_type.model_class()
                else e.content_type.model
            ),
        ),
        Column("object_repr", _("Record"), sort="object_repr"),
        Column("changes", _("Changes"), value=_changes_text),
        Column("remote_addr", _("IP address")),
    ]
