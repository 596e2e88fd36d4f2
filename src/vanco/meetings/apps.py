from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MeetingsConfig(AppConfig):
    name = "vanco.meetings"
    label = "meetings"
    verbose_name = _("Meetings and directives")

    def ready(self) -> None:
        from vanco.core import schedule

        # Flags directives past their due date and notifies their assignees and issuer.
        schedule.register("meetings_tick", every_minutes=60)
