"""Meeting and directive pages: lists, the meeting with its agenda (edited through htmx), the
directive with its timeline and steps, the issue form and the assignees' inbox."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.http import Http404, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView, View

from vanco.core import access
from vanco.core import uploads as files
from vanco.core.tables import Column, display
from vanco.core.text import fold
from vanco.core.views import FormPage, ListPage, ScopedMixin, SearchOptions
from vanco.meetings import services
from vanco.meetings.enums import DirectiveStatus
from vanco.meetings.filters import DirectiveFilter, MeetingFilter
from vanco.meetings.forms import (
    AgendaItemForm,
    AttachmentForm,
    CompleteForm,
    DecisionForm,
    DirectiveForm,
    DueForm,
    MeetingCreateForm,
    MeetingForm,
    MinutesForm,
    NoteStepForm,
    ObstacleFromDirectiveForm,
    ProgressForm,
    ReasonForm,
)
from vanco.meetings.models import (
    AgendaItem,
    Directive,
    DirectiveUpdate,
    Meeting,
    MeetingAttachment,
)
from vanco.obstacles.models import Obstacle
from vanco.projects.models import Project

# --- meetings -------------------------------------------------------------------------------


MEETING_COLUMNS = [
    Column("starts_at", gettext_lazy("Date and time"), sort="starts_at", nowrap=True),
    Column("title", gettext_lazy("Title"), sort="title", link=True),
    Column("kind", gettext_lazy("Kind"), value=lambda m: display(m, "kind"), sort="kind"),
    Column("location", gettext_lazy("Location"), classes="d-none d-md-table-cell"),
    Column("chair", gettext_lazy("Chair"), classes="d-none d-md-table-cell"),
    Column("status", gettext_lazy("Status"), value=lambda m: display(m, "status"), sort="status"),
]


class MeetingList(ListPage):
    model = Meeting
    title = gettext_lazy("Meetings")
    filterset_class = MeetingFilter
    columns = MEETING_COLUMNS
    select_related = ("chair",)
    default_sort = "-starts_at"
    create_url_name = "meetings:meeting-create"
    create_action = "meetings.manage"
    export_name = "meetings"
    empty_message = gettext_lazy(
        "No meeting matches these filters. The coordinator prepares the next one with “Add”."
    )


class MeetingCreate(ScopedMixin, TemplateView):
    template_name = "meetings/meeting_form.html"
    required_action = "meetings.manage"

    def render_form(self, form, status=200):
        return render(
            self.request,
            self.template_name,
            {
                "form": form,
                "title": _("Prepare a meeting"),
                "red_left_out": services.red_projects_left_out(actor=self.request.user),
                "red_list_url": reverse("projects:project-list") + "?light=red",
            },
            status=status,
        )

    def proposals(self):
        return services.propose_agenda(actor=self.request.user)

    def get(self, request, *args, **kwargs):
        return self.render_form(MeetingCreateForm(user=request.user, proposals=self.proposals()))

    def post(self, request, *args, **kwargs):
        form = MeetingCreateForm(data=request.POST, user=request.user, proposals=self.proposals())
        if form.is_valid():
            data = form.cleaned_data
            try:
                meeting = services.create_meeting(
                    actor=request.user,
                    data=data,
                    proposals=form.ticked(),
                    attendees=list(data.get("attendees") or []),
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, _("Meeting prepared: %(name)s") % {"name": meeting})
                return HttpResponseRedirect(meeting.get_absolute_url())
        return self.render_form(form, status=400)


class MeetingEdit(FormPage):
    model = Meeting
    form_class = MeetingForm
    action = "meetings.manage"
    template_name = "core/form.html"


def _meeting_context(user, meeting: Meeting) -> dict:
    can_manage = access.can(user, "meetings.manage") and (
        Meeting.objects.editable_by(user).filter(pk=meeting.pk).exists()
    )
    agenda = list(
        AgendaItem.objects.visible_to(user)
        .filter(meeting=meeting)
        .select_related("project", "obstacle", "directive")
        .order_by("position", "pk")
    )
    return {
        "object": meeting,
        "agenda": agenda,
        "can_manage": can_manage,
        "agenda_form": AgendaItemForm(),
    }


class MeetingDetail(ScopedMixin, TemplateView):
    model = Meeting
    template_name = "meetings/meeting_detail.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        meeting = get_object_or_404(
            Meeting.objects.visible_to(user).select_related("chair"), pk=self.kwargs["pk"]
        )
        context = super().get_context_data(**kwargs)
        context.update(_meeting_context(user, meeting))
        context.update(
            title=meeting.title,
            attendees=list(meeting.attendees.order_by("full_name")),
            attachments=list(
                MeetingAttachment.objects.visible_to(user)
                .filter(meeting=meeting)
                .select_related("uploaded_by")[:50]
            ),
            directives=list(
                Directive.objects.visible_to(user)
                .filter(meeting=meeting)
                .select_related("issued_by")
                .order_by("pk")[:100]
            ),
            minutes_form=MinutesForm(
                initial={"minutes": meeting.minutes, "version": meeting.version}
            ),
            attachment_form=AttachmentForm(),
            can_issue=access.can(user, "directives.issue"),
        )
        return context


def _agenda_response(request, meeting_pk: int):
    """The agenda card alone for htmx, the meeting page otherwise."""
    meeting = get_object_or_404(Meeting.objects.visible_to(request.user), pk=meeting_pk)
    if request.htmx:
        return render(
            request,
            "meetings/meeting_detail.html#agenda",
            _meeting_context(request.user, meeting),
        )
    return HttpResponseRedirect(meeting.get_absolute_url() + "#agenda")


class AgendaAdd(ScopedMixin, View):
    http_method_names = ["post"]

    def post(self, request, pk):
        get_object_or_404(Meeting.objects.visible_to(request.user), pk=pk)
        access.require(request.user, "meetings.manage")
        form = AgendaItemForm(data=request.POST)
        if form.is_valid():
            try:
                services.add_agenda_item(
                    actor=request.user,
                    meeting=pk,
                    title=form.cleaned_data["title"],
                    notes=form.cleaned_data["notes"],
                )
            except ValidationError as error:
                messages.error(request, " ".join(error.messages))
        else:
            messages.error(request, _("Give the item a title."))
        return _agenda_response(request, pk)


class AgendaItemAction(ScopedMixin, View):
    """POST: move an item up or down, or remove it."""

    http_method_names = ["post"]

    def post(self, request, pk, action):
        item = get_object_or_404(AgendaItem.objects.visible_to(request.user), pk=pk)
        meeting_pk = item.meeting_id
        if action == "up":
            services.move_agenda_item(actor=request.user, item=item, offset=-1)
        elif action == "down":
            services.move_agenda_item(actor=request.user, item=item, offset=1)
        elif action == "remove":
            services.remove_agenda_item(actor=request.user, item=item)
        else:
            raise Http404("action")
        return _agenda_response(request, meeting_pk)


class AgendaDecision(ScopedMixin, View):
    template_name = "meetings/agenda_decision.html"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.item = get_object_or_404(
            AgendaItem.objects.visible_to(request.user).select_related("meeting"), pk=kwargs["pk"]
        )
        if not access.can(request.user, "meetings.manage"):
            raise PermissionDenied("meetings.manage")
        return super().dispatch(request, *args, **kwargs)

    def render_form(self, form, status=200):
        template = self.template_name + ("#dialog" if self.request.htmx else "")
        return render(
            self.request,
            template,
            {"form": form, "object": self.item, "title": _("Decision")},
            status=status,
        )

    def get(self, request, pk):
        item = self.item
        initial = {"decision": item.decision, "notes": item.notes, "version": item.version}
        return self.render_form(DecisionForm(initial=initial))

    def post(self, request, pk):
        form = DecisionForm(data=request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.record_decision(
                    actor=request.user,
                    item=self.item,
                    decision=data["decision"],
                    notes=data["notes"],
                    expected_version=data["version"],
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, _("Decision recorded."))
                return HttpResponseRedirect(self.item.meeting.get_absolute_url() + "#agenda")
        return self.render_form(form, status=400)


class MeetingMinutes(ScopedMixin, View):
    http_method_names = ["post"]

    def post(self, request, pk):
        meeting = get_object_or_404(Meeting.objects.visible_to(request.user), pk=pk)
        access.require(request.user, "meetings.manage")
        form = MinutesForm(data=request.POST)
        if form.is_valid():
            try:
                services.record_minutes(
                    actor=request.user,
                    meeting=meeting,
                    minutes=form.cleaned_data["minutes"],
                    expected_version=form.cleaned_data["version"],
                )
            except ValidationError as error:
                messages.error(request, " ".join(error.messages))
            else:
                messages.success(request, _("Minutes saved."))
        else:
            messages.error(request, _("The form is incomplete; reload the page."))
        return HttpResponseRedirect(meeting.get_absolute_url() + "#minutes")


class MeetingHeld(ScopedMixin, View):
    http_method_names = ["post"]

    def post(self, request, pk):
        meeting = get_object_or_404(Meeting.objects.visible_to(request.user), pk=pk)
        access.require(request.user, "meetings.manage")
        try:
            raw = request.POST.get("version", "")
            services.mark_held(
                actor=request.user,
                meeting=meeting,
                expected_version=int(raw) if raw.isdigit() else None,
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Meeting marked held."))
        return HttpResponseRedirect(meeting.get_absolute_url())


class MeetingAttachmentUpload(ScopedMixin, View):
    http_method_names = ["post"]

    def post(self, request, pk):
        meeting = get_object_or_404(Meeting.objects.visible_to(request.user), pk=pk)
        access.require(request.user, "meetings.manage")
        form = AttachmentForm(data=request.POST, files=request.FILES)
        if not form.is_valid():
            messages.error(request, _("Choose a file to attach."))
        else:
            try:
                services.add_meeting_attachment(
                    actor=request.user, meeting=meeting, uploaded_file=form.cleaned_data["file"]
                )
            except ValidationError as error:
                messages.error(request, " ".join(error.messages))
            else:
                messages.success(request, _("File attached."))
        return HttpResponseRedirect(meeting.get_absolute_url() + "#attachments")


class MeetingAttachmentDownload(ScopedMixin, View):
    http_method_names = ["get"]

    def get(self, request, pk):
        attachment = get_object_or_404(MeetingAttachment.objects.visible_to(request.user), pk=pk)
        return files.download_response(attachment)


# --- directives -----------------------------------------------------------------------------


STATUS_LOOKS = {
    DirectiveStatus.ISSUED: ("bi-envelope", "text-primary"),
    DirectiveStatus.ACKNOWLEDGED: ("bi-hand-thumbs-up", "text-info-emphasis"),
    DirectiveStatus.IN_PROGRESS: ("bi-play-circle", "text-warning-emphasis"),
    DirectiveStatus.DONE: ("bi-check-circle-fill", "text-success"),
}


def _assignees(directive) -> str:
    names = [d.name for d in directive.departments.all()]
    names += [loc.name for loc in directive.localities.all()]
    return ", ".join(names)


def _status_words(directive) -> str:
    words = directive.get_status_display()
    if directive.is_overdue and directive.status != DirectiveStatus.DONE:
        words = _("%(status)s, overdue") % {"status": words}
    return words


DIRECTIVE_COLUMNS = [
    Column("number", gettext_lazy("No."), sort="pk", nowrap=True),
    Column("title", gettext_lazy("Title"), sort="title", link=True),
    Column(
        "assignees",
        gettext_lazy("Assigned to"),
        value=_assignees,
        classes="d-none d-md-table-cell",
    ),
    Column("issued_by", gettext_lazy("Issued by"), classes="d-none d-lg-table-cell"),
    # Hidden below `sm`: at 360 px the status must keep its room (the word says "overdue").
    Column(
        "due_on",
        gettext_lazy("Due date"),
        sort="due_on",
        nowrap=True,
        classes="d-none d-sm-table-cell",
    ),
    Column("status", gettext_lazy("Status"), value=_status_words, sort="status"),
]


class DirectiveList(ListPage):
    model = Directive
    template_name = "meetings/directive_list.html"
    title = gettext_lazy("Directives")
    filterset_class = DirectiveFilter
    columns = DIRECTIVE_COLUMNS
    select_related = ("issued_by",)
    default_sort = "-issued_at"
    create_url_name = "meetings:directive-issue"
    create_action = "directives.issue"
    export_name = "directives"
    empty_message = gettext_lazy(
        "No directive matches these filters. Leaders issue directives with “Add”, or from a "
        "meeting."
    )
    inbox = False

    def base_queryset(self):
        return super().base_queryset().prefetch_related("departments", "localities")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["rows"] = [(obj, cells, STATUS_LOOKS[obj.status]) for obj, cells in context["rows"]]
        context["inbox"] = self.inbox
        context["can_inbox"] = access.can(self.request.user, "directives.work")
        if self.inbox:
            counts = (
                self.base_queryset()
                .order_by()
                .aggregate(
                    new=Count("pk", filter=Q(status=DirectiveStatus.ISSUED)),
                    in_progress=Count(
                        "pk",
                        filter=Q(
                            status__in=[DirectiveStatus.ACKNOWLEDGED, DirectiveStatus.IN_PROGRESS]
                        ),
                    ),
                    overdue=Count(
                        "pk", filter=Q(is_overdue=True) & ~Q(status=DirectiveStatus.DONE)
                    ),
                )
            )
            context["inbox_counts"] = counts
        return context


class DirectiveInbox(DirectiveList):
    """“My directives”: what the officer's department or locality has to carry out (every
    directive a department or locality officer sees is one assigned to their unit)."""

    title = gettext_lazy("My directives")
    required_action = "directives.work"
    default_sort = "due_on"
    inbox = True
    empty_message = gettext_lazy("No directive for your unit. New ones appear here when issued.")

    def base_queryset(self):
        return super().base_queryset().exclude(status=DirectiveStatus.DONE)


ACTION_LABELS = {
    "acknowledge": gettext_lazy("Acknowledge"),
    "start": gettext_lazy("Start work"),
    "progress": gettext_lazy("Report progress"),
    "complete": gettext_lazy("Report done"),
    "reopen": gettext_lazy("Reopen"),
    "due": gettext_lazy("Change due date"),
    "obstacle": gettext_lazy("Raise an obstacle"),
}
ACTION_ICONS = {
    "acknowledge": "bi-hand-thumbs-up",
    "start": "bi-play-fill",
    "progress": "bi-graph-up-arrow",
    "complete": "bi-check2-circle",
    "reopen": "bi-arrow-counterclockwise",
    "due": "bi-calendar-event",
    "obstacle": "bi-exclamation-octagon",
}


def _visible_directive(user, pk):
    qs = Directive.objects.visible_to(user).select_related("issued_by", "meeting")
    return get_object_or_404(qs, pk=pk)


def _actions(user, directive, *, sees_a_project: bool | None = None) -> list[str]:
    actions = services.allowed_actions(actor=user, directive=directive)
    if _may_raise_obstacle(user, directive, sees_a_project=sees_a_project):
        actions.append("obstacle")
    return actions


def _is_step_allowed(user, directive, action: str) -> bool:
    """Whether `action` is one of the user's steps (the costlier obstacle check only for it)."""
    if action == "obstacle":
        return _may_raise_obstacle(user, directive)
    return action in services.allowed_actions(actor=user, directive=directive)


