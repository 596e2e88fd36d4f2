"""Obstacle list, inboxes, detail, raising and each step of its life."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from django.views.generic import TemplateView, View

from vanco.accounts.enums import Role
from vanco.core import access
from vanco.core.access import department_obstacle_q, scope_for
from vanco.core.services import save_versioned
from vanco.core.views import ListPage, ScopedMixin, SearchOptions
from vanco.enterprises.models import Visit
from vanco.obstacles import problems, services
from vanco.obstacles.enums import (
    DEFAULT_TIME_LIMIT_DAYS,
    OPEN_STATUSES,
    UNRESOLVED_STATUSES,
    Category,
    Level,
    ProblemStatus,
    Status,
)
from vanco.obstacles.filters import ObstacleFilter, due_soon_limit
from vanco.obstacles.forms import (
    AssignForm,
    AttachmentForm,
    CommentForm,
    CommentStepForm,
    ConfirmForm,
    DueForm,
    RaiseForm,
    ReasonStepForm,
    ResolveForm,
    TimeLimitForm,
    only_enterprise_user,
)
from vanco.obstacles.models import (
    CategoryLimit,
    CommonProblem,
    Obstacle,
    ObstacleAttachment,
    ObstacleEvent,
)
from vanco.obstacles.tables import due_state, list_columns, status_look
from vanco.projects.models import ProgressReport, Project

# --- the list and its inboxes -----------------------------------------------------------------


class Preset:
    ALL = "all"
    INBOX = "inbox"
    LOCALITY = "locality"
    ESCALATED = "escalated"
    TO_ASSIGN = "to_assign"
    AGENDA = "agenda"
    MINE = "mine"

    LABELS = {
        INBOX: gettext_lazy("My department's inbox"),
        LOCALITY: gettext_lazy("My locality"),
        ESCALATED: gettext_lazy("Escalated"),
        TO_ASSIGN: gettext_lazy("To assign"),
        AGENDA: gettext_lazy("Leading group agenda"),
        MINE: gettext_lazy("My obstacles"),
        ALL: gettext_lazy("All obstacles"),
    }


def presets_for(user) -> list[str]:
    """The tabs a user gets, their own inbox first."""
    scope = scope_for(user)
    if only_enterprise_user(user):
        return [Preset.MINE]
    tabs = []
    if scope.department_ids:
        tabs.append(Preset.INBOX)
    if scope.locality_paths:
        tabs.append(Preset.LOCALITY)
    if scope.has(Role.COORDINATOR):
        tabs += [Preset.TO_ASSIGN, Preset.AGENDA]
    if scope.has(Role.LEADER) or scope.has(Role.COORDINATOR):
        tabs.append(Preset.ESCALATED)
    return [*tabs, Preset.MINE, Preset.ALL]


def apply_preset(qs, preset: str, user):
    scope = scope_for(user)
    if preset == Preset.INBOX:
        return qs.filter(department_obstacle_q(scope), status__in=OPEN_STATUSES)
    if preset == Preset.LOCALITY:
        return qs.filter(scope.locality_q("locality__path"))
    if preset == Preset.ESCALATED:
        return qs.filter(escalation_level__gte=Level.LEADER, status__in=UNRESOLVED_STATUSES)
    if preset == Preset.TO_ASSIGN:
        return qs.filter(status=Status.SUBMITTED)
    if preset == Preset.AGENDA:
        return qs.filter(escalation_level__gte=Level.GROUP, status__in=UNRESOLVED_STATUSES)
    if preset == Preset.MINE:
        mine = Q(raised_by_id=user.pk)
        if scope.enterprise_keys:
            mine |= Q(enterprise__tax_code__in=scope.enterprise_keys)
        return qs.filter(mine)
    return qs


#: At most this many common problems (not yet resolved) are offered by the bulk action.
MAX_PROBLEM_CHOICES = 200

#: The order each inbox opens in (the user's sort replaces it).
PRESET_SORT = {Preset.INBOX: "due_on", Preset.TO_ASSIGN: "raised_at"}


class ObstacleList(ListPage):
    model = Obstacle
    template_name = "obstacles/obstacle_list.html"
    title = gettext_lazy("Obstacles")
    filterset_class = ObstacleFilter
    select_related = ("project", "enterprise", "locality", "lead_department")
    default_sort = "-raised_at"
    create_url_name = "obstacles:obstacle-raise"
    create_action = "obstacles.raise"
    export_name = "obstacles"
    empty_message = gettext_lazy("No obstacle matches these filters.")
    columns = list_columns()

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            tabs = presets_for(request.user)
            wanted = request.GET.get("view", "")
            self.tabs = tabs
            self.preset = wanted if wanted in tabs else tabs[0]
            self.default_sort = PRESET_SORT.get(self.preset, "-raised_at")
        return super().dispatch(request, *args, **kwargs)

    def base_queryset(self):
        return apply_preset(super().base_queryset(), self.preset, self.request.user)

    def get_columns(self):
        columns = super().get_columns()
        if self.preset == Preset.INBOX:
            # The inbox is the department's own: its name on every row says nothing (the
            # Excel export keeps every column).
            columns = [c for c in columns if c.name != "lead_department"]
        return columns

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["title"] = Preset.LABELS[self.preset]
        context["preset"] = self.preset
        context["tabs"] = [(tab, Preset.LABELS[tab]) for tab in self.tabs]
        context["today"] = timezone.localdate()
        context["rows"] = [
            (obj, cells, status_look(obj.status), due_state(obj, context["today"]))
            for obj, cells in context["rows"]
        ]
        if self.preset == Preset.INBOX:
            context["inbox_counts"] = self.inbox_counts()
        context["can_group"] = access.can(self.request.user, "problems.manage")
        if context["can_group"]:
            context["group_problems"] = list(
                CommonProblem.objects.visible_to(self.request.user)
                .exclude(status=ProblemStatus.RESOLVED)
                .order_by("title", "pk")
                .values_list("pk", "title")[:MAX_PROBLEM_CHOICES]
            )
        return context

    def inbox_counts(self) -> dict:
        """New, due soon, overdue and per-category counts of the inbox (two queries)."""
        today = timezone.localdate()
        qs = self.base_queryset().order_by()
        totals = qs.aggregate(
            new=Count("pk", filter=Q(status=Status.ASSIGNED)),
            due_soon=Count("pk", filter=Q(due_on__gte=today, due_on__lte=due_soon_limit(today))),
            overdue=Count("pk", filter=Q(due_on__lt=today)),
        )
        by_category = dict(
            qs.values_list("category").annotate(n=Count("pk")).values_list("category", "n")
        )
        totals["categories"] = [
            (value, label, by_category[value])
            for value, label in Category.choices
            if by_category.get(value)
        ]
        return totals


class ObstacleBulkGroup(ScopedMixin, View):
    """POST from the list: put the ticked obstacles under one common problem, all or nothing
    (an obstacle the coordinator cannot see makes the whole request 404)."""

    http_method_names = ["post"]
    required_action = "problems.manage"

    def post(self, request):
        back = request.POST.get("next", "")
        list_url = reverse("obstacles:obstacle-list")
        if not (
            back.startswith(list_url)
            and url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()})
        ):
            back = list_url
        try:
            ids = sorted({int(value) for value in request.POST.getlist("ids")})
            problem_pk = int(request.POST.get("problem") or 0)
        except ValueError:
            ids, problem_pk = [], 0
        if not ids:
            messages.error(request, _("Tick the obstacles to add first."))
            return HttpResponseRedirect(back)
        if not problem_pk:
            messages.error(request, _("Choose the common problem to add them to."))
            return HttpResponseRedirect(back)
        problem = get_object_or_404(CommonProblem.objects.visible_to(request.user), pk=problem_pk)
        try:
            changed = problems.group_obstacles(actor=request.user, problem=problem, obstacles=ids)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(
                request,
                _("Obstacles added to the common problem: %(count)s.") % {"count": len(changed)},
            )
        return HttpResponseRedirect(back)


# --- the detail page --------------------------------------------------------------------------

ACTION_LABELS = {
    "assign": gettext_lazy("Assign"),
    "accept": pgettext_lazy("obstacle step", "Accept"),
    "start": gettext_lazy("Start work"),
    "resolve": gettext_lazy("Mark resolved"),
    "hand_back": gettext_lazy("Hand back"),
    "confirm": gettext_lazy("Confirm and rate"),
    "reopen": gettext_lazy("Reopen"),
    "due": gettext_lazy("Change due date"),
    "escalate": gettext_lazy("Escalate"),
}
ACTION_ICONS = {
    "assign": "bi-person-plus",
    "accept": "bi-hand-thumbs-up",
    "start": "bi-play-fill",
    "resolve": "bi-check2-circle",
    "hand_back": "bi-arrow-return-left",
    "confirm": "bi-star",
    "reopen": "bi-arrow-counterclockwise",
    "due": "bi-calendar-event",
    "escalate": "bi-arrow-up-circle",
}


def _visible_obstacle(user, pk):
    qs = Obstacle.objects.visible_to(user).select_related(
        "project",
        "enterprise",
        "locality",
        "industry",
        "lead_department",
        "raised_by",
        "report__period",
        "visit",
    )
    return get_object_or_404(qs, pk=pk)


TIMELINE_LIMIT = 100
ATTACHMENT_LIMIT = 50


class ObstacleDetail(ScopedMixin, TemplateView):
    model = Obstacle
    template_name = "obstacles/obstacle_detail.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        obstacle = _visible_obstacle(user, self.kwargs["pk"])
        events = ObstacleEvent.objects.visible_to(user).filter(obstacle=obstacle)
        events_total = events.count()
        # The newest TIMELINE_LIMIT steps, oldest first: a long-running obstacle with many
        # comments keeps a bounded page.
        shown = events.select_related("actor", "department").order_by("-at", "-pk")
        shown = list(shown[:TIMELINE_LIMIT])[::-1]
        can_edit = Obstacle.objects.editable_by(user).filter(pk=obstacle.pk).exists()
        actions = services.allowed_actions(actor=user, obstacle=obstacle)
        context = super().get_context_data(**kwargs)
        context.update(
            object=obstacle,
            title=str(obstacle),
            status_look=status_look(obstacle.status),
            due=due_state(obstacle),
            cooperating=list(obstacle.cooperating_departments.all()),
            events=shown,
            events_hidden=events_total - len(shown),
            attachments=list(
                ObstacleAttachment.objects.visible_to(user)
                .filter(obstacle=obstacle)
                .select_related("uploaded_by")[:ATTACHMENT_LIMIT]
            ),
            actions=[(name, ACTION_LABELS[name], ACTION_ICONS[name]) for name in actions],
            can_upload=can_edit,
            can_comment=services.may_comment(user, obstacle),
            visit_visible=obstacle.visit_id is not None
            and Visit.objects.visible_to(user).filter(pk=obstacle.visit_id).exists(),
            comment_form=CommentForm(),
            attachment_form=AttachmentForm(),
            stars=range(1, 6),
        )
        return context


# --- the steps --------------------------------------------------------------------------------


def _assign(user, obstacle, data, version):
    return services.assign_obstacle(
        actor=user,
        obstacle=obstacle,
        lead_department=data["lead_department"],
        cooperating=list(data.get("cooperating") or []),
        due_on=data["due_on"],
        reason=data.get("reason", ""),
        expected_version=version,
    )


STEPS = {
    "assign": (AssignForm, _assign),
    "accept": (
        CommentStepForm,
        lambda u, o, d, v: services.accept_obstacle(
            actor=u, obstacle=o, comment=d.get("comment", ""), expected_version=v
        ),
    ),
    "start": (
        CommentStepForm,
        lambda u, o, d, v: services.start_work(
            actor=u, obstacle=o, comment=d.get("comment", ""), expected_version=v
        ),
    ),
    "resolve": (
        ResolveForm,
        lambda u, o, d, v: services.resolve_obstacle(
            actor=u, obstacle=o, resolution=d["resolution"], expected_version=v
        ),
    ),
    "hand_back": (
        ReasonStepForm,
        lambda u, o, d, v: services.hand_back(
            actor=u, obstacle=o, reason=d["reason"], expected_version=v
        ),
    ),
    "confirm": (
        ConfirmForm,
        lambda u, o, d, v: services.confirm_obstacle(
            actor=u,
            obstacle=o,
            rating=d["rating"],
            comment=d.get("comment", ""),
            expected_version=v,
        ),
    ),
    "reopen": (
        ReasonStepForm,
        lambda u, o, d, v: services.reopen_obstacle(
            actor=u, obstacle=o, reason=d["reason"], expected_version=v
        ),
    ),
    "due": (
        DueForm,
        lambda u, o, d, v: services.change_due_date(
            actor=u, obstacle=o, due_on=d["due_on"], reason=d["reason"], expected_version=v
        ),
    ),
    "escalate": (
        ReasonStepForm,
        lambda u, o, d, v: services.escalate_obstacle(
            actor=u, obstacle=o, reason=d["reason"], expected_version=v
        ),
    ),
}

#: Error keys of the services that name a different field of our forms.
FIELD_ALIASES = {"comment": "reason", "file": "attachments", "enterprise": "project"}


def add_service_errors(form, error: ValidationError) -> None:
    """Show a service's refusal next to the field it concerns, else above the form."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for key, errors in error.error_dict.items():
        target = key if key in form.fields else FIELD_ALIASES.get(key)
        form.add_error(target if target in form.fields else None, errors)


