"""Real Chromium on a phone-sized screen: a locality officer registers a project, then moves it
to negotiation through the stage-change dialog."""

import os
import re

import pytest
from playwright.sync_api import expect

from tests.factories import (
    PASSWORD,
    EnterpriseFactory,
    IndustryFactory,
    LocalityFactory,
    user_with_role,
)
from vanco.accounts.enums import Role
from vanco.org.enums import LocalityKind
from vanco.projects.enums import Stage
from vanco.projects.models import Project, ProjectStageChange

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def world_small():
    city = LocalityFactory(code="CITY", name="Thành phố Thử Nghiệm", kind=LocalityKind.CITY)
    district = LocalityFactory(code="Q1", name="Quận Hồng Bàng", parent=city)
    officer = user_with_role(
        Role.LOCALITY, locality=district, username="quan1", full_name="Phạm Văn Nam"
    )
    officer.language = "en"
    officer.save()
    EnterpriseFactory(name="Công ty TNHH Điện tử Hải Long", locality=district)
    IndustryFactory(code="DT", name="Điện tử")
    return {"district": district, "officer": officer}


def _log_in(page, base_url, username):
    page.goto(f"{base_url}/accounts/login/")
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    expect(page).not_to_have_url(re.compile(r"/accounts/login/"))


def _choose(page, select_id: str, text: str):
    """Pick an option of a select enhanced with a search box (tom-select)."""
    control = page.locator(f"#{select_id}-ts-control")
    control.locator("xpath=..").click()
    expect(page.locator(f"#{select_id}-ts-dropdown")).to_be_visible()
    expect(control).to_be_focused()
    control.press_sequentially(text, delay=20)
    expect(page.locator(f"#{select_id}-ts-dropdown .option.active")).to_contain_text(text)
    page.keyboard.press("Enter")
    page.keyboard.press("Escape")
    control.blur()  # a remote-loading select keeps focus otherwise
    expect(page.locator(f"#{select_id} option:checked")).to_contain_text(text)


def test_locality_officer_registers_a_project_on_a_phone(page, live_server, world_small):
    page.set_viewport_size(PHONE)
    _log_in(page, live_server.url, "quan1")
    page.goto(f"{live_server.url}/projects/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Projects")
    page.get_by_test_id("create").click()
    expect(page).to_have_url(re.compile(r"/projects/new/$"))

    page.get_by_label("Name").fill("Nhà máy linh kiện Hải Long")
    _choose(page, "id_investor", "Hải Long")
    _choose(page, "id_industry", "Điện tử")
    _choose(page, "id_locality", "Hồng Bàng")
    page.get_by_label("Planned total investment").fill("120,5".replace(",", "."))
    page.get_by_label("Planned start date").fill("2027-03-01")
    # One column: the form never needs horizontal scrolling on the phone.
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    if os.environ.get("VANCO_SCREENSHOTS"):
        page.screenshot(path=os.environ["VANCO_SCREENSHOTS"] + "/project_form.png", full_page=True)
    page.get_by_role("button", name="Save").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Nhà máy linh kiện Hải Long")
    project = Project.objects.get(name="Nhà máy linh kiện Hải Long")
    assert (project.locality, project.officer, project.stage) == (
        world_small["district"],
        world_small["officer"],
        Stage.LEAD,
    )
    expect(page.get_by_test_id("project-code")).to_contain_text(project.code)

    # The stage change opens in a dialog (htmx) and asks only for the date.
    page.get_by_test_id("transitions").get_by_role("link", name="Negotiating").click()
    dialog = page.locator("#stage-dialog")
    expect(dialog).to_be_visible()
    dialog.get_by_label("Date").fill(project.created_at.date().isoformat())
    if os.environ.get("VANCO_SCREENSHOTS"):
        page.screenshot(path=os.environ["VANCO_SCREENSHOTS"] + "/project_stage.png")
    dialog.get_by_role("button", name="Confirm").click()
    expect(page.get_by_test_id("stage")).to_have_text("Negotiating")
    assert ProjectStageChange.objects.get(project=project).to_stage == Stage.NEGOTIATING
    if os.environ.get("VANCO_SCREENSHOTS"):
        page.screenshot(
            path=os.environ["VANCO_SCREENSHOTS"] + "/project_detail.png", full_page=True
        )


def test_project_detail_draws_the_funds_chart(page, live_server, world_small):
    import datetime
    from decimal import Decimal

    from django.utils import timezone

    from tests.factories import DispatchPeriodFactory, ProgressReportFactory, ProjectFactory
    from vanco.projects.enums import ReportStatus

    user_with_role(Role.COORDINATOR, username="dieuphoi", full_name="Lê Thị Hoa")
    district = world_small["district"]
    project = ProjectFactory(
        name="Nhà máy Thành Công",
        planned_investment=Decimal("500"),
        investor=EnterpriseFactory(locality=district),
        locality=district,
    )
    first = DispatchPeriodFactory(
        label="10/2026",
        starts_on=datetime.date(2026, 10, 1),
        ends_on=datetime.date(2026, 10, 31),
        due_on=datetime.date(2026, 11, 5),
    )
    second = DispatchPeriodFactory(cycle=first.cycle)
    for period, amount in ((first, "120"), (second, "80")):
        ProgressReportFactory(
            project=project,
            period=period,
            status=ReportStatus.ACCEPTED,
            submitted_at=timezone.now(),
            funds_this_period=Decimal(amount),
        )
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    _log_in(page, live_server.url, "dieuphoi")
    page.goto(f"{live_server.url}/projects/{project.pk}/")
    expect(page.locator("#funds-chart svg")).to_be_visible()
    # Vietnamese page: the legend is in Vietnamese-or-source text, the axis has both periods.
    expect(page.locator("#funds-chart")).to_contain_text("10/2026")
    expect(page.locator("#funds-chart")).to_contain_text("11/2026")
    assert errors == []
    if os.environ.get("VANCO_SCREENSHOTS"):
        page.screenshot(path=os.environ["VANCO_SCREENSHOTS"] + "/project_chart.png", full_page=True)
