from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "vanco.reports"
    label = "reports"
    verbose_name = _("Bulletins and reports")

    def ready(self):
        from vanco.core import schedule
        from vanco.reports import checks  # noqa: F401 (registers the font check)

        # Reports left "running" by a worker that died become failed.
        schedule.register("reports_tick", every_minutes=60)
