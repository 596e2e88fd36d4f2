import pytest


@pytest.fixture(autouse=True)
def _allow_sync_playwright_with_live_server(monkeypatch):
    # Sync Playwright runs an event loop in this thread; Django's ORM calls from the test body
    # would otherwise trip the async-safety check. Only browser tests need this.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