class ObstacleStep(ScopedMixin, View):
    """GET: the small form of one step (a modal through htmx, a page without JavaScript);
    POST: the step through its service."""

    template_name = "obstacles/obstacle_step.html"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        if kwargs["action"] not in STEPS:
            raise Http404("step")
        self.obstacle = _visible_obstacle(request.user, kwargs["pk"])
        self.action = kwargs["action"]
        self.form_class, self.run = STEPS[self.action]
        return super().dispatch(request, *args, **kwargs)

    def render_form(self, form, status=200):
        template = self.template_name
        if self.request.htmx:
            template += "#dialog"
        return render(
            self.request,
            template,
            {
                "form": form,
                "object": self.obstacle,
                "action": self.action,
                "title": ACTION_LABELS[self.action],
                "stars": range(1, 6),
            },
            status=status,
        )

    def get(self, request, pk, action):
        if action not in services.allowed_actions(actor=request.user, obstacle=self.obstacle):
            raise PermissionDenied(action)
        return self.render_form(self.form_class(obstacle=self.obstacle, user=request.user))

    def post(self, request, pk, action):
        form = self.form_class(data=request.POST, obstacle=self.obstacle, user=request.user)
        if form.is_valid():
            data = form.cleaned_data
            try:
                self.run(request.user, self.obstacle, data, data["version"])
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(
                    request,
                    _("Done: %(step)s — %(name)s")
                    % {"step": ACTION_LABELS[action], "name": self.obstacle.number},
                )
                still_visible = Obstacle.objects.visible_to(request.user).filter(
                    pk=self.obstacle.pk
                )
                if not still_visible.exists():
                    # Handed back: it is no longer the department's, so back to the inbox.
                    return HttpResponseRedirect(reverse("obstacles:obstacle-list"))
                return HttpResponseRedirect(self.obstacle.get_absolute_url())
        return self.render_form(form, status=400)


