import os

import pytest

from tests.factories import DepartmentFactory, LocalityFactory, user_with_role
from vanco.accounts.enums import Role
from vanco.org.enums import LocalityKind

# A valid Vietnamese tax code (check digit correct) for enterprise users in tests.
ENTERPRISE_TAX_CODE = "0100109106"


@pytest.fixture(autouse=True)
def _plain_static_files(settings):
    # Tests do not run collectstatic; serve assets from the finders instead of the manifest.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _default_language():
    # A request leaves its language active in the thread; every test starts in Vietnamese,
    # the default, whatever the previous one did.
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def _empty_cache(settings):
    # Each test's database starts afresh; so does the cache that remembers figures from it.
    # In memory, per test process: parallel test runs must not share the deployment's files.
    from django.core.cache import cache

    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    cache.clear()


@pytest.fixture
def city(db):
    return LocalityFactory(code="CITY", name="Thành phố Thử Nghiệm", kind=LocalityKind.CITY)


@pytest.fixture
def world(city):
    """Two districts with a commune each, two departments and one user of every role.

    Everything is built so that a scoping mistake shows: the locality officer of district A
    must never see district B's people, the department officer never another department's.
    """
    district_a = LocalityFactory(code="DA", name="Quận Ánh Dương", parent=city)
    district_b = LocalityFactory(
        code="DB", name="Huyện Bình Sơn", parent=city, kind=LocalityKind.COUNTY
    )
    commune_a = LocalityFactory(
        code="DA-1", name="Phường Đông Hà", parent=district_a, kind=LocalityKind.COMMUNE
    )
    commune_b = LocalityFactory(
        code="DB-1", name="Xã Tây Sơn", parent=district_b, kind=LocalityKind.COMMUNE
    )
    dept_a = DepartmentFactory(code="SKHDT", name="Sở Kế hoạch và Đầu tư")
    dept_b = DepartmentFactory(code="SXD", name="Sở Xây dựng")
    users = {
        Role.LEADER: user_with_role(Role.LEADER, username="leader"),
        Role.COORDINATOR: user_with_role(Role.COORDINATOR, username="coordinator"),
        Role.AUDITOR: user_with_role(Role.AUDITOR, username="auditor"),
        Role.DEPARTMENT: user_with_role(Role.DEPARTMENT, department=dept_a, username="dept_a"),
        Role.LOCALITY: user_with_role(Role.LOCALITY, locality=district_a, username="loc_a"),
        Role.CADRE: user_with_role(Role.CADRE, username="cadre"),
        Role.ENTERPRISE: user_with_role(
            Role.ENTERPRISE, tax_code=ENTERPRISE_TAX_CODE, username="enterprise"
        ),
    }
    others = {
        "dept_b": user_with_role(Role.DEPARTMENT, department=dept_b, username="dept_b"),
        "loc_b": user_with_role(Role.LOCALITY, locality=district_b, username="loc_b"),
        "loc_commune_a": user_with_role(Role.LOCALITY, locality=commune_a, username="loc_ca"),
    }
    return {
        "city": city,
        "district_a": district_a,
        "district_b": district_b,
        "commune_a": commune_a,
        "commune_b": commune_b,
        "dept_a": dept_a,
        "dept_b": dept_b,
        "users": users,
        "others": others,
    }


@pytest.fixture
def coordinator(world):
    return world["users"][Role.COORDINATOR]


@pytest.fixture
def coordinator_client(client, coordinator):
    client.force_login(coordinator)
    return client


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    # Playwright cannot download its own browsers here: drive Debian's Chromium.
    return {
        **browser_type_launch_args,
        "executable_path": os.environ.get("CHROMIUM", "/usr/bin/chromium"),
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
        ],
    }


def pytest_collection_modifyitems(config, items):
    """Browser tests run last: once Playwright's event loop runs in the main thread, Django's
    ORM refuses to run there (see tests/browser/conftest.py), so nothing may come after."""
    browser = [item for item in items if "/tests/browser/" in str(item.path)]
    others = [item for item in items if "/tests/browser/" not in str(item.path)]
    items[:] = others + browser
