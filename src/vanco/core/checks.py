"""System checks: fail `vanco check` when a model escapes access control or audit."""

from auditlog.registry import auditlog
from django.apps import apps
from django.core import checks

from vanco.core.access import RULES
from vanco.core.audit import _AUDITED_APPS, register_domain_models


@checks.register()
def every_domain_model_is_scoped_and_audited(app_configs, **kwargs):
    register_domain_models()
    errors = []
    for app_label in _AUDITED_APPS:
        for model in apps.get_app_config(app_label).get_models():
            label = model._meta.label_lower
            if label not in RULES:
                errors.append(
                    checks.Error(f"{label} has no access rule", id="vanco.E001", obj=model)
                )
            if not auditlog.contains(model):
                errors.append(checks.Error(f"{label} is not audited", id="vanco.E002", obj=model))
    return errors
