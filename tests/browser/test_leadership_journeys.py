"""Real Chromium: the leadership layer end to end.

1. The coordinator prepares a meeting from the proposed agenda, records the minutes and issues a
   directive from it to a department, linked to the red project.
2. The department officer acknowledges it, reports progress and completes it with evidence (text
   and a file), at 1280 px and on a 360 px phone; the issuer is notified.
3. The leader reads the command dashboard, opens the red list and lands on exactly the red
   projects; in Chinese the dashboard's headings are Chinese.

Set LEADERSHIP_SCREENSHOTS=<directory> to keep a screenshot of every screen.
"""

import datetime
import os
import re

import pytest
from django.utils import timezone, translation
from playwright.sync_api import expect

from tests.factories import EnterpriseFactory, ObstacleFactory, ProjectFactory
from tests.meetings.factories import DirectiveFactory
from vanco.accounts.enums import Role
from vanco.meetings import services as meeting_services
from vanco.meetings.enums import AgendaSource, DirectiveStatus, MeetingStatus, UpdateKind
from vanco.meetings.models import Directive, DirectiveUpdate, Meeting
from vanco.notifications.models import Kind, Notification
from vanco.obstacles.enums import Level
from vanco.obstacles.enums import Status as ObstacleStatus
from vanco.projects.enums import NO_LIGHT_STAGES, Light, Stage
from vanco.projects.models import Project

from .test_obstacle_journey import _log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 360, "height": 740}
DESKTOP = {"width": 1280, "height": 900}
RED_NAME = "Nhà máy điện mặt trời Đông Hà"
ESCALATED_TITLE = "Chưa giao đất cho nhà máy điện mặt trời"
OVERDUE_TITLE = "Báo cáo tiến độ giải phóng mặt bằng KCN Tây Sơn"
DIRECTIVE_TITLE = "Bàn giao mặt bằng cho Nhà máy điện mặt trời Đông Hà"
CJK = re.compile(r"[\u4e00-\u9fff]")


def _shot(page, name):
    directory = os.environ.get("LEADERSHIP_SCREENSHOTS")
    if directory:
        page.screenshot(path=os.path.join(directory, f"{name}.png"), full_page=True)


def _no_horizontal_scroll(page):
    width = page.viewport_size["width"]
    assert page.evaluate("document.documentElement.scrollWidth") <= width


def _choose(page, select_id: str, text: str, *, remote: bool = False, shown: str = ""):
    """Pick an option of a select enhanced with a search box (tom-select); a remote one shows
    its options only once the user has typed."""
    control = page.locator(f"#{select_id}-ts-control")
    control.locator("xpath=..").click()
    if not remote:
        expect(page.locator(f"#{select_id}-ts-dropdown")).to_be_visible()
    expect(control).to_be_focused()
    control.press_sequentially(text, delay=20)
    shown = shown or text
    option = page.locator(f"#{select_id}-ts-dropdown .option", has_text=shown)
    expect(option).to_have_count(1)
    option.click()
    page.keyboard.press("Escape")
    control.blur()  # a remote-loading select keeps focus otherwise
    expect(page.locator(f"#{select_id} option:checked")).to_contain_text(shown)


def _settled(page):
    """Wait until the page and its htmx fragments (the bell) are loaded: the live server shares
    the test's SQLite connection, so the test reads the database only while it is idle."""
    page.wait_for_load_state("networkidle")


def _new_page(browser, viewport):
    """A page that remembers every server error it met (`page.server_errors`): each journey
    ends by asserting there was none."""
    page = browser.new_page(viewport=viewport)
    page.server_errors = []
    page.on(
        "response",
        lambda r: page.server_errors.append((r.status, r.url)) if r.status >= 500 else None,
    )
    page.set_default_timeout(10_000)
    page.set_default_navigation_timeout(15_000)
    return page


def _open_menu(page, name: str, *, within: str | None = None):
    """Click a main-menu entry (opening the collapsed menu on a phone, and a dropdown first
    when `within` names one)."""
    toggler = page.locator("button.navbar-toggler")
    if toggler.is_visible():
        toggler.click()
        expect(page.locator("#main-nav")).to_be_visible()
    menu = page.locator("#main-nav")
    # Icon fonts put a private-use character before the words of the accessible name.
    if within:
        menu.get_by_role("button", name=_words(within)).click()
    menu.get_by_role("link", name=_words(name)).click()


