from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProjectsConfig(AppConfig):
    name = "vanco.projects"
    label = "projects"
    verbose_name = _("Projects and dispatch")

    def ready(self) -> None:
        from vanco.core import schedule

        # Opens due periods and sends report reminders.
        schedule.register("dispatch_tick", every_minutes=60)
        # Registers the "projects" and "reports" kinds of `vanco import` / `vanco export`.
        from vanco.projects import imports  # noqa: F401
