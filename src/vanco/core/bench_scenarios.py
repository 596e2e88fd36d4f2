"""The pages `vanco bench` measures, with the demo users who open them.

Each app's pages are added here as they are built; a scenario resolves its targets (ids) from
the database once, before the server is measured.
"""

from django.urls import reverse

from vanco.core.bench import Scenario


def scenarios() -> list[Scenario]:
    return [
        Scenario(
            "localities, search",
            "dieuphoi",
            lambda i: ("GET", reverse("org:locality-list") + "?q=phuong", None),
        ),
        Scenario(
            "users, search",
            "dieuphoi",
            lambda i: ("GET", reverse("accounts:user-list") + "?q=nguyen", None),
        ),
        Scenario(
            "users as locality officer",
            "quan1",
            lambda i: ("GET", reverse("accounts:user-list"), None),
        ),
        Scenario("audit log", "dieuphoi", lambda i: ("GET", reverse("audit-log"), None)),
    ]
