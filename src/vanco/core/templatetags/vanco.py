import datetime

from django import template
from django.http import QueryDict
from django.utils import formats, timezone
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

register = template.Library()


@register.simple_tag
def sort_url(querystring: str, current: str, key: str) -> str:
    query = QueryDict(querystring, mutable=True)
    query["sort"] = f"-{key}" if current == key else key
    return "?" + query.urlencode()


@register.simple_tag
def sort_state(current: str, key: str) -> str:
    if current == key:
        return "ascending"
    if current == f"-{key}":
        return "descending"
    return "none"


@register.simple_tag
def page_url(querystring: str, number: int) -> str:
    query = QueryDict(querystring, mutable=True)
    query["page"] = str(number)
    return "?" + query.urlencode()


@register.simple_tag
def export_url(querystring: str) -> str:
    query = QueryDict(querystring, mutable=True)
    query["export"] = "xlsx"
    return "?" + query.urlencode()


@register.filter
def cell(value):
    if value is None or value == "":
        return mark_safe('<span class="text-body-tertiary">—</span>')
    if value is True:
        return format_html(
            '<i class="bi bi-check-circle-fill text-success" aria-hidden="true"></i> {}', _("Yes")
        )
    if value is False:
        return format_html(
            '<i class="bi bi-dash-circle text-secondary" aria-hidden="true"></i> {}', _("No")
        )
    if isinstance(value, datetime.datetime):
        local = timezone.localtime(value) if timezone.is_aware(value) else value
        return format_html(
            '<time datetime="{}">{}</time>',
            local.isoformat(),
            formats.date_format(local, "SHORT_DATETIME_FORMAT"),
        )
    if isinstance(value, datetime.date):
        return formats.date_format(value, "SHORT_DATE_FORMAT")
    if isinstance(value, (int, float)):
        return formats.number_format(value, use_l10n=True, force_grouping=True)
    return value
