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
        }
        template = texts.get(self.kind, "%(project)s")
        try:
            return template % {
                "project": "",
                "period": "",
                "due_on": "",
                "comment": "",
                **self.params,
            }
        except (TypeError, ValueError):
            return template
