"""Home (a landing page per role), health check and the audit log."""

from decimal import ROUND_HALF_UP, Decimal

import django_filters
from auditlog.models import LogEntry
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import FieldDoesNotExist
from django.db import connection
from django.db.models import Avg, Count, Q
from django.http import JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from vanco.accounts.enums import Role
from vanco.core import access
from vanco.core.tables import Column
from vanco.core.text import fold
from vanco.core.views import ListPage
from vanco.industries.models import ChainNode, Industry
from vanco.obstacles import queries
from vanco.obstacles.enums import OPEN_STATUSES, UNRESOLVED_STATUSES, Level, Status
from vanco.obstacles.filters import Deadline, StatusGroup, due_soon_limit
from vanco.obstacles.insight_views import obstacle_list_url
from vanco.obstacles.models import Obstacle
from vanco.obstacles.views import Preset, apply_preset
from vanco.org.models import Department, Locality
from vanco.projects.dispatch import reports_due_for


def _inbox_url(**params) -> str:
    return obstacle_list_url(view=Preset.INBOX, **params)


def department_obstacle_figures(user, scope, today) -> dict:
    """A department officer's figures: their inbox now (one query) and, per department they
    belong to, this year's resolution figures (queries.metrics: a fixed number of queries)."""
    inbox = apply_preset(Obstacle.objects.visible_to(user), Preset.INBOX, user).order_by()
    now = inbox.aggregate(
        open=Count("pk"),
        due_soon=Count("pk", filter=Q(due_on__gte=today, due_on__lte=due_soon_limit(today))),
        overdue=Count("pk", filter=Q(due_on__lt=today)),
    )
    year_from, year_to = queries.default_range(today)
    rows = queries.metrics(
        user, by=queries.DEPARTMENT, date_from=year_from, date_to=year_to, today=today
    )
    mine = [row for row in rows if row.key in scope.department_ids]
    start, end = year_from.isoformat(), year_to.isoformat()
    return {
        "open": now["open"],
        "due_soon": now["due_soon"],
        "overdue": now["overdue"],
        "open_url": _inbox_url(),
        "due_soon_url": _inbox_url(deadline=Deadline.DUE_SOON),
        "overdue_url": _inbox_url(deadline=Deadline.OVERDUE),
        "year": today.year,
        "departments": [
            {
                "row": row,
                "on_time_url": obstacle_list_url(
                    lead_department=row.key, resolved_from=start, resolved_to=end, on_time="yes"
                ),
                "resolved_url": obstacle_list_url(
                    lead_department=row.key, resolved_from=start, resolved_to=end
                ),
                "rated_url": obstacle_list_url(
                    lead_department=row.key, closed_from=start, closed_to=end, rated="yes"
                ),
            }
            for row in mine
        ],
    }


def city_obstacle_figures(user, scope, today) -> dict:
    """The coordinator's and the leader's city-wide figures: one aggregate query over the
    obstacles they may see."""
    year_from, year_to = queries.default_range(today)
    start, end = queries._bounds(year_from, year_to)
    in_year = Q(resolved_at__gte=start, resolved_at__lt=end)
    figures = (
        Obstacle.objects.visible_to(user)
        .order_by()
        .aggregate(
            to_assign=Count("pk", filter=Q(status=Status.SUBMITTED)),
            overdue=Count("pk", filter=Q(status__in=OPEN_STATUSES, due_on__lt=today)),
            agenda=Count(
                "pk",
                filter=Q(escalation_level__gte=Level.GROUP, status__in=UNRESOLVED_STATUSES),
            ),
            resolved=Count("pk", filter=in_year),
            on_time=Count("pk", filter=in_year & Q(resolved_on_time=True)),
            rated=Count(
                "pk", filter=Q(closed_at__gte=start, closed_at__lt=end, rating__isnull=False)
            ),
            rating=Avg(
                "rating", filter=Q(closed_at__gte=start, closed_at__lt=end, rating__isnull=False)
            ),
        )
    )
    share = None
    if figures["resolved"]:
        share = (Decimal(100 * figures["on_time"]) / figures["resolved"]).quantize(
            Decimal("0.1"), ROUND_HALF_UP
        )
    rating = figures["rating"]
    if rating is not None:
        rating = Decimal(str(rating)).quantize(Decimal("0.01"), ROUND_HALF_UP)
    coordinator = scope.has(Role.COORDINATOR)
    year_start, year_end = year_from.isoformat(), year_to.isoformat()
    if coordinator:
        to_assign_url = obstacle_list_url(view=Preset.TO_ASSIGN)
        agenda_url = obstacle_list_url(view=Preset.AGENDA)
    else:
        to_assign_url = obstacle_list_url(status=Status.SUBMITTED)
        agenda_url = obstacle_list_url(
            escalation_level=int(Level.GROUP), status_group=StatusGroup.UNRESOLVED
        )
    return {
        **figures,
        "on_time_share": share,
        "rating": rating,
        "year": today.year,
        "to_assign_url": to_assign_url,
        "agenda_url": agenda_url,
        "overdue_url": obstacle_list_url(deadline=Deadline.OVERDUE),
        "on_time_url": obstacle_list_url(
            resolved_from=year_start, resolved_to=year_end, on_time="yes"
        ),
        "resolved_url": obstacle_list_url(resolved_from=year_start, resolved_to=year_end),
        "rated_url": obstacle_list_url(closed_from=year_start, closed_to=year_end, rated="yes"),
    }


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
    if access.can(user, "reports.submit") and not scope.whole_city:
        # The officer's next task: the reports they still owe.
        context["reports_due"] = reports_due_for(user, today=timezone.localdate()).count()
    if access.can(user, "audit.read"):
        recent = (
            access.visible(LogEntry, user)
            .select_related("actor", "content_type")
            .order_by("-timestamp")[:8]
        )
        context["recent_changes"] = [(entry, action_label(entry)) for entry in recent]
    today = timezone.localdate()
    if scope.has(Role.COORDINATOR) or scope.has(Role.LEADER):
        context["city_obstacles"] = city_obstacle_figures(user, scope, today)
    if scope.has(Role.DEPARTMENT) and scope.department_ids:
        context["department_obstacles"] = department_obstacle_figures(user, scope, today)
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


