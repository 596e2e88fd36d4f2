from django.db import models
from django.utils.translation import pgettext_lazy


class Stage(models.TextChoices):
    LEAD = "lead", pgettext_lazy("project stage", "Lead")
    NEGOTIATING = "negotiating", pgettext_lazy("project stage", "Negotiating")
    SIGNED = "signed", pgettext_lazy("project stage", "Signed")
    APPROVED = "approved", pgettext_lazy("project stage", "Approved (licensed)")
    UNDER_CONSTRUCTION = "under_construction", pgettext_lazy("project stage", "Under construction")
    COMPLETED = "completed", pgettext_lazy("project stage", "Completed")
    IN_OPERATION = "in_operation", pgettext_lazy("project stage", "In operation")
    PAUSED = "paused", pgettext_lazy("project stage", "Paused")
    DROPPED = "dropped", pgettext_lazy("project stage", "Dropped")


#: The pipeline in order; paused and dropped are side states outside it.
PIPELINE = (
    Stage.LEAD,
    Stage.NEGOTIATING,
    Stage.SIGNED,
    Stage.APPROVED,
    Stage.UNDER_CONSTRUCTION,
    Stage.COMPLETED,
    Stage.IN_OPERATION,
)
#: Stages whose projects report progress every dispatch period.
DISPATCH_STAGES = frozenset(
    {Stage.SIGNED, Stage.APPROVED, Stage.UNDER_CONSTRUCTION, Stage.COMPLETED}
)
#: Stages that carry no traffic light.
NO_LIGHT_STAGES = frozenset({Stage.PAUSED, Stage.DROPPED, Stage.IN_OPERATION})


class TaskForce(models.TextChoices):
    PROMOTION = "promotion", pgettext_lazy("task force", "Chain planning and investment promotion")
    CONSTRUCTION = "construction", pgettext_lazy("task force", "Project construction and operation")


class ProjectType(models.TextChoices):
    NEW = "new", pgettext_lazy("project type", "New investment")
    EXPANSION = "expansion", pgettext_lazy("project type", "Expansion")


class LeadSource(models.TextChoices):
    CHAIN_PROMOTION = "chain_promotion", pgettext_lazy("lead source", "Chain-based promotion")
    CONFERENCE = "conference", pgettext_lazy("lead source", "Investment conference")
    EXISTING_INVESTOR = "existing_investor", pgettext_lazy("lead source", "Existing investor")
    REFERRAL = "referral", pgettext_lazy("lead source", "Referral")
    TRADE_OFFICE = "trade_office", pgettext_lazy("lead source", "Embassy or trade office")
    INVESTOR_APPROACH = "investor_approach", pgettext_lazy("lead source", "Investor's own approach")
    OTHER = "other", pgettext_lazy("lead source", "Other")


class Light(models.TextChoices):
    GREEN = "green", pgettext_lazy("traffic light", "Green")
    YELLOW = "yellow", pgettext_lazy("traffic light", "Yellow")
    RED = "red", pgettext_lazy("traffic light", "Red")


LIGHT_SEVERITY = {Light.GREEN: 0, Light.YELLOW: 1, Light.RED: 2}


class CycleFrequency(models.TextChoices):
    WEEKLY = "weekly", pgettext_lazy("dispatch frequency", "Weekly")
    SEMIMONTHLY = "semimonthly", pgettext_lazy("dispatch frequency", "Twice a month")
    MONTHLY = "monthly", pgettext_lazy("dispatch frequency", "Monthly")


class PeriodStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("period status", "Open")
    CLOSED = "closed", pgettext_lazy("period status", "Closed")


class ReportStatus(models.TextChoices):
    DUE = "due", pgettext_lazy("report status", "Not submitted")
    SUBMITTED = "submitted", pgettext_lazy("report status", "Submitted")
    RETURNED = "returned", pgettext_lazy("report status", "Returned")
    ACCEPTED = "accepted", pgettext_lazy("report status", "Accepted")
