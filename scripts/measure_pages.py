"""Interim page timings until `vanco bench` exists: in-process Django test client, 15 requests
per page, server-side time only (no network, no gunicorn). Run against a database filled with
`vanco demo --scale large`:

    VANCO_DATA_DIR=/tmp/large .venv/bin/python scripts/measure_pages.py
"""

import os
import statistics
import time

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vanco.settings")

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection, reset_queries  # noqa: E402
from django.test import Client  # noqa: E402

from vanco.accounts.models import User  # noqa: E402

RUNS = 15


def client_for(username: str) -> Client:
    client = Client()
    client.force_login(User.objects.get(username=username))
    return client


def main() -> None:
    settings.ALLOWED_HOSTS = ["testserver"]
    settings.DEBUG = True  # to count queries
    coordinator, officer = client_for("dieuphoi"), client_for("quan1")
    pages = [
        ("home", coordinator, "/"),
        ("localities", coordinator, "/org/localities/"),
        ("localities, search", coordinator, "/org/localities/?q=phuong"),
        ("users", coordinator, "/accounts/users/"),
        ("users, search", coordinator, "/accounts/users/?q=nguyen"),
        ("users as locality officer", officer, "/accounts/users/"),
        ("chain nodes", coordinator, "/industries/nodes/"),
        ("industry detail", coordinator, "/industries/1/"),
        ("audit log", coordinator, "/audit/"),
        ("API users", coordinator, "/api/v1/users?limit=50"),
    ]
    print("| page | URL | median ms | p95 ms | SQL queries |")
    print("|---|---|---|---|---|")
    for name, client, url in pages:
        times, queries = [], 0
        for _ in range(RUNS):
            reset_queries()
            started = time.perf_counter()
            response = client.get(url)
            times.append((time.perf_counter() - started) * 1000)
            queries = len(connection.queries)
            assert response.status_code == 200, (url, response.status_code)
        times.sort()
        p95 = times[max(0, int(len(times) * 0.95) - 1)]
        print(f"| {name} | `{url}` | {statistics.median(times):.0f} | {p95:.0f} | {queries} |")


if __name__ == "__main__":
    main()