def _may_raise_obstacle(user, directive, *, sees_a_project: bool | None = None) -> bool:
    """An assignee or the issuer may raise an obstacle about one of the directive's projects
    they see (`sees_a_project` when the caller already knows)."""
    if not (
        access.can(user, "obstacles.raise")
        and directive.status != DirectiveStatus.DONE
        and (services.is_assignee(user, directive) or services.is_issuer(user, directive))
    ):
        return False
    if sees_a_project is None:
        sees_a_project = Project.objects.visible_to(user).filter(directives=directive).exists()
    return sees_a_project


TIMELINE_LIMIT = 100


class DirectiveDetail(ScopedMixin, TemplateView):
    model = Directive
    template_name = "meetings/directive_detail.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        directive = _visible_directive(user, self.kwargs["pk"])
        updates = DirectiveUpdate.objects.visible_to(user).filter(directive=directive)
        total = updates.count()
        shown = list(updates.select_related("actor").order_by("-at", "-pk")[:TIMELINE_LIMIT])[::-1]
        projects = list(
            Project.objects.visible_to(user).filter(directives=directive).order_by("name")
        )
        context = super().get_context_data(**kwargs)
        context.update(
            object=directive,
            title=str(directive),
            look=STATUS_LOOKS[directive.status],
            status_words=_status_words(directive),
            departments=list(directive.departments.all()),
            localities=list(directive.localities.all()),
            projects=projects,
            obstacles=list(
                Obstacle.objects.visible_to(user).filter(directives=directive).order_by("pk")
            ),
            meeting_visible=directive.meeting_id is not None
            and Meeting.objects.visible_to(user).filter(pk=directive.meeting_id).exists(),
            updates=shown,
            updates_hidden=total - len(shown),
            actions=[
                (n, ACTION_LABELS[n], ACTION_ICONS[n])
                for n in _actions(user, directive, sees_a_project=bool(projects))
            ],
            can_comment=services.is_assignee(user, directive)
            or services.is_issuer(user, directive),
            today=timezone.localdate(),
        )
        return context


