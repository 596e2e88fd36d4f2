from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ObstaclesConfig(AppConfig):
    name = "vanco.obstacles"
    label = "obstacles"
    verbose_name = _("Obstacles")

    def ready(self) -> None:
        from vanco.core import schedule

        # Escalates overdue obstacles and sends the day's reminders and digests.
        schedule.register("obstacles_tick", every_minutes=60)