def _words(text: str):
    return re.compile(rf"^\W*{re.escape(text)}$")


@pytest.fixture
def leadership(world):
    """The world plus one red project, one escalated obstacle and one overdue directive, all of
    district A / department A."""
    users = world["users"]
    for user in (users[Role.LEADER], users[Role.COORDINATOR], users[Role.DEPARTMENT]):
        user.language = "en"
        user.save()
    company = EnterpriseFactory(name="Công ty CP Năng lượng Đông Hà", locality=world["district_a"])
    red = ProjectFactory(
        name=RED_NAME,
        investor=company,
        stage=Stage.UNDER_CONSTRUCTION,
        light=Light.RED,
        light_reasons=[{"code": "behind_pace", "params": {"points": 35}}],
    )
    ProjectFactory(name="Nhà máy may Ánh Dương", investor=company, light=Light.GREEN)
    ProjectFactory(
        name="Nhà máy gạch Bình Sơn",
        investor=EnterpriseFactory(locality=world["district_b"]),
        stage=Stage.SIGNED,
        light=Light.YELLOW,
    )
    escalated = ObstacleFactory(
        title=ESCALATED_TITLE,
        enterprise=company,
        project=red,
        status=ObstacleStatus.ASSIGNED,
        escalation_level=Level.GROUP,
        lead_department=world["dept_a"],
    )
    today = timezone.localdate()
    overdue = DirectiveFactory(
        title=OVERDUE_TITLE,
        issued_by=users[Role.LEADER],
        departments=[world["dept_a"]],
        due_on=today - datetime.timedelta(days=3),
    )
    # The daily run flags it (one OVERDUE update, notices to the unit and the issuer).
    assert meeting_services.mark_overdue(today=today) == 1
    return {**world, "red": red, "escalated": escalated, "overdue": overdue, "today": today}