def _run_step(action, user, directive, data, files_):
    version = data.get("version")
    if action == "acknowledge":
        services.acknowledge_directive(
            actor=user, directive=directive, note=data["note"], expected_version=version
        )
    elif action == "start":
        services.start_directive(
            actor=user, directive=directive, note=data["note"], expected_version=version
        )
    elif action == "progress":
        services.report_progress(
            actor=user,
            directive=directive,
            note=data["note"],
            uploaded_file=data.get("file"),
            expected_version=version,
        )
    elif action == "complete":
        services.complete_directive(
            actor=user,
            directive=directive,
            evidence=data["evidence"],
            uploaded_file=data.get("file"),
            expected_version=version,
        )
    elif action == "reopen":
        services.reopen_directive(
            actor=user, directive=directive, reason=data["reason"], expected_version=version
        )
    elif action == "due":
        services.change_due_date(
            actor=user,
            directive=directive,
            due_on=data["due_on"],
            reason=data["reason"],
            expected_version=version,
        )
    elif action == "obstacle":
        return services.raise_obstacle_from_directive(
            actor=user,
            directive=directive,
            data={k: data[k] for k in ("title", "description", "category", "project")},
        )
    return None


STEP_FORMS = {
    "acknowledge": NoteStepForm,
    "start": NoteStepForm,
    "progress": ProgressForm,
    "complete": CompleteForm,
    "reopen": ReasonForm,
    "due": DueForm,
    "obstacle": ObstacleFromDirectiveForm,
}