class ObstacleComment(ScopedMixin, View):
    http_method_names = ["post"]

    def post(self, request, pk):
        obstacle = _visible_obstacle(request.user, pk)
        form = CommentForm(data=request.POST)
        if form.is_valid():
            try:
                services.comment_obstacle(
                    actor=request.user, obstacle=obstacle, comment=form.cleaned_data["comment"]
                )
            except ValidationError as error:
                messages.error(request, " ".join(error.messages))
            else:
                messages.success(request, _("Comment added."))
        else:
            messages.error(request, _("Write the comment first."))
        return HttpResponseRedirect(obstacle.get_absolute_url() + "#timeline")


class AttachmentUpload(ScopedMixin, View):
    http_method_names = ["post"]

    def post(self, request, pk):
        obstacle = _visible_obstacle(request.user, pk)
        form = AttachmentForm(data=request.POST, files=request.FILES)
        if not form.is_valid():
            messages.error(request, _("Choose a file to attach."))
        else:
            try:
                services.add_attachment(
                    actor=request.user, obstacle=obstacle, uploaded_file=form.cleaned_data["file"]
                )
            except ValidationError as error:
                messages.error(request, " ".join(error.messages))
            else:
                messages.success(request, _("File attached."))
        return HttpResponseRedirect(obstacle.get_absolute_url() + "#attachments")


