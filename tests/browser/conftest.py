import os

import pytest


@pytest.fixture(scope="package", autouse=True)
def _allow_sync_playwright_with_live_server(django_db_setup):
    """Sync Playwright keeps an event loop running in the test thread; Django's ORM would refuse
    to run there. Only the browser tests (this package) allow it, and only after the test
    database exists."""
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    yield
    if previous is None:
        del os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"]
    else:
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture(autouse=True)
def _fail_fast(page):
    page.set_default_timeout(10_000)
    page.set_default_navigation_timeout(15_000)
