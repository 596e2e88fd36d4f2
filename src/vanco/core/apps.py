from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "vanco.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self) -> None:
        from vanco.core import audit, checks  # noqa: F401  (signal receivers, system checks)

        audit.register_domain_models()

        from vanco.core import schedule

        # Removes uploaded import files (and unapplied jobs) older than a day.
        schedule.register("expire_import_jobs", every_minutes=60)
