"""The menu each role sees (UX.md, "Navigation by role"). Only pages that exist are listed."""

from dataclasses import dataclass

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from vanco.core import access


@dataclass(frozen=True)
class NavItem:
    label: str
    url: str
    icon: str
    active: bool = False
    children: tuple["NavItem", ...] = ()


def navigation_for(user, current_path: str) -> list[NavItem]:
    items: list[tuple[str, str, str]] = [(_("Home"), reverse("home"), "house")]
    if access.scope_for(user).has_role:
        items.append((_("Localities"), reverse("org:locality-list"), "geo-alt"))
        items.append((_("Departments"), reverse("org:department-list"), "building"))
        items.append((_("Chains"), reverse("industries:industry-list"), "diagram-3"))
    settings_children = []
    if access.can(user, "users.manage") or access.scope_for(user).whole_city:
        settings_children.append((_("Users"), reverse("accounts:user-list"), "people"))
    if access.can(user, "audit.read"):
        settings_children.append((_("Audit log"), reverse("audit-log"), "journal-text"))
    result = [
        NavItem(str(label), url, icon, active=_is_active(url, current_path))
        for label, url, icon in items
    ]
    if settings_children:
        children = tuple(
            NavItem(str(label), url, icon, active=_is_active(url, current_path))
            for label, url, icon in settings_children
        )
        result.append(
            NavItem(
                str(_("Settings")),
                children[0].url,
                "gear",
                active=any(child.active for child in children),
                children=children,
            )
        )
    return result


def _is_active(url: str, current_path: str) -> bool:
    if url == "/":
        return current_path == "/"
    return current_path.startswith(url)