def _add_errors(form, error: ValidationError) -> None:
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for key, errors in error.error_dict.items():
        form.add_error(key if key in form.fields else None, errors)


class DirectiveStep(ScopedMixin, View):
    """GET: the small form of one step (a modal through htmx, a page without JavaScript);
    POST: the step through its service."""

    template_name = "meetings/directive_step.html"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        if kwargs["action"] not in STEP_FORMS:
            raise Http404("step")
        self.directive = _visible_directive(request.user, kwargs["pk"])
        self.action = kwargs["action"]
        if not _is_step_allowed(request.user, self.directive, self.action):
            raise PermissionDenied(self.action)
        return super().dispatch(request, *args, **kwargs)

    def make_form(self, data=None, files_=None):
        form_class = STEP_FORMS[self.action]
        kwargs = {"directive": self.directive}
        if form_class is ObstacleFromDirectiveForm:
            kwargs["user"] = self.request.user
        return form_class(data=data, files=files_, **kwargs)

    def render_form(self, form, status=200):
        template = self.template_name + ("#dialog" if self.request.htmx else "")
        return render(
            self.request,
            template,
            {
                "form": form,
                "object": self.directive,
                "action": self.action,
                "title": ACTION_LABELS[self.action],
            },
            status=status,
        )

    def get(self, request, pk, action):
        return self.render_form(self.make_form())

    def post(self, request, pk, action):
        form = self.make_form(request.POST, request.FILES)
        if form.is_valid():
            try:
                result = _run_step(action, request.user, self.directive, form.cleaned_data, None)
            except ValidationError as error:
                _add_errors(form, error)
            else:
                messages.success(
                    request,
                    _("Done: %(step)s — %(name)s")
                    % {"step": ACTION_LABELS[action], "name": self.directive.number},
                )
                if isinstance(result, Obstacle):
                    return HttpResponseRedirect(result.get_absolute_url())
                return HttpResponseRedirect(self.directive.get_absolute_url())
        return self.render_form(form, status=400)


