"""Real Chromium: an enterprise user files an obstacle on a phone, the coordinator assigns it,
the department accepts and resolves it, the enterprise confirms and rates it.

Set OBSTACLE_SCREENSHOTS=<directory> to keep a screenshot of every screen at 360 and 1280 px.
"""

import os

import pytest
from playwright.sync_api import expect

from tests.conftest import ENTERPRISE_TAX_CODE
from tests.factories import (
    PASSWORD,
    DepartmentFactory,
    EnterpriseFactory,
    LocalityFactory,
    user_with_role,
)
from vanco.accounts.enums import Role
from vanco.obstacles.enums import Status
from vanco.obstacles.models import Obstacle
from vanco.org.enums import LocalityKind

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 360, "height": 740}
DESKTOP = {"width": 1280, "height": 900}


@pytest.fixture
def setup():
    city = LocalityFactory(code="CITY", name="Thành phố Thử Nghiệm", kind=LocalityKind.CITY)
    district = LocalityFactory(code="Q1", name="Quận Hồng Bàng", parent=city)
    department = DepartmentFactory(code="SCT", name="Sở Công Thương")
    company = EnterpriseFactory(
        name="Công ty TNHH Cơ khí Hải Long", tax_code=ENTERPRISE_TAX_CODE, locality=district
    )
    users = {
        "enterprise": user_with_role(
            Role.ENTERPRISE, tax_code=ENTERPRISE_TAX_CODE, username="hailong", language="en"
        ),
        "coordinator": user_with_role(Role.COORDINATOR, username="dieuphoi", language="en"),
        "department": user_with_role(
            Role.DEPARTMENT, department=department, username="sct", language="en"
        ),
    }
    return {"company": company, "department": department, "users": users}


def _log_in(page, base_url, username):
    page.goto(f"{base_url}/accounts/login/")
    page.locator("input[name=username]").fill(username)
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("input[name=password]").press("Enter")
    page.wait_for_url(lambda url: "/accounts/login/" not in url)


def _shot(page, name):
    directory = os.environ.get("OBSTACLE_SCREENSHOTS")
    if directory:
        page.screenshot(path=os.path.join(directory, f"{name}.png"), full_page=True)


def _step(page, action, fill=None):
    page.locator(f"[data-testid=actions] [data-action={action}]").click()
    form = page.locator(f"form[data-action={action}]")
    expect(form).to_be_visible()
    if fill:
        fill(form)
    _shot(page, f"step-{action}")
    form.locator("button[type=submit]").click()


def test_enterprise_files_coordinator_assigns_department_resolves_enterprise_rates(
    browser, live_server, setup
):
    base = live_server.url
    # The enterprise user files the obstacle on a phone; a failed submit keeps the input.
    phone = browser.new_page(viewport=PHONE)
    _log_in(phone, base, "hailong")
    phone.goto(f"{base}/obstacles/new/")
    expect(phone.locator("#id_enterprise")).to_have_count(0)
    phone.locator("#id_title").fill("Chưa được đấu nối điện 22kV")
    phone.locator("#id_category").select_option("power")
    phone.get_by_test_id("raise-form").locator("button[type=submit]").click()
    expect(phone.get_by_test_id("form-errors")).to_be_visible()
    expect(phone.locator("#id_title")).to_have_value("Chưa được đấu nối điện 22kV")
    expect(phone.locator("#id_category")).to_have_value("power")
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    _shot(phone, "raise-360-error")
    phone.locator("#id_description").fill("Nhà máy chờ đấu nối từ tháng 9, chậm 2 tháng.")
    phone.get_by_test_id("raise-form").locator("button[type=submit]").click()
    expect(phone.get_by_test_id("status")).to_have_attribute("data-status", Status.SUBMITTED)
    obstacle = Obstacle.objects.get()
    assert obstacle.enterprise == setup["company"]
    _shot(phone, "detail-enterprise-360-submitted")

    # The coordinator finds it in "To assign" and assigns it to the department.
    desk = browser.new_page(viewport=DESKTOP)
    _log_in(desk, base, "dieuphoi")
    # Before: the metrics know nothing of this department yet.
    desk.goto(f"{base}/obstacles/metrics/")
    expect(desk.get_by_test_id("metrics-department")).not_to_contain_text("Sở Công Thương")
    desk.goto(f"{base}/obstacles/")
    expect(desk.locator(f"tr[data-obstacle='{obstacle.pk}']")).to_be_visible()
    _shot(desk, "list-coordinator-1280")
    desk.get_by_role("link", name=obstacle.title).click()
    _step(
        desk,
        "assign",
        lambda form: form.locator("select[name=lead_department]").select_option(
            str(setup["department"].pk)
        ),
    )
    expect(desk.get_by_test_id("status")).to_have_attribute("data-status", Status.ASSIGNED)
    expect(desk.get_by_test_id("lead")).to_have_text("Sở Công Thương")
    _shot(desk, "detail-coordinator-1280-assigned")

    # The department sees it in its inbox, accepts, starts and resolves it.
    dept = browser.new_page(viewport=DESKTOP)
    _log_in(dept, base, "sct")
    dept.goto(f"{base}/obstacles/")
    expect(dept.get_by_test_id("inbox-counts").locator("[data-count=new]")).to_have_text("1")
    _shot(dept, "inbox-department-1280")
    dept.get_by_role("link", name=obstacle.title).click()
    _step(dept, "accept")
    expect(dept.get_by_test_id("status")).to_have_attribute("data-status", Status.ACCEPTED)
    _step(dept, "start")
    expect(dept.get_by_test_id("status")).to_have_attribute("data-status", Status.IN_PROGRESS)
    _step(
        dept,
        "resolve",
        lambda form: form.locator("textarea[name=resolution]").fill("Đã đấu nối ngày 20/11."),
    )
    expect(dept.get_by_test_id("status")).to_have_attribute("data-status", Status.RESOLVED)
    _shot(dept, "detail-department-1280-resolved")

    # The enterprise user confirms on the phone and gives five stars.
    phone.goto(f"{base}/obstacles/{obstacle.pk}/")
    _step(
        phone,
        "confirm",
        lambda form: (
            form.locator("label[for=id_rating_4]").click(),
            form.locator("textarea[name=comment]").fill("Cảm ơn Sở"),
        ),
    )
    expect(phone.get_by_test_id("status")).to_have_attribute("data-status", Status.CLOSED)
    expect(phone.get_by_test_id("rating")).to_contain_text("5 of 5")
    expect(phone.get_by_test_id("timeline").locator("li")).to_have_count(6)
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    _shot(phone, "detail-enterprise-360-closed")
    obstacle.refresh_from_db()
    assert (obstacle.status, obstacle.rating, obstacle.rating_comment) == (
        Status.CLOSED,
        5,
        "Cảm ơn Sở",
    )

    # The metrics change: one obstacle of the department resolved, on time, rated 5.
    desk.goto(f"{base}/obstacles/metrics/")
    row = desk.get_by_test_id("metrics-department").locator("tbody tr", has_text="Sở Công Thương")
    expect(row.locator("[data-figure=resolved]")).to_have_text("1")
    expect(row.locator("[data-figure=on_time]")).to_have_text("1")
    expect(row.locator("[data-figure=rated]")).to_have_text("5.00")
    _shot(desk, "metrics-coordinator-1280-after")
