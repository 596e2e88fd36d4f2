import os

import pytest
from django.core.servers.basehttp import WSGIServer
from django.test.testcases import LiveServerThread

# The live server shares the test's in-memory SQLite connection with its request threads; two
# requests at once (a page and its htmx fragments: the bell, a lazily loaded section) then use
# one sqlite3 connection concurrently and fail with "bad parameter or other API misuse". One
# request at a time is what a browser test needs; Django closes each connection when the
# server is not threaded, so the browser never holds the only thread.


class _OneRequestAtATimeServer(WSGIServer):
    def __init__(self, *args, connections_override=None, **kwargs):
        # The live server thread itself installs the shared connections before serving.
        super().__init__(*args, **kwargs)


LiveServerThread.server_class = _OneRequestAtATimeServer


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
