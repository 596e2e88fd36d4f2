from django.db import models
from django.utils.translation import pgettext_lazy


class Category(models.TextChoices):
    LAND = "land", pgettext_lazy("obstacle category", "Land and site clearance")
    PLANNING = "planning", pgettext_lazy("obstacle category", "Planning")
    PERMITS = "permits", pgettext_lazy("obstacle category", "Permits and procedures")
    ENVIRONMENT = "environment", pgettext_lazy("obstacle category", "Environment")
    POWER = "power", pgettext_lazy("obstacle category", "Power")
    INFRASTRUCTURE = (
        "infrastructure",
        pgettext_lazy("obstacle category", "Water and infrastructure"),
    )
    FINANCE = "finance", pgettext_lazy("obstacle category", "Finance and credit")
    LABOUR = "labour", pgettext_lazy("obstacle category", "Labour")
    TAX_CUSTOMS = "tax_customs", pgettext_lazy("obstacle category", "Tax and customs")
    POLICY = "policy", pgettext_lazy("obstacle category", "Policy")
    OTHER = "other", pgettext_lazy("obstacle category", "Other")


#: Time limits (days from assignment) a new installation starts with; coordinators change them.
DEFAULT_TIME_LIMIT_DAYS = {
    Category.LAND: 30,
    Category.PLANNING: 20,
    Category.PERMITS: 15,
    Category.ENVIRONMENT: 20,
    Category.POWER: 10,
    Category.INFRASTRUCTURE: 15,
    Category.FINANCE: 15,
    Category.LABOUR: 10,
    Category.TAX_CUSTOMS: 10,
    Category.POLICY: 30,
    Category.OTHER: 15,
}


class Severity(models.TextChoices):
    LOW = "low", pgettext_lazy("obstacle severity", "Low")
    MEDIUM = "medium", pgettext_lazy("obstacle severity", "Medium")
    HIGH = "high", pgettext_lazy("obstacle severity", "High")
    CRITICAL = "critical", pgettext_lazy("obstacle severity", "Critical")


class Source(models.TextChoices):
    REPORT = "report", pgettext_lazy("obstacle source", "Progress report")
    VISIT = "visit", pgettext_lazy("obstacle source", "Visit")
    ENTERPRISE = "enterprise", pgettext_lazy("obstacle source", "Filed by the enterprise")
    OFFICIAL = "official", pgettext_lazy("obstacle source", "Entered by an official")
    DIRECTIVE = "directive", pgettext_lazy("obstacle source", "Directive")


class Status(models.TextChoices):
    SUBMITTED = "submitted", pgettext_lazy("obstacle status", "Submitted")
    ASSIGNED = "assigned", pgettext_lazy("obstacle status", "Assigned")
    ACCEPTED = "accepted", pgettext_lazy("obstacle status", "Accepted")
    IN_PROGRESS = "in_progress", pgettext_lazy("obstacle status", "In progress")
    RESOLVED = "resolved", pgettext_lazy("obstacle status", "Resolved, awaiting confirmation")
    CLOSED = "closed", pgettext_lazy("obstacle status", "Closed")
    REOPENED = "reopened", pgettext_lazy("obstacle status", "Reopened")


#: Statuses in which a department is working on the obstacle and its due date runs.
OPEN_STATUSES = frozenset({Status.ASSIGNED, Status.ACCEPTED, Status.IN_PROGRESS, Status.REOPENED})
#: Statuses that still need someone to act (not yet resolved or closed).
UNRESOLVED_STATUSES = OPEN_STATUSES | {Status.SUBMITTED}


class Level(models.IntegerChoices):
    NONE = 0, pgettext_lazy("escalation level", "Not escalated")
    DEPARTMENT = 1, pgettext_lazy("escalation level", "Department head")
    LEADER = 2, pgettext_lazy("escalation level", "Leader in charge")
    GROUP = 3, pgettext_lazy("escalation level", "Leading group")


class EventKind(models.TextChoices):
    CREATED = "created", pgettext_lazy("obstacle event", "Raised")
    ASSIGNED = "assigned", pgettext_lazy("obstacle event", "Assigned")
    HANDED_BACK = "handed_back", pgettext_lazy("obstacle event", "Handed back")
    ACCEPTED = "accepted", pgettext_lazy("obstacle event", "Accepted")
    STARTED = "started", pgettext_lazy("obstacle event", "Work started")
    RESOLVED = "resolved", pgettext_lazy("obstacle event", "Resolved")
    CLOSED = "closed", pgettext_lazy("obstacle event", "Confirmed and closed")
    REOPENED = "reopened", pgettext_lazy("obstacle event", "Reopened")
    DUE_CHANGED = "due_changed", pgettext_lazy("obstacle event", "Due date changed")
    ESCALATED = "escalated", pgettext_lazy("obstacle event", "Escalated")
    COMMENTED = "commented", pgettext_lazy("obstacle event", "Comment")
    GROUPED = "grouped", pgettext_lazy("obstacle event", "Added to a common problem")
    UNGROUPED = "ungrouped", pgettext_lazy("obstacle event", "Taken out of a common problem")


class ProblemStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("common problem status", "Open")
    IN_PROGRESS = "in_progress", pgettext_lazy("common problem status", "Policy in preparation")
    RESOLVED = "resolved", pgettext_lazy("common problem status", "Resolved by policy")
