"""The menu each role sees (UX.md, "Navigation by role"). Only pages that exist are listed."""

from dataclasses import dataclass

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

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
    """(top-level entries, settings entries). An entry is (label, url name, icon), or
    (label, icon, [entries]) for a menu of related pages."""
    scope = access.scope_for(user)
    # The brand links home (each role's to-do); an account without a role has only that.
    top: list[tuple] = []
    if not scope.has_role:
        return [(_("Home"), "home", "house")], []
    only_enterprise = scope.roles == {Role.ENTERPRISE}
    desk_officer = scope.has(Role.DEPARTMENT) and not scope.whole_city
    if access.can(user, "dashboard.read"):
        top.append((_("Dashboard"), "dashboard:index", "speedometer"))
    if access.can(user, "reports.submit") and not scope.whole_city:
        top.append((_("My reports due"), "projects:my-reports", "clipboard-check"))
    if scope.has(Role.CADRE):
        top.append((_("My enterprises"), "enterprises:pairing-mine", "person-workspace"))
    if access.can(user, "visits.log") and not scope.whole_city:
        top.append((_("Log a visit"), "enterprises:visit-create", "journal-plus"))
    if desk_officer:
        top.append((_("My obstacles"), "obstacles:obstacle-list", "inbox"))
    if access.can(user, "directives.work") and not scope.whole_city:
        top.append((_("Directives"), "meetings:directive-inbox", "flag"))
    if scope.whole_city:
        top.append((_("Dispatch"), "projects:period-list", "calendar-check"))
    label = _("Projects concerned") if scope.roles == {Role.DEPARTMENT} else _("Projects")
    top.append((label, "projects:project-list", "kanban"))
    if only_enterprise:
        top.append((_("My company"), "enterprises:enterprise-list", "buildings"))
    elif scope.whole_city or scope.has(Role.LOCALITY):
        enterprises = [
            (_("Enterprises"), "enterprises:enterprise-list", "buildings"),
            (_("Pairings"), "enterprises:pairing-list", "people"),
            (_("Visits"), "enterprises:visit-list", "journal-text"),
            (_("Coverage"), "enterprises:coverage", "pie-chart"),
        ]
        top.append((_("Enterprises"), "buildings", enterprises))
    else:
        top.append((_("Enterprises"), "enterprises:enterprise-list", "buildings"))
    if not desk_officer:
        label = _("My obstacles") if only_enterprise else _("Obstacles")
        obstacles = [(label, "obstacles:obstacle-list", "exclamation-triangle")]
        if access.can(user, "obstacles.metrics"):
            obstacles += [
                (_("Obstacle metrics"), "obstacles:metrics", "speedometer2"),
                (_("Where obstacles concentrate"), "obstacles:concentration", "grid-3x3"),
            ]
        if not only_enterprise:
            obstacles.append((_("Common problems"), "obstacles:problem-list", "collection"))
        if len(obstacles) == 1:
            top.append(obstacles[0])
        else:
            top.append((label, "exclamation-triangle", obstacles))
    elif access.can(user, "obstacles.metrics"):
        top.append((_("Obstacle metrics"), "obstacles:metrics", "speedometer2"))
    if scope.whole_city:
        meetings = [
            (_("Meetings"), "meetings:meeting-list", "people-fill"),
            (_("Directives"), "meetings:directive-list", "flag"),
        ]
        top.append((_("Meetings"), "people-fill", meetings))
        ranking = [
            (_("Ranking"), "targets:ranking", "trophy"),
            (_("Published rankings"), "targets:snapshot-list", "award"),
            (_("Targets"), "targets:target-grid", "bullseye"),
            (_("Actuals"), "targets:actuals", "clipboard-data"),
            (_("Campaigns"), "targets:campaign-list", "calendar-range"),
        ]
        top.append((_("Ranking"), "trophy", ranking))
    elif not only_enterprise:
        ranking = [(_("Published rankings"), "targets:snapshot-list", "award")]
        if scope.has(Role.LOCALITY):
            ranking.append((_("Targets"), "targets:target-grid", "bullseye"))
        top.append((_("Ranking"), "trophy", ranking) if len(ranking) > 1 else ranking[0])
    if not only_enterprise:
        chains = [
            (_("Chains"), "industries:industry-list", "diagram-3"),
            (_("Target investors"), "industries:prospect-list", "binoculars"),
        ]
        top.append((_("Chains"), "diagram-3", chains))
    if access.can(user, "bulletins.read"):
        top.append((pgettext_lazy("menu", "Bulletins"), "reports:report-list", "file-earmark-text"))

    more: list[tuple] = [
        (_("Localities"), "org:locality-list", "geo-alt"),
        (_("Departments"), "org:department-list", "building"),
    ]
    if access.can(user, "users.manage") or scope.whole_city:
        more.append((_("Users"), "accounts:user-list", "people"))
    if access.can(user, "dispatch.manage"):
        more.append((_("Dispatch cycles"), "projects:cycle-list", "arrow-repeat"))
    if access.can(user, "maps.manage"):
        more.append((_("Map boundaries"), "dashboard:boundaries", "map"))
    more.append((_("Traffic-light rules"), "projects:light-rules", "stoplights"))
    more.append((_("Obstacle time limits"), "obstacles:time-limits", "hourglass-split"))
    if access.can(user, "audit.read"):
        more.append((_("Audit log"), "audit-log", "journal-text"))
    return top, more


def _item(label, name, icon, current_path: str) -> NavItem:
    url = reverse(name)
    return NavItem(str(label), url, icon, active=_is_active(url, current_path))


def _menu(label, icon, entries, current_path: str) -> NavItem:
    children = tuple(_item(*entry, current_path) for entry in entries)
    active = any(child.active for child in children)
    return NavItem(str(label), children[0].url, icon, active=active, children=children)


def navigation_for(user, current_path: str) -> list[NavItem]:
    top, more = _entries(user)
    result = [
        _menu(*entry, current_path) if isinstance(entry[2], list) else _item(*entry, current_path)
        for entry in top
    ]
    if more:
        result.append(_menu(_("Settings"), "gear", more, current_path))
    return result


def _is_active(url: str, current_path: str) -> bool:
    if url == "/":
        return current_path == "/"
    return current_path.startswith(url)
