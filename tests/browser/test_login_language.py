"""Real Chromium: log in as two roles, switch language, see the page translated."""

import pytest
from playwright.sync_api import expect

from tests.factories import PASSWORD, LocalityFactory, user_with_role
from vanco.accounts.enums import Role
from vanco.org.enums import LocalityKind

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def people():
    city = LocalityFactory(code="CITY", name="Thành phố Thử Nghiệm", kind=LocalityKind.CITY)
    district = LocalityFactory(code="Q1", name="Quận Hồng Bàng", parent=city)
    return {
        "coordinator": user_with_role(
            Role.COORDINATOR, username="dieuphoi", full_name="Lê Thị Hoa"
        ),
        "locality": user_with_role(
            Role.LOCALITY, locality=district, username="quan1", full_name="Phạm Văn Nam"
        ),
    }


def _log_in(page, base_url, username):
    page.goto(f"{base_url}/accounts/login/")
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()


def test_coordinator_logs_in_and_switches_language(page, live_server, people):
    _log_in(page, live_server.url, "dieuphoi")
    expect(page.locator("html")).to_have_attribute("lang", "vi")
    expect(page.get_by_role("heading", level=1)).to_have_text("Xin chào, Lê Thị Hoa")
    expect(page.locator("#main-nav").get_by_role("link", name="Bảng điều hành")).to_be_visible()

    page.get_by_test_id("language-menu").click()
    page.get_by_test_id("lang-en").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", level=1)).to_have_text("Hello, Lê Thị Hoa")
    expect(page.locator("#main-nav").get_by_role("link", name="Dashboard")).to_be_visible()

    page.get_by_test_id("language-menu").click()
    page.get_by_test_id("lang-zh-hans").click()
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    expect(page.locator("#main-nav").get_by_role("link", name="数据看板")).to_be_visible()

    # The coordinator manages users: the settings menu leads to the user list.
    menu = page.locator("#main-nav")
    menu.get_by_role("button", name="设置").click()
    menu.get_by_role("link", name="用户").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("用户")
    expect(page.get_by_text("Phạm Văn Nam")).to_be_visible()


def test_locality_officer_sees_own_menu_and_keeps_language(page, live_server, people):
    people["locality"].language = "en"
    people["locality"].save()
    _log_in(page, live_server.url, "quan1")
    # The saved preference wins over the default Vietnamese after login.
    expect(page.locator("html")).to_have_attribute("lang", "en")
    my_localities = page.locator(".card", has_text="My localities")
    expect(my_localities.get_by_role("link", name="Quận Hồng Bàng")).to_be_visible()
    # Reference pages only: no user management, no audit log in the officer's settings menu.
    menu = page.locator("#main-nav")
    menu.get_by_role("button", name="Settings").click()
    expect(menu.get_by_role("link", name="Localities")).to_be_visible()
    expect(menu.get_by_role("link", name="Audit log")).to_have_count(0)
    expect(menu.get_by_role("link", name="Users")).to_have_count(0)
    response = page.goto(f"{live_server.url}/audit/")
    assert response.status == 403
