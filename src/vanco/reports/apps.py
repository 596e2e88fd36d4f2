from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "vanco.reports"
    label = "reports"
    verbose_name = _("Bulletins and reports")

    def ready(self):
        from vanco.reports import checks  # noqa: F401 (registers the font check)
