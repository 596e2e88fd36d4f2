"""Government intranets are offline: no page or asset may reference another host."""

import re
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders
from django.urls import reverse

from tests.core.test_access_matrix import (
    PAGES,
    REFERENCE_KINDS,
    SCOPED_KINDS,
    _url,
    targets,  # noqa: F401 (fixture)
)

STATIC_DIR = Path(__file__).resolve().parents[2] / "src" / "vanco" / "static"
EXTERNAL_ATTRIBUTE = re.compile(
    r"""(?:src|href|action|poster|data)\s*=\s*["']\s*(?:https?:)?//""", re.I
)
ASSET = re.compile(r"""(?:src|href)\s*=\s*["'](/static/[^"'?#]+)""")
CSS_URL = re.compile(r"""url\(\s*["']?([^"')]+)""")


@pytest.mark.django_db
def test_pages_reference_no_external_url(coordinator_client, world, targets):  # noqa: F811
    pks = {"user": world["users"]["locality"].pk}
    pks.update({kind: targets[kind].pk for kind in REFERENCE_KINDS})
    pks.update({kind: targets["scoped"][kind]["a"].pk for kind in SCOPED_KINDS})
    checked = 0
    for name, (method, kind, _roles, _status) in PAGES.items():
        if method != "get" or kind not in (None, *pks):
            continue
        response = coordinator_client.get(_url(name, kind, pks.get(kind)))
        if not response["Content-Type"].startswith("text/html"):
            continue  # downloads (Excel templates, attachments)
        html = response.content.decode()
        assert EXTERNAL_ATTRIBUTE.findall(html) == [], name
        for asset in ASSET.findall(html):
            assert finders.find(asset.removeprefix("/static/")) is not None, f"{name}: {asset}"
        checked += 1
    for url in (reverse("login"), reverse("api:openapi-view")):
        coordinator_client.logout()
        html = coordinator_client.get(url).content.decode()
        assert EXTERNAL_ATTRIBUTE.findall(html) == [], url
        checked += 1
    assert checked >= 40


def test_stylesheets_load_only_local_files():
    stylesheets = list(STATIC_DIR.rglob("*.css"))
    assert len(stylesheets) >= 5
    for sheet in stylesheets:
        text = sheet.read_text(encoding="utf-8")
        for target in CSS_URL.findall(text):
            if target.startswith("data:"):
                continue
            assert not re.match(r"(?:https?:)?//", target), f"{sheet}: {target}"
            assert (sheet.parent / target.split("?")[0].split("#")[0]).exists(), (
                f"{sheet}: {target}"
            )
        assert "@import url(http" not in text


def test_scripts_request_no_source_maps_or_remote_code():
    for script in STATIC_DIR.rglob("*.js"):
        text = script.read_text(encoding="utf-8", errors="replace")
        assert "sourceMappingURL=" not in text, script
        assert re.search(r"""import\s*\(\s*["']https?://""", text) is None, script
