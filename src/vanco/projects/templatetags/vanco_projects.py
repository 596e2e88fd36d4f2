"""Template helpers of the project pages: traffic lights that explain themselves, money amounts."""

from decimal import Decimal, InvalidOperation

from django import template
from django.conf import settings
from django.utils import formats
from django.utils.html import format_html, format_html_join
from django.utils.translation import pgettext

from vanco.projects.enums import Light
from vanco.projects.lights import reasons_text

register = template.Library()

LIGHT_STYLE = {
    Light.GREEN: ("success", "check-circle-fill"),
    Light.YELLOW: ("warning", "exclamation-triangle-fill"),
    Light.RED: ("danger", "x-octagon-fill"),
}


def money_unit() -> str:
    unit = settings.VANCO_MONEY_UNIT
    if unit == "trieu_dong":
        return pgettext("money unit", "million VND")
    if unit == "wan_yuan":
        return pgettext("money unit", "ten thousand yuan")
    return pgettext("money unit", "billion VND")


def format_amount(value, places: int = 3) -> str:
    """Thousands grouped and the decimal separator of the active language; trailing zeros off."""
    if value is None or value == "":
        return ""
    try:
        number = Decimal(value)
    except (InvalidOperation, TypeError, ValueError):
        return str(value)
    number = round(number, places)
    sign = "-" if number < 0 else ""
    text = f"{abs(number):.{places}f}"
    whole, _, fraction = text.partition(".")
    fraction = fraction.rstrip("0")
    thousands = formats.get_format("THOUSAND_SEPARATOR") or ","
    decimal_sep = formats.get_format("DECIMAL_SEPARATOR") or "."
    groups = []
    while len(whole) > 3:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    groups.insert(0, whole)
    result = sign + thousands.join(groups)
    if fraction:
        result += decimal_sep + fraction
    return result


@register.filter
def amount(value):
    """A number with the locale's separators, no unit (table cells)."""
    if value is None or value == "":
        return "—"
    return format_amount(value)


@register.filter
def money(value):
    """An amount with the deployment's money unit: ``1.234,5 tỷ đồng``."""
    if value is None or value == "":
        return "—"
    return f"{format_amount(value)} {money_unit()}"


@register.simple_tag
def money_unit_label() -> str:
    return money_unit()


@register.filter
def percent(value):
    if value is None or value == "":
        return "—"
    return f"{format_amount(value, 1)} %"


@register.simple_tag
def light(value, reasons=None, with_reasons: bool = False):
    """Colour + icon + word (never colour alone); the reasons as a tooltip, or listed."""
    if not value:
        return format_html(
            '<span class="text-body-tertiary" data-light="">{}</span>',
            pgettext("traffic light", "No light"),
        )
    colour, icon = LIGHT_STYLE.get(value, ("secondary", "circle"))
    word = Light(value).label if value in Light.values else value
    texts = reasons_text(reasons)
    badge = format_html(
        '<span class="badge text-bg-{} vanco-light" data-light="{}"{}>'
        '<i class="bi bi-{}" aria-hidden="true"></i> {}</span>',
        colour,
        value,
        format_html(' title="{}"', "; ".join(texts)) if texts and not with_reasons else "",
        icon,
        word,
    )
    if with_reasons and texts:
        items = format_html_join("", "<li>{}</li>", ((text,) for text in texts))
        return format_html(
            '{}<ul class="small mb-0 mt-1 ps-3" data-testid="light-reasons">{}</ul>', badge, items
        )
    return badge