ACTION_LABELS = {
    LogEntry.Action.CREATE: pgettext_lazy("audit action", "Created"),
    LogEntry.Action.UPDATE: pgettext_lazy("audit action", "Changed"),
    LogEntry.Action.DELETE: pgettext_lazy("audit action", "Deleted"),
    LogEntry.Action.ACCESS: pgettext_lazy("audit action", "Viewed"),
}
# Bookkeeping columns that every row has; listing them drowns the real changes.
_QUIET_FIELDS = {"id", "created_at", "version"}
_MAX_FIELDS_SHOWN = 6


def action_label(entry: LogEntry) -> str:
    return str(ACTION_LABELS.get(entry.action, entry.action))


def _field(model, name: str):
    try:
        return model._meta.get_field(name) if model else None
    except FieldDoesNotExist:  # a field removed since the entry was written
        return None


def _shown(field, value) -> str:
    if value in (None, "", "None"):
        return "—"
    if field is not None and field.choices:
        return str(dict(field.flatchoices).get(value, value))
    return str(value)[:80]


def changes_text(entry: LogEntry) -> str:
    """“field: old → new” in the reader's language, quiet fields left out."""
    model = entry.content_type.model_class()
    parts = []
    for name, values in (entry.changes_dict or {}).items():
        if name in _QUIET_FIELDS or not isinstance(values, (list, tuple)) or len(values) != 2:
            continue
        field = _field(model, name)
        label = str(field.verbose_name) if field is not None else name
        old, new = _shown(field, values[0]), _shown(field, values[1])
        if entry.action == LogEntry.Action.CREATE:
            if new != "—":  # a new record's empty fields are not news
                parts.append(f"{label}: {new}")
        else:
            parts.append(f"{label}: {old} → {new}")
    if len(parts) > _MAX_FIELDS_SHOWN:
        parts = [*parts[:_MAX_FIELDS_SHOWN], "…"]
    return "; ".join(parts)


def _record_type(entry: LogEntry) -> str:
    model = entry.content_type.model_class()
    return str(model._meta.verbose_name) if model else entry.content_type.model


class LogEntryFilter(django_filters.FilterSet):
    # A text box, not a select: a city has thousands of users, and a page listing them all
    # would be slow to render and to use.
    actor = django_filters.CharFilter(
        label=_("Actor"), method="filter_actor", help_text=_("Username or part of the name")
    )
    content_type = django_filters.ModelChoiceFilter(
        queryset=ContentType.objects.none(), label=_("Record type")
    )
    object_pk = django_filters.CharFilter(label=_("Record ID"))
    action = django_filters.ChoiceFilter(
        choices=list(ACTION_LABELS.items()), label=_("Action"), empty_label=_("All")
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
        fields = ["content_type", "object_pk", "action"]

    def filter_actor(self, queryset, name, value):
        users = get_user_model().objects
        term = fold(value)
        matching = users.filter(Q(username=value.strip()) | Q(search_text__contains=term)).filter(
            Q(pk__in=users.visible_to(self.request_user).values("pk")) | Q(is_system=True)
        )
        return queryset.filter(actor__in=matching.values("pk"))

    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, request=request, **kwargs)
        self.request_user = request.user
        from vanco.core.audit import _AUDITED_APPS

        self.filters["content_type"].queryset = ContentType.objects.filter(
            app_label__in=_AUDITED_APPS
        ).order_by("app_label", "model")


class AuditLogList(ListPage):
    """Who changed what, when: read-only, for coordinators and auditors."""

    model = LogEntry
    required_action = "audit.read"
    title = _("Audit log")
    filterset_class = LogEntryFilter
    template_name = "core/audit_list.html"
    select_related = ("actor", "content_type")
    search_lookup = "object_repr__icontains"
    fold_search = False
    default_sort = "-timestamp"
    export_name = "audit-log"
    empty_message = _("No change matches these filters.")

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            search_placeholder=_("Name of the changed record"), **kwargs
        )

    columns = [
        Column("timestamp", _("Time"), sort="timestamp"),
        Column("actor", _("Actor"), sort="actor__full_name"),
        Column("action", _("Action"), value=action_label, sort="action"),
        Column("content_type", _("Record type"), value=_record_type),
        Column("object_repr", _("Record"), sort="object_repr"),
        Column("changes", _("Changes"), value=changes_text),
        Column("remote_addr", _("IP address")),
    ]
