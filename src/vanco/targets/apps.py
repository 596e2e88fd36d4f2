from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TargetsConfig(AppConfig):
    name = "vanco.targets"
    label = "targets"
    verbose_name = _("Targets and ranking")

    def ready(self) -> None:
        # Registers the "targets" kind of the Excel import / export.
        from vanco.targets import imports  # noqa: F401
