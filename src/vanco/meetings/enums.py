from django.db import models
from django.utils.translation import pgettext_lazy


class MeetingKind(models.TextChoices):
    LEADING_GROUP = "leading_group", pgettext_lazy("meeting kind", "Leading group meeting")
    DISPATCH = "dispatch", pgettext_lazy("meeting kind", "Dispatch meeting")
    TASK_FORCE_1 = "task_force_1", pgettext_lazy("meeting kind", "Task force 1 meeting")
    TASK_FORCE_2 = "task_force_2", pgettext_lazy("meeting kind", "Task force 2 meeting")


class MeetingStatus(models.TextChoices):
    PLANNED = "planned", pgettext_lazy("meeting status", "Planned")
    HELD = "held", pgettext_lazy("meeting status", "Held")


class AgendaSource(models.TextChoices):
    RED_PROJECT = "red_project", pgettext_lazy("agenda source", "Red project")
    ESCALATED_OBSTACLE = "escalated_obstacle", pgettext_lazy("agenda source", "Escalated obstacle")
    OVERDUE_DIRECTIVE = "overdue_directive", pgettext_lazy("agenda source", "Overdue directive")
    OTHER = "other", pgettext_lazy("agenda source", "Other")


class DirectiveStatus(models.TextChoices):
    ISSUED = "issued", pgettext_lazy("directive status", "Issued")
    ACKNOWLEDGED = "acknowledged", pgettext_lazy("directive status", "Acknowledged")
    IN_PROGRESS = "in_progress", pgettext_lazy("directive status", "In progress")
    DONE = "done", pgettext_lazy("directive status", "Done")


#: Statuses in which a directive still has to be carried out (its due date runs).
OPEN_STATUSES = frozenset(
    {DirectiveStatus.ISSUED, DirectiveStatus.ACKNOWLEDGED, DirectiveStatus.IN_PROGRESS}
)


class UpdateKind(models.TextChoices):
    ISSUED = "issued", pgettext_lazy("directive event", "Issued")
    ACKNOWLEDGED = "acknowledged", pgettext_lazy("directive event", "Acknowledged")
    STARTED = "started", pgettext_lazy("directive event", "Work started")
    PROGRESS = "progress", pgettext_lazy("directive event", "Progress update")
    DONE = "done", pgettext_lazy("directive event", "Done")
    REOPENED = "reopened", pgettext_lazy("directive event", "Reopened")
    OVERDUE = "overdue", pgettext_lazy("directive event", "Overdue")
    DUE_CHANGED = "due_changed", pgettext_lazy("directive event", "Due date changed")
    COMMENT = "comment", pgettext_lazy("directive event", "Comment")
