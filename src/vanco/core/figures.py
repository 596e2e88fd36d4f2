"""Figures computed from many rows (metrics, coverage), kept in the cache under the reader's
scope, the question asked and the version of the data they come from.

The version is the latest `updated_at` of each table the figures read (one indexed MAX each):
every write through a service, a form or an import bumps it, so a changed row is seen at
once, while a figure asked again costs a few lookups instead of scanning the tables.
"""

import hashlib

from django.core.cache import cache
from django.db.models import Max

from vanco.core import access

#: How long figures may stay in the cache; their key changes with the data anyway.
TIMEOUT_SECONDS = 3600


def scope_key(user):
    """Whole-city readers see the same rows; anyone else's scope is theirs alone (it holds the
    rows they raised or follow themselves)."""
    scope = access.scope_for(user)
    if scope.whole_city:
        return "city"
    return (
        scope.user_id,
        sorted(scope.roles),
        scope.locality_paths,
        sorted(scope.department_ids),
        sorted(scope.enterprise_keys),
    )


def data_version(*models) -> tuple:
    return tuple(
        model._default_manager.aggregate(last=Max("updated_at"))["last"] for model in models
    )


def cached(name: str, user, question: tuple, models, compute):
    """`compute()` once per (reader's scope, question, data version); the value is pickled, so
    callers get their own copy to change."""
    raw = repr((name, scope_key(user), question, data_version(*models)))
    key = f"vanco:figures:{name}:" + hashlib.sha256(raw.encode()).hexdigest()
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, timeout=TIMEOUT_SECONDS)
    return value
