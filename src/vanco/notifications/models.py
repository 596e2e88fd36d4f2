"""In-app notifications: a short message to one user, with a link, read or not yet read.

The message is stored as a kind and parameters and put into words when shown, so each reader
gets it in their own language.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from vanco.core.access import ScopedManager


class Kind(models.TextChoices):
    REPORT_DUE = "report_due", gettext_lazy("Report due soon")
    REPORT_OVERDUE = "report_overdue", gettext_lazy("Report overdue")
    REPORT_RETURNED = "report_returned", gettext_lazy("Report returned")
    OBSTACLE_SUBMITTED = "obstacle_submitted", gettext_lazy("New obstacle to assign")
    OBSTACLE_ASSIGNED = "obstacle_assigned", gettext_lazy("Obstacle assigned")
    OBSTACLE_HANDED_BACK = "obstacle_handed_back", gettext_lazy("Obstacle handed back")
    OBSTACLE_ACCEPTED = "obstacle_accepted", gettext_lazy("Obstacle accepted")
    OBSTACLE_DUE_SOON = "obstacle_due_soon", gettext_lazy("Obstacle due soon")
    OBSTACLE_OVERDUE = "obstacle_overdue", gettext_lazy("Obstacle overdue")
    OBSTACLE_ESCALATED = "obstacle_escalated", gettext_lazy("Obstacle escalated")
    OBSTACLE_RESOLVED = "obstacle_resolved", gettext_lazy("Obstacle resolved, please confirm")
    OBSTACLE_REOPENED = "obstacle_reopened", gettext_lazy("Obstacle reopened")
    VISIT_DUE = "visit_due", gettext_lazy("Visit due")
    DIRECTIVE_ISSUED = "directive_issued", gettext_lazy("Directive assigned")
    DIRECTIVE_OVERDUE = "directive_overdue", gettext_lazy("Directive overdue")
    DIRECTIVE_DONE = "directive_done", gettext_lazy("Directive done")
    DIRECTIVE_REOPENED = "directive_reopened", gettext_lazy("Directive reopened")


class EmailMode(models.TextChoices):
    EACH = "each", gettext_lazy("An e-mail for each notification")
    DAILY = "daily", gettext_lazy("One daily digest e-mail")
    OFF = "off", gettext_lazy("No e-mail, in Vanco only")


_BLANK_PARAMS = dict.fromkeys(
    (
        "project",
        "period",
        "due_on",
        "comment",
        "obstacle",
        "department",
        "level",
        "enterprise",
        "frequency",
        "directive",
    ),
    "",
)


class Notification(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=gettext_lazy("user"),
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    kind = models.CharField(gettext_lazy("kind"), max_length=30, choices=Kind.choices)
    params = models.JSONField(gettext_lazy("parameters"), default=dict, blank=True)
    url = models.CharField(gettext_lazy("link"), max_length=300, blank=True)
    #: Same key, same user: one notification (a reminder is not sent twice the same day).
    key = models.CharField(max_length=120, blank=True)
    created_at = models.DateTimeField(gettext_lazy("created at"), auto_now_add=True)
    read_at = models.DateTimeField(gettext_lazy("read at"), null=True, blank=True)
    #: When it went out by e-mail (alone or in a digest); empty while it has not.
    emailed_at = models.DateTimeField(gettext_lazy("e-mailed at"), null=True, blank=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = gettext_lazy("notification")
        verbose_name_plural = gettext_lazy("notifications")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["user", "read_at"], name="notification_user_unread"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "key"],
                condition=~models.Q(key=""),
                name="notification_unique_key_per_user",
            ),
        ]

    def __str__(self) -> str:
        return self.message()

    def message(self) -> str:
        """The message in the active language."""
        texts = {
            Kind.REPORT_DUE: _(
                "Progress report for %(project)s (%(period)s) is due on %(due_on)s."
            ),
            Kind.REPORT_OVERDUE: _(
                "Progress report for %(project)s (%(period)s) is overdue since %(due_on)s."
            ),
            Kind.REPORT_RETURNED: _(
                "Your progress report for %(project)s (%(period)s) was returned: %(comment)s"
            ),
            Kind.OBSTACLE_SUBMITTED: _("New obstacle to assign: %(obstacle)s."),
            Kind.OBSTACLE_ASSIGNED: _(
                "Obstacle %(obstacle)s was assigned to %(department)s, due on %(due_on)s."
            ),
            Kind.OBSTACLE_HANDED_BACK: _(
                "%(department)s handed back obstacle %(obstacle)s: %(comment)s"
            ),
            Kind.OBSTACLE_ACCEPTED: _("%(department)s accepted obstacle %(obstacle)s."),
            Kind.OBSTACLE_DUE_SOON: _("Obstacle %(obstacle)s is due on %(due_on)s."),
            Kind.OBSTACLE_OVERDUE: _("Obstacle %(obstacle)s is overdue since %(due_on)s."),
            Kind.OBSTACLE_ESCALATED: _("Obstacle %(obstacle)s was escalated to: %(level)s."),
            Kind.OBSTACLE_RESOLVED: _(
                "Obstacle %(obstacle)s is resolved: confirm it and rate the result."
            ),
            Kind.OBSTACLE_REOPENED: _("Obstacle %(obstacle)s was reopened: %(comment)s"),
            Kind.VISIT_DUE: _("A visit to %(enterprise)s is due (agreed: %(frequency)s)."),
            Kind.DIRECTIVE_ISSUED: _(
                "New directive for your unit: %(directive)s, due on %(due_on)s."
            ),
            Kind.DIRECTIVE_OVERDUE: _("Directive %(directive)s is overdue since %(due_on)s."),
            Kind.DIRECTIVE_DONE: _("Directive %(directive)s was reported done."),
            Kind.DIRECTIVE_REOPENED: _(
                "Directive %(directive)s was reopened, due on %(due_on)s: %(comment)s"
            ),
        }
        template = texts.get(self.kind, "%(project)s")
        try:
            return template % {**_BLANK_PARAMS, **self.params, **self._translated_params()}
        except (TypeError, ValueError):
            return template

    def _translated_params(self) -> dict:
        """Parameters stored as codes, worded in the reader's language."""
        words = {}
        if "due_iso" in self.params:
            import datetime

            from django.utils import formats

            day = datetime.date.fromisoformat(self.params["due_iso"])
            words["due_on"] = formats.date_format(day, "SHORT_DATE_FORMAT")
        if "level_code" in self.params:
            from vanco.obstacles.enums import Level

            words["level"] = str(Level(self.params["level_code"]).label)
        if "frequency_code" in self.params:
            from vanco.enterprises.enums import VisitFrequency

            words["frequency"] = str(VisitFrequency(self.params["frequency_code"]).label).lower()
        return words


class Preference(models.Model):
    """How a user wants their notifications by e-mail (in-app ones always arrive)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=gettext_lazy("user"),
        on_delete=models.CASCADE,
        related_name="notification_preference",
    )
    email = models.CharField(
        gettext_lazy("e-mail"), max_length=8, choices=EmailMode.choices, default=EmailMode.EACH
    )
    version = models.PositiveIntegerField(gettext_lazy("version"), default=1, editable=False)
    #: The day the last digest went out: at most one a day, however often the scheduler runs.
    digest_sent_on = models.DateField(null=True, blank=True, editable=False)

    objects = ScopedManager()

    class Meta:
        verbose_name = gettext_lazy("notification preference")
        verbose_name_plural = gettext_lazy("notification preferences")

    def __str__(self) -> str:
        return str(self.get_email_display())