def test_coordinator_prepares_meeting_and_issues_directive(browser, live_server, leadership):
    base = live_server.url
    coordinator = leadership["users"][Role.COORDINATOR]
    officer = leadership["users"][Role.DEPARTMENT]
    red, overdue = leadership["red"], leadership["overdue"]
    page = _new_page(browser, DESKTOP)
    _log_in(page, base, "coordinator")
    _open_menu(page, "Meetings", within="Meetings")
    expect(page.get_by_role("heading", level=1)).to_have_text("Meetings")
    page.get_by_role("main").get_by_role("link", name=_words("Add")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Prepare a meeting")

    # The proposed agenda: the red project, the escalated obstacle and the overdue directive,
    # all ticked. The coordinator keeps the red project and the overdue directive.
    proposals = page.get_by_test_id("proposals").locator("li")
    expect(proposals).to_have_count(3)
    expect(proposals.nth(0)).to_contain_text(RED_NAME)
    expect(proposals.nth(1)).to_contain_text(ESCALATED_TITLE)
    expect(proposals.nth(2)).to_contain_text(OVERDUE_TITLE)
    for index in range(3):
        expect(proposals.nth(index).locator("input[type=checkbox]")).to_be_checked()
    proposals.nth(1).locator("input[type=checkbox]").uncheck()

    starts = timezone.localtime() + datetime.timedelta(days=5)
    page.get_by_label("Title").fill("Họp Ban chỉ đạo tháng 12")
    page.get_by_label("Date and time").fill(starts.strftime("%Y-%m-%dT09:00"))
    page.get_by_label("Location").fill("Phòng họp số 1, UBND thành phố")
    _shot(page, "meeting-form-1280")
    page.get_by_role("button", name="Save the meeting").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Họp Ban chỉ đạo tháng 12")
    _settled(page)
    meeting = Meeting.objects.get()
    expect(page).to_have_url(re.compile(rf"/meetings/{meeting.pk}/$"))
    expect(page.get_by_test_id("status")).to_have_attribute("data-status", MeetingStatus.PLANNED)
    agenda = page.get_by_test_id("agenda").locator("li[data-item]")
    expect(agenda).to_have_count(2)
    expect(agenda.nth(0)).to_contain_text(RED_NAME)
    expect(agenda.nth(1)).to_contain_text(OVERDUE_TITLE)
    assert list(
        meeting.agenda.order_by("position").values_list("source", "project", "directive")
    ) == [
        (AgendaSource.RED_PROJECT, red.pk, None),
        (AgendaSource.OVERDUE_DIRECTIVE, None, overdue.pk),
    ]

    # The decision on the red project, in the htmx dialog.
    agenda.nth(0).get_by_role("link", name="Decision").click()
    dialog = page.locator("#step-dialog")
    expect(dialog).to_be_visible()
    dialog.get_by_label("Decision").fill("Sở KH&ĐT bàn giao mặt bằng trong 14 ngày.")
    _shot(page, "agenda-decision-1280")
    dialog.locator("button[type=submit]").click()
    expect(agenda.nth(0).get_by_test_id("decision")).to_contain_text(
        "Sở KH&ĐT bàn giao mặt bằng trong 14 ngày."
    )

    # The minutes.
    minutes = page.get_by_test_id("minutes-form")
    minutes.locator("textarea").fill("Ban chỉ đạo thống nhất giao Sở KH&ĐT chủ trì tháo gỡ.")
    minutes.get_by_role("button", name="Save the minutes").click()
    expect(page.get_by_role("status").filter(has_text="Minutes saved.")).to_be_visible()
    expect(page.get_by_test_id("minutes-form").locator("textarea")).to_have_value(
        "Ban chỉ đạo thống nhất giao Sở KH&ĐT chủ trì tháo gỡ."
    )

    # A directive from the meeting to department A, linked to the red project.
    page.get_by_test_id("issue").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Issue a directive")
    expect(page.get_by_test_id("from-meeting")).to_contain_text("Họp Ban chỉ đạo tháng 12")
    due = leadership["today"] + datetime.timedelta(days=14)
    form = page.get_by_test_id("directive-form")
    form.get_by_label("Title").fill(DIRECTIVE_TITLE)
    form.get_by_label("What is to be done").fill("Hoàn thành bàn giao, báo cáo kết quả.")
    form.get_by_label("Due date").fill(due.isoformat())
    _choose(page, "id_projects", "điện mặt trời", remote=True, shown=RED_NAME)
    _choose(page, "id_departments", str(leadership["dept_a"]))
    _shot(page, "directive-form-1280")
    form.get_by_role("button", name="Issue").click()

    expect(page.get_by_role("heading", level=1)).to_have_text(DIRECTIVE_TITLE)
    _settled(page)
    directive = Directive.objects.get(title=DIRECTIVE_TITLE)
    expect(page).to_have_url(re.compile(rf"/meetings/directives/{directive.pk}/$"))
    expect(page.get_by_test_id("number")).to_have_text(f"CD-{directive.pk}")
    expect(page.get_by_test_id("status")).to_have_attribute("data-status", DirectiveStatus.ISSUED)
    expect(page.get_by_test_id("assignees")).to_have_text("Sở Kế hoạch và Đầu tư")
    expect(page.get_by_role("link", name=RED_NAME)).to_be_visible()
    expect(page.get_by_role("link", name=str(meeting))).to_be_visible()
    expect(page.get_by_test_id("timeline").locator("li")).to_have_count(1)
    _shot(page, "directive-issued-1280")
    _settled(page)
    assert (
        directive.meeting,
        directive.issued_by,
        directive.due_on,
        directive.status,
        list(directive.departments.all()),
        list(directive.localities.all()),
        list(directive.projects.all()),
    ) == (meeting, coordinator, due, DirectiveStatus.ISSUED, [leadership["dept_a"]], [], [red])
    assert list(directive.updates.values_list("kind", flat=True)) == [UpdateKind.ISSUED]
    meeting.refresh_from_db()
    assert meeting.minutes == "Ban chỉ đạo thống nhất giao Sở KH&ĐT chủ trì tháo gỡ."
    assert meeting.agenda.get(project=red).decision == "Sở KH&ĐT bàn giao mặt bằng trong 14 ngày."
    # The department's officer is told (and only about this directive from this journey).
    assert list(
        Notification.objects.filter(user=officer, kind=Kind.DIRECTIVE_ISSUED)
        .order_by("pk")
        .values_list("url", flat=True)
    ) == [directive.get_absolute_url()]
    assert page.server_errors == []


def _issued_from_meeting(leadership):
    coordinator = leadership["users"][Role.COORDINATOR]
    meeting = meeting_services.create_meeting(
        actor=coordinator,
        data={
            "kind": "leading_group",
            "title": "Họp Ban chỉ đạo tháng 12",
            "starts_at": timezone.now() + datetime.timedelta(days=2),
        },
    )
    return meeting_services.issue_directive(
        actor=coordinator,
        data={
            "title": DIRECTIVE_TITLE,
            "text": "Hoàn thành bàn giao, báo cáo kết quả.",
            "due_on": leadership["today"] + datetime.timedelta(days=14),
        },
        departments=[leadership["dept_a"]],
        localities=[],
        projects=[leadership["red"]],
        obstacles=[],
        meeting=meeting,
        issued_by=coordinator,
    )


def _step(page, action, fill=None, name=""):
    page.get_by_test_id("actions").locator(f"[data-action={action}]").click()
    dialog = page.locator("#step-dialog")
    expect(dialog).to_be_visible()
    form = dialog.locator(f"form[data-action={action}]")
    expect(form).to_be_visible()
    if fill:
        fill(form)
    _shot(page, f"step-{action}-{name}")
    form.locator("button[type=submit]").click()


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["1280", "360"])
def test_department_officer_carries_out_directive(
    browser, live_server, leadership, viewport, tmp_path, settings
):
    settings.MEDIA_ROOT = tmp_path
    base = live_server.url
    officer = leadership["users"][Role.DEPARTMENT]
    coordinator = leadership["users"][Role.COORDINATOR]
    directive = _issued_from_meeting(leadership)
    name = str(viewport["width"])

    page = _new_page(browser, viewport)
    _log_in(page, base, "dept_a")
    # "Directives" in the officer's menu is the unit's inbox: this one is new, the old one
    # is new and overdue.
    _open_menu(page, "Directives")
    expect(page.get_by_role("heading", level=1)).to_have_text("My directives")
    counts = page.get_by_test_id("inbox-counts")
    expect(counts.locator("[data-count=new]")).to_have_text("2")
    expect(counts.locator("[data-count=in_progress]")).to_have_text("0")
    expect(counts.locator("[data-count=overdue]")).to_have_text("1")
    row = page.locator(f"tr[data-directive='{directive.pk}']")
    expect(row.locator("[data-status]")).to_have_attribute("data-status", DirectiveStatus.ISSUED)
    _shot(page, f"inbox-{name}")
    if viewport is PHONE:
        _no_horizontal_scroll(page)
    row.get_by_role("link", name=DIRECTIVE_TITLE).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(DIRECTIVE_TITLE)

    _step(page, "acknowledge", lambda f: f.locator("textarea").fill("Sở đã nhận."), name)
    expect(page.get_by_test_id("status")).to_have_attribute(
        "data-status", DirectiveStatus.ACKNOWLEDGED
    )
    _step(
        page,
        "progress",
        lambda f: f.get_by_label("What was done").fill("Đã đo đạc xong 60% diện tích."),
        name,
    )
    expect(page.get_by_test_id("status")).to_have_attribute(
        "data-status", DirectiveStatus.ACKNOWLEDGED
    )

    def evidence(form):
        form.get_by_label("Evidence of completion").fill("Biên bản bàn giao mặt bằng ngày 20/11.")
        form.locator("input[type=file]").set_input_files(
            {
                "name": "bien-ban-ban-giao.pdf",
                "mimeType": "application/pdf",
                "buffer": b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n",
            }
        )

    _step(page, "complete", evidence, name)
    expect(page.get_by_test_id("status")).to_have_attribute("data-status", DirectiveStatus.DONE)
    expect(page.get_by_test_id("evidence")).to_have_text("Biên bản bàn giao mặt bằng ngày 20/11.")
    expect(page.get_by_test_id("actions")).to_have_count(0)
    timeline = page.get_by_test_id("timeline").locator("li")
    expect(timeline).to_have_count(4)
    assert [timeline.nth(i).get_attribute("data-event") for i in range(4)] == [
        "issued",
        "acknowledged",
        "progress",
        "done",
    ]
    expect(timeline.nth(1)).to_contain_text("Sở đã nhận.")
    expect(timeline.nth(2)).to_contain_text("Đã đo đạc xong 60% diện tích.")
    expect(timeline.nth(3).get_by_role("link", name="bien-ban-ban-giao.pdf")).to_be_visible()
    _shot(page, f"directive-done-{name}")
    if viewport is PHONE:
        _no_horizontal_scroll(page)

    _settled(page)
    directive.refresh_from_db()
    assert (directive.status, directive.evidence, directive.done_at is not None) == (
        DirectiveStatus.DONE,
        "Biên bản bàn giao mặt bằng ngày 20/11.",
        True,
    )
    updates = DirectiveUpdate.objects.filter(directive=directive).order_by("at", "pk")
    assert [(u.kind, u.actor_id, u.original_name) for u in updates] == [
        (UpdateKind.ISSUED, coordinator.pk, ""),
        (UpdateKind.ACKNOWLEDGED, officer.pk, ""),
        (UpdateKind.PROGRESS, officer.pk, ""),
        (UpdateKind.DONE, officer.pk, "bien-ban-ban-giao.pdf"),
    ]

    # The issuer is told: the bell counts it and the notice leads to the directive.
    assert Notification.objects.filter(user=coordinator, kind=Kind.DIRECTIVE_DONE).count() == 1
    desk = _new_page(browser, viewport)
    _log_in(desk, base, "coordinator")
    bell = desk.get_by_test_id("notifications-bell")
    if viewport is PHONE:
        desk.locator("button.navbar-toggler").click()
    expect(bell.get_by_test_id("unread-count")).to_have_text("1")
    bell.click()
    notice = desk.get_by_test_id("notifications").locator("li")
    expect(notice).to_have_count(1)
    expect(notice.first).to_contain_text(f"CD-{directive.pk}")
    expect(notice.first).to_contain_text("was reported done")
    notice.first.get_by_role("link").click()
    expect(desk.get_by_role("heading", level=1)).to_have_text(DIRECTIVE_TITLE)
    expect(desk.get_by_test_id("status")).to_have_attribute("data-status", DirectiveStatus.DONE)
    _shot(desk, f"issuer-notified-{name}")
    assert (page.server_errors, desk.server_errors) == ([], [])