class AttachmentDownload(ScopedMixin, View):
    http_method_names = ["get"]

    def get(self, request, pk):
        return services.attachment_response(actor=request.user, attachment_id=pk)


# --- raising ----------------------------------------------------------------------------------


class ObstacleRaise(ScopedMixin, TemplateView):
    template_name = "obstacles/obstacle_form.html"
    required_action = "obstacles.raise"

    def dispatch(self, request, *args, **kwargs):
        self.report = None
        if request.user.is_authenticated:
            raw = request.GET.get("report") or request.POST.get("report")
            if raw:
                if not str(raw).isdigit():
                    raise Http404("report")
                self.report = get_object_or_404(
                    ProgressReport.objects.visible_to(request.user).select_related(
                        "project", "period"
                    ),
                    pk=raw,
                )
        return super().dispatch(request, *args, **kwargs)

    def render_form(self, form, status=200):
        return render(
            self.request,
            self.template_name,
            {"form": form, "report": self.report, "title": _("Raise an obstacle")},
            status=status,
        )

    def get(self, request, *args, **kwargs):
        initial = {"project": self.report.project_id} if self.report else {}
        return self.render_form(RaiseForm(initial=initial, user=request.user))

    def post(self, request, *args, **kwargs):
        form = RaiseForm(data=request.POST, files=request.FILES, user=request.user)
        if form.is_valid():
            data = form.cleaned_data
            try:
                obstacle = services.raise_obstacle(
                    actor=request.user,
                    data=data,
                    uploaded_files=data.get("attachments") or [],
                    report=self.report,
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(
                    request, _("Obstacle %(number)s raised.") % {"number": obstacle.number}
                )
                return HttpResponseRedirect(obstacle.get_absolute_url())
        return self.render_form(form, status=400)


class ProjectOptions(SearchOptions):
    """Choices of a project for the raise form."""

    model = Project
    key_field = "code"


# --- category time limits ---------------------------------------------------------------------


class TimeLimitList(ScopedMixin, TemplateView):
    template_name = "obstacles/time_limits.html"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not scope_for(request.user).has_role:
            raise PermissionDenied("no role")
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        rows = {row.category: row for row in CategoryLimit.objects.visible_to(self.request.user)}
        context = super().get_context_data(**kwargs)
        context["title"] = _("Time limits by category")
        context["limits"] = [
            (
                value,
                label,
                rows[value].time_limit_days if value in rows else DEFAULT_TIME_LIMIT_DAYS[value],
                value not in rows,
            )
            for value, label in Category.choices
        ]
        context["can_configure"] = access.can(self.request.user, "obstacles.configure")
        return context


class TimeLimitEdit(ScopedMixin, TemplateView):
    template_name = "obstacles/time_limits_form.html"
    required_action = "obstacles.configure"

    def dispatch(self, request, *args, **kwargs):
        if kwargs["category"] not in Category.values:
            raise Http404("category")
        return super().dispatch(request, *args, **kwargs)

    def get_instance(self):
        category = self.kwargs["category"]
        found = CategoryLimit.objects.editable_by(self.request.user).filter(category=category)
        instance = found.first()
        if instance is None:
            instance = CategoryLimit(
                category=category, time_limit_days=DEFAULT_TIME_LIMIT_DAYS[Category(category)]
            )
        return instance

    def render_form(self, form, instance, status=200):
        return render(
            self.request,
            self.template_name,
            {
                "form": form,
                "object": instance,
                "title": _("Time limit: %(category)s") % {"category": instance},
            },
            status=status,
        )

    def get(self, request, *args, **kwargs):
        instance = self.get_instance()
        return self.render_form(TimeLimitForm(instance=instance, user=request.user), instance)

    def post(self, request, *args, **kwargs):
        instance = self.get_instance()
        form = TimeLimitForm(data=request.POST, instance=instance, user=request.user)
        if form.is_valid():
            try:
                save_versioned(
                    instance=form.save(commit=False),
                    expected_version=form.cleaned_data.get("version"),
                    actor=request.user,
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, _("Saved: %(name)s") % {"name": instance})
                return HttpResponseRedirect(reverse("obstacles:time-limits"))
        return self.render_form(form, instance, status=400)


urlpatterns = [
    path("", ObstacleList.as_view(), name="obstacle-list"),
    path("new/", ObstacleRaise.as_view(), name="obstacle-raise"),
    path("bulk-group/", ObstacleBulkGroup.as_view(), name="obstacle-bulk-group"),
    path("project-options/", ProjectOptions.as_view(), name="project-options"),
    path("time-limits/", TimeLimitList.as_view(), name="time-limits"),
    path("time-limits/<str:category>/", TimeLimitEdit.as_view(), name="time-limit-edit"),
    path("<int:pk>/", ObstacleDetail.as_view(), name="obstacle-detail"),
    path("<int:pk>/step/<str:action>/", ObstacleStep.as_view(), name="obstacle-step"),
    path("<int:pk>/comment/", ObstacleComment.as_view(), name="obstacle-comment"),
    path("<int:pk>/attachments/", AttachmentUpload.as_view(), name="attachment-upload"),
    path("attachments/<int:pk>/", AttachmentDownload.as_view(), name="attachment-download"),
]
