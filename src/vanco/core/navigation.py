"""The menu each role sees (UX.md, "Navigation by role"). Only pages that exist are listed."""

from dataclasses import dataclass

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from vanco.accounts.enums import Role
from vanco.core import access


@dataclass(frozen=True)
class NavItem:
    label: str
    url: str
    icon: str
    active: bool = False
    children: tuple["NavItem", ...] = ()


def _entries(user) -> tuple[list[tuple], list[tuple]]:
    """(top-level entries, settings entries) as (label, url name, icon)."""
    scope = access.scope_for(user)
    top: list[tuple] = [(_("Home"), "home", "house")]
    if not scope.has_role:
        return top, []
    if access.can(user, "reports.submit") and not scope.whole_city:
        top.append((_("My reports due"), "projects:my-reports", "clipboard-check"))
    if scope.whole_city:
        top.append((_("Dispatch"), "projects:period-list", "calendar-check"))
    only_enterprise = scope.roles == {Role.ENTERPRISE}
    if scope.has(Role.DEPARTMENT) and not scope.whole_city:
        top.append((_("My obstacles"), "obstacles:obstacle-list", "inbox"))
    sees_projects = (
        scope.whole_city
        or scope.has(Role.LOCALITY)
        or scope.has(Role.ENTERPRISE)
        or scope.has(Role.CADRE)
        or scope.has(Role.DEPARTMENT)
    )
    if sees_projects:
        label = _("Projects concerned") if scope.roles == {Role.DEPARTMENT} else _("Projects")
        top.append((label, "projects:project-list", "kanban"))
        label = _("My company") if only_enterprise else _("Enterprises")
        top.append((label, "enterprises:enterprise-list", "buildings"))
    if not scope.has(Role.DEPARTMENT) or scope.whole_city:
        label = _("My obstacles") if only_enterprise else _("Obstacles")
        top.append((label, "obstacles:obstacle-list", "exclamation-triangle"))
    if access.can(user, "obstacles.metrics"):
        top.append((_("Obstacle metrics"), "obstacles:metrics", "speedometer2"))
    if not only_enterprise:
        top.append((_("Chains"), "industries:industry-list", "diagram-3"))

    more: list[tuple] = [
        (_("Localities"), "org:locality-list", "geo-alt"),
        (_("Departments"), "org:department-list", "building"),
    ]
    if access.can(user, "users.manage") or scope.whole_city:
        more.append((_("Users"), "accounts:user-list", "people"))
    if access.can(user, "dispatch.manage"):
        more.append((_("Dispatch cycles"), "projects:cycle-list", "arrow-repeat"))
    more.append((_("Traffic-light rules"), "projects:light-rules", "stoplights"))
    more.append((_("Obstacle time limits"), "obstacles:time-limits", "hourglass-split"))
    if not only_enterprise:
        more.append((_("Common problems"), "obstacles:problem-list", "collection"))
    if access.can(user, "obstacles.metrics"):
        more.append((_("Where obstacles concentrate"), "obstacles:concentration", "grid-3x3"))
    if access.can(user, "audit.read"):
        more.append((_("Audit log"), "audit-log", "journal-text"))
    return top, more


def navigation_for(user, current_path: str) -> list[NavItem]:
    top, more = _entries(user)
    result = []
    for label, name, icon in top:
        url = reverse(name)
        result.append(NavItem(str(label), url, icon, active=_is_active(url, current_path)))
    if more:
        children = tuple(
            NavItem(str(label), reverse(name), icon, active=_is_active(reverse(name), current_path))
            for label, name, icon in more
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
