from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EnterprisesConfig(AppConfig):
    name = "vanco.enterprises"
    label = "enterprises"
    verbose_name = _("Enterprises")

    def ready(self) -> None:
        # Registers the "enterprises" and "pairings" kinds of `vanco import` / `vanco export`.
        from vanco.enterprises import imports, pairing_imports  # noqa: F401