class DirectiveComment(ScopedMixin, View):
    http_method_names = ["post"]

    def post(self, request, pk):
        directive = _visible_directive(request.user, pk)
        try:
            services.comment_directive(
                actor=request.user, directive=directive, note=request.POST.get("note", "")
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Comment added."))
        return HttpResponseRedirect(directive.get_absolute_url() + "#timeline")


class UpdateFileDownload(ScopedMixin, View):
    http_method_names = ["get"]

    def get(self, request, pk):
        update = get_object_or_404(
            DirectiveUpdate.objects.visible_to(request.user).exclude(file=""), pk=pk
        )
        return files.download_response(update)


class DirectiveIssue(ScopedMixin, TemplateView):
    template_name = "meetings/directive_form.html"
    required_action = "directives.issue"

    def dispatch(self, request, *args, **kwargs):
        self.meeting = None
        if request.user.is_authenticated:
            raw = request.GET.get("meeting") or request.POST.get("meeting")
            if raw:
                if not str(raw).isdigit():
                    raise Http404("meeting")
                self.meeting = get_object_or_404(Meeting.objects.visible_to(request.user), pk=raw)
        return super().dispatch(request, *args, **kwargs)

    def render_form(self, form, status=200):
        return render(
            self.request,
            self.template_name,
            {"form": form, "meeting": self.meeting, "title": _("Issue a directive")},
            status=status,
        )

    def get(self, request, *args, **kwargs):
        return self.render_form(DirectiveForm(user=request.user))

    def post(self, request, *args, **kwargs):
        form = DirectiveForm(data=request.POST, user=request.user)
        if form.is_valid():
            data = form.cleaned_data
            try:
                directive = services.issue_directive(
                    actor=request.user,
                    data=data,
                    departments=list(data["departments"]),
                    localities=list(data["localities"]),
                    projects=list(data["projects"]),
                    obstacles=list(data["obstacles"]),
                    meeting=self.meeting,
                    issued_by=data.get("issued_by"),
                )
            except ValidationError as error:
                _add_errors(form, error)
            else:
                messages.success(
                    request, _("Directive %(number)s issued.") % {"number": directive.number}
                )
                return HttpResponseRedirect(directive.get_absolute_url())
        return self.render_form(form, status=400)


class ProjectOptions(SearchOptions):
    model = Project
    key_field = "code"


class ObstacleOptions(ScopedMixin, View):
    """Choices of an obstacle for the issue form, by its title."""

    model = Obstacle
    http_method_names = ["get"]

    def get(self, request):
        term = fold(request.GET.get("q", ""))[:100]
        options = []
        if len(term) >= 2:
            matches = (
                self.visible_queryset()
                .filter(search_text__contains=term)
                .order_by("-raised_at", "pk")
                .values_list("pk", "title")[:20]
            )
            options = [{"value": pk, "text": f"VM-{pk} {title}"} for pk, title in matches]
        return JsonResponse({"results": options})


urlpatterns = [
    path("", MeetingList.as_view(), name="meeting-list"),
    path("new/", MeetingCreate.as_view(), name="meeting-create"),
    path("<int:pk>/", MeetingDetail.as_view(), name="meeting-detail"),
    path("<int:pk>/edit/", MeetingEdit.as_view(), name="meeting-edit"),
    path("<int:pk>/minutes/", MeetingMinutes.as_view(), name="meeting-minutes"),
    path("<int:pk>/held/", MeetingHeld.as_view(), name="meeting-held"),
    path("<int:pk>/agenda/", AgendaAdd.as_view(), name="agenda-add"),
    path("<int:pk>/attachments/", MeetingAttachmentUpload.as_view(), name="attachment-upload"),
    path("agenda/<int:pk>/decision/", AgendaDecision.as_view(), name="agenda-decision"),
    path("agenda/<int:pk>/<str:action>/", AgendaItemAction.as_view(), name="agenda-item"),
    path("attachments/<int:pk>/", MeetingAttachmentDownload.as_view(), name="attachment-download"),
    path("directives/", DirectiveList.as_view(), name="directive-list"),
    path("directives/mine/", DirectiveInbox.as_view(), name="directive-inbox"),
    path("directives/new/", DirectiveIssue.as_view(), name="directive-issue"),
    path("directives/project-options/", ProjectOptions.as_view(), name="project-options"),
    path("directives/obstacle-options/", ObstacleOptions.as_view(), name="obstacle-options"),
    path("directives/<int:pk>/", DirectiveDetail.as_view(), name="directive-detail"),
    path("directives/<int:pk>/step/<str:action>/", DirectiveStep.as_view(), name="directive-step"),
    path("directives/<int:pk>/comment/", DirectiveComment.as_view(), name="directive-comment"),
    path("directives/files/<int:pk>/", UpdateFileDownload.as_view(), name="update-file"),
]
