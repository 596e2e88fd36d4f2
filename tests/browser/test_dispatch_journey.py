"""Real Chromium on a phone: the officer submits a report, the coordinator returns it, the
officer resubmits; the board and the light change."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.factories import (
    PASSWORD,
    DispatchPeriodFactory,
    LocalityFactory,
    ProgressReportFactory,
    ProjectFactory,
    user_with_role,
)
from vanco.accounts.enums import Role
from vanco.org.enums import LocalityKind
from vanco.projects.enums import Stage
from vanco.projects.models import Project

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 360, "height": 740}


@pytest.fixture
def setup():
    city = LocalityFactory(code="CITY", name="Thành phố Thử Nghiệm", kind=LocalityKind.CITY)
    district = LocalityFactory(code="Q1", name="Quận Hồng Bàng", parent=city)
    officer = user_with_role(
        Role.LOCALITY, locality=district, username="quan1", full_name="Phạm Văn Nam", language="en"
    )
    coordinator = user_with_role(
        Role.COORDINATOR, username="dieuphoi", full_name="Lê Thị Hoa", language="en"
    )
    today = timezone.localdate()
    period = DispatchPeriodFactory(
        label="now",
        starts_on=today - datetime.timedelta(days=30),
        ends_on=today - datetime.timedelta(days=1),
        due_on=today + datetime.timedelta(days=5),
    )
    project = ProjectFactory(
        locality=district,
        investor__locality=district,
        officer=officer,
        stage=Stage.UNDER_CONSTRUCTION,
        planned_start_date=today - datetime.timedelta(days=100),
        planned_completion_date=today + datetime.timedelta(days=100),
    )
    report = ProgressReportFactory(project=project, period=period)
    return {"officer": officer, "coordinator": coordinator, "report": report, "period": period}


def _log_in(page, base_url, username):
    page.goto(f"{base_url}/accounts/login/")
    page.locator("input[name=username]").fill(username)
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("input[name=password]").press("Enter")


def test_officer_submits_coordinator_returns_officer_resubmits(browser, live_server, setup):
    report, period = setup["report"], setup["period"]
    officer_page = browser.new_page(viewport=PHONE)
    _log_in(officer_page, live_server.url, "quan1")
    officer_page.goto(f"{live_server.url}/projects/dispatch/reports/mine/")
    officer_page.get_by_role("link", name=report.project.name).click()
    officer_page.get_by_test_id("report-edit").click()
    officer_page.locator("#id_narrative").fill("Móng xong")
    officer_page.locator("#id_progress_percent").fill("150")
    officer_page.get_by_test_id("report-submit").click()
    expect(officer_page.get_by_test_id("form-errors")).to_be_visible()
    expect(officer_page.locator("#id_narrative")).to_have_value("Móng xong")
    # Nothing wider than the phone: the form is one column.
    width = officer_page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"]
    officer_page.locator("#id_progress_percent").fill("20")
    officer_page.get_by_test_id("report-submit").click()
    expect(officer_page.get_by_test_id("report-status")).to_have_text("Submitted")
    # 100 of 200 days gone: 50 % planned, 20 % done: 30 points behind -> yellow.
    expect(officer_page.get_by_test_id("light")).to_have_attribute("data-light", "yellow")

    coordinator_page = browser.new_page()
    _log_in(coordinator_page, live_server.url, "dieuphoi")
    coordinator_page.goto(f"{live_server.url}/projects/dispatch/periods/{period.pk}/")
    expect(coordinator_page.locator("td[data-bucket=submitted]")).to_have_text("1")
    coordinator_page.goto(f"{live_server.url}/projects/dispatch/reports/{report.pk}/")
    coordinator_page.locator("#return-comment").fill("Thiếu ảnh hiện trường")
    coordinator_page.get_by_test_id("report-return").click()
    expect(coordinator_page.get_by_test_id("report-status")).to_have_text("Returned")

    officer_page.goto(f"{live_server.url}/projects/dispatch/reports/mine/")
    officer_page.get_by_role("link", name=report.project.name).click()
    expect(officer_page.get_by_test_id("review-comment")).to_contain_text("Thiếu ảnh")
    officer_page.get_by_test_id("report-edit").click()
    officer_page.locator("#id_progress_percent").fill("45")
    officer_page.get_by_test_id("report-submit").click()
    expect(officer_page.get_by_test_id("report-status")).to_have_text("Submitted")
    expect(officer_page.get_by_test_id("light")).to_have_attribute("data-light", "green")
    assert Project.objects.get(pk=report.project_id).progress_percent == Decimal("45.00")

    coordinator_page.goto(f"{live_server.url}/projects/dispatch/periods/{period.pk}/")
    expect(coordinator_page.locator("td[data-bucket=submitted]")).to_have_text("1")
    expect(coordinator_page.locator("td[data-bucket=returned]")).to_have_text("0")