def _zh(text: str) -> str:
    with translation.override("zh-hans"):
        return translation.gettext(text)


def test_leader_reads_dashboard_opens_red_list_and_reads_it_in_chinese(
    browser, live_server, leadership
):
    base = live_server.url
    leader = leadership["users"][Role.LEADER]
    page = _new_page(browser, DESKTOP)
    _log_in(page, base, "leader")
    _open_menu(page, "Dashboard")
    expect(page.get_by_role("heading", level=1)).to_have_text("Command dashboard")
    _shot(page, "dashboard-1280")
    _settled(page)
    visible = Project.objects.visible_to(leader)
    red_projects = visible.filter(light=Light.RED).exclude(stage__in=NO_LIGHT_STAGES)
    numbers = page.get_by_test_id("big-numbers")
    expect(numbers.locator("[data-figure=projects_total] [data-value]")).to_have_text(
        str(visible.count())
    )
    expect(numbers.locator("[data-figure=red_count] [data-value]")).to_have_text(
        str(red_projects.count())
    )
    assert (visible.count(), red_projects.count()) == (3, 1)
    red_list = page.get_by_test_id("red-list")
    expect(red_list.get_by_role("link", name=RED_NAME)).to_be_visible()

    red_list.get_by_role("link", name="All 1 project").click()
    expect(page).to_have_url(re.compile(r"/projects/\?(.*&)?light=red"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Projects")
    expect(page.get_by_test_id("result-count")).to_have_text("1 result")
    rows = page.locator("tr[data-project]")
    expect(rows).to_have_count(1)
    assert [rows.nth(0).get_attribute("data-project")] == list(
        red_projects.values_list("code", flat=True)
    )
    expect(rows.nth(0)).to_contain_text(RED_NAME)
    _shot(page, "red-list-1280")

    # Back to the dashboard, then in Chinese: the headings are the Chinese ones.
    page.go_back()
    expect(page.get_by_role("heading", level=1)).to_have_text("Command dashboard")
    page.get_by_test_id("language-menu").click()
    page.get_by_test_id("lang-zh-hans").click()
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    _shot(page, "dashboard-zh-1280")
    headings = [
        ("h1", "Command dashboard"),
        ("h2", "Pipeline by stage"),
        ("h2", "Funds in place over time"),
        ("h2", "By leading industry"),
        ("h2", "By locality"),
        ("h2", "Red projects"),
        ("h2", "Overdue obstacles"),
    ]
    shown = {
        source: page.locator(tag).filter(has_text=_zh(source)).count() for tag, source in headings
    }
    expected = {source: 1 for _, source in headings}
    untranslated = [source for _, source in headings if not CJK.search(_zh(source))]
    assert (untranslated, shown) == ([], expected)
    assert page.server_errors == []
