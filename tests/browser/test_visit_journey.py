"""Real Chromium: an official paired with a company logs a visit on a 360 px phone and turns
the company's demand into an obstacle; a failed submit keeps the input; the raised obstacle's
page shows it came from the visit. The coordinator's pairing, coverage and enterprise pages
are then opened at 1280 px.

Set VISIT_SCREENSHOTS=<directory> to keep a screenshot of every screen.
"""

import datetime
import os

import pytest
from playwright.sync_api import expect

from tests.factories import (
    PASSWORD,
    EnterpriseFactory,
    LocalityFactory,
    PairingFactory,
    user_with_role,
)
from vanco.accounts.enums import Role
from vanco.enterprises.models import Visit
from vanco.obstacles.models import Obstacle
from vanco.org.enums import LocalityKind

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 360, "height": 740}
DESKTOP = {"width": 1280, "height": 900}


@pytest.fixture
def setup():
    city = LocalityFactory(code="CITY", name="Thành phố Thử Nghiệm", kind=LocalityKind.CITY)
    district = LocalityFactory(code="Q1", name="Quận Hồng Bàng", parent=city)
    company = EnterpriseFactory(name="Công ty TNHH Cơ khí Hải Long", locality=district)
    EnterpriseFactory(name="Công ty CP Dệt may Bình Minh", locality=district)
    cadre = user_with_role(Role.CADRE, username="canbo", full_name="Trần Văn Cán", language="en")
    PairingFactory(
        official=cadre,
        enterprise=company,
        starts_on=datetime.date(2026, 1, 1),
        next_visit_due=datetime.date(2026, 4, 2),
    )
    coordinator = user_with_role(Role.COORDINATOR, username="dieuphoi", language="en")
    return {"company": company, "cadre": cadre, "coordinator": coordinator}


def _log_in(page, base_url, username):
    page.goto(f"{base_url}/accounts/login/")
    page.locator("input[name=username]").fill(username)
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("input[name=password]").press("Enter")
    page.wait_for_url(lambda url: "/accounts/login/" not in url)


def _shot(page, name):
    directory = os.environ.get("VISIT_SCREENSHOTS")
    if directory:
        page.screenshot(path=os.path.join(directory, f"{name}.png"), full_page=True)


def test_official_on_phone_logs_visit_that_raises_obstacle(browser, live_server, setup):
    base = live_server.url
    phone = browser.new_page(viewport=PHONE)
    _log_in(phone, base, "canbo")

    # The to-do: the paired company, flagged behind on visits.
    phone.goto(f"{base}/enterprises/pairings/mine/")
    row = phone.locator("[data-testid=mine] li").first
    expect(row).to_contain_text("Công ty TNHH Cơ khí Hải Long")
    expect(row.locator("[data-testid=visit-state]")).to_contain_text("Behind by")
    _shot(phone, "phone-my-enterprises")
    row.get_by_role("link", name="Log a visit").click()

    form = phone.locator("[data-testid=visit-form]")
    expect(form).to_be_visible()
    # The page fits the phone: nothing wider than the viewport.
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    phone.locator("label[for=id_form_1]").click()  # Phone call
    phone.locator("#id_people_met").fill("Ông Long, giám đốc")
    phone.locator("#id_summary").fill("Trao đổi về kế hoạch mở rộng xưởng.")
    phone.locator("#id_demand-0-title").fill("Chậm cấp điện ba pha")
    phone.locator("#id_demand-0-description").fill("Xưởng mới chưa được cấp điện.")
    _shot(phone, "phone-visit-form")
    # Submitting without the obstacle's category fails and keeps everything typed.
    phone.locator("[data-testid=save-visit]").click()
    expect(phone.locator("[data-testid=form-errors]")).to_be_visible()
    expect(phone.locator("#id_demand-0-title")).to_have_value("Chậm cấp điện ba pha")
    expect(phone.locator("#id_summary")).to_have_value("Trao đổi về kế hoạch mở rộng xưởng.")
    expect(phone.locator("#id_form_1")).to_be_checked()
    _shot(phone, "phone-visit-form-error")
    phone.locator("#id_demand-0-category").select_option("infrastructure")
    phone.locator("[data-testid=save-visit]").click()

    visit = Visit.objects.get()
    obstacle = Obstacle.objects.get()
    phone.wait_for_url(f"{base}/enterprises/visits/{visit.pk}/")
    links = phone.locator("[data-testid=visit-obstacles] a")
    expect(links).to_have_count(1)
    expect(links.first).to_have_text("Chậm cấp điện ba pha")
    _shot(phone, "phone-visit-detail")
    links.first.click()

    phone.wait_for_url(f"{base}/obstacles/{obstacle.pk}/")
    expect(phone.get_by_role("heading", level=1)).to_contain_text("Chậm cấp điện ba pha")
    expect(phone.locator("dd", has_text="Visit").first).to_be_visible()
    _shot(phone, "phone-obstacle-detail")
    assert (obstacle.visit_id, obstacle.enterprise_id) == (visit.pk, setup["company"].pk)
    phone.close()

    # The coordinator at a desk: the pairing is no longer behind; coverage counts the visit.
    desk = browser.new_page(viewport=DESKTOP)
    _log_in(desk, base, "dieuphoi")
    desk.goto(f"{base}/enterprises/pairings/")
    expect(desk.locator("[data-testid=result-count]")).to_contain_text("1 result")
    expect(desk.locator("#list-results tbody tr").first).to_contain_text("On time")
    _shot(desk, "desk-pairing-list")
    desk.goto(f"{base}/enterprises/coverage/")
    expect(desk.locator("[data-testid=total-enterprises]")).to_have_text("2")
    _shot(desk, "desk-coverage")
    desk.goto(f"{base}/enterprises/{setup['company'].pk}/")
    section = desk.locator("[data-testid=pairings-visits]")
    expect(section.locator("[data-testid=section-visits] li")).to_have_count(1)
    expect(section.locator("[data-testid=section-pairings]")).to_contain_text("Trần Văn Cán")
    _shot(desk, "desk-enterprise-detail")
    desk.goto(f"{base}/enterprises/visits/{visit.pk}/")
    _shot(desk, "desk-visit-detail")
    desk.goto(f"{base}/enterprises/visits/new/")
    _shot(desk, "desk-visit-form")
    desk.close()
