"""Pairing pages (list with the behind-on-visits flag, create, edit, end), the paired
official's to-do, the enterprise page's section, and the daily visit-due reminders."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from tests.api.test_api import Api
from tests.enterprises.factories import read_xlsx, xlsx_file
from tests.factories import EnterpriseFactory, PairingFactory, VisitFactory, user_with_role
from vanco.accounts.enums import Role
from vanco.accounts.models import User
from vanco.enterprises.models import Pairing, Visit
from vanco.enterprises.pairings import remind_visits_due
from vanco.notifications.models import Kind, Notification
from vanco.obstacles.models import Obstacle

LIST = reverse("enterprises:pairing-list")
CREATE = reverse("enterprises:pairing-create")
TODAY = datetime.date(2026, 11, 27)


@pytest.fixture(autouse=True)
def _english_messages(request):
    with translation.override("en"):
        if "world" in request.fixturenames:
            request.getfixturevalue("world")
            User.objects.update(language="en")
        yield


def _pairing(enterprise, *, due, official=None, **kwargs):
    return PairingFactory(
        enterprise=enterprise,
        official=official or user_with_role(Role.CADRE),
        next_visit_due=due,
        **kwargs,
    )


def test_pairing_list_behind_filter_flags_days_late(client, world):
    today = timezone.localdate()
    late = _pairing(
        EnterpriseFactory(locality=world["district_a"]), due=today - datetime.timedelta(days=5)
    )
    _pairing(EnterpriseFactory(locality=world["district_a"]), due=today + datetime.timedelta(3))
    client.force_login(world["users"][Role.COORDINATOR])
    response = client.get(LIST, {"behind": "true"})
    rows = response.context["rows"]
    assert response.status_code == 200
    assert [obj.pk for obj, _cells in rows] == [late.pk]
    cells = {column.name: value for column, value in rows[0][1]}
    assert (cells["days_late"], cells["state"]) == (5, "Behind by 5 days")


def test_pairing_list_locality_includes_sub_localities_and_scope(client, world):
    in_commune = _pairing(EnterpriseFactory(locality=world["commune_a"]), due=TODAY)
    _pairing(EnterpriseFactory(locality=world["district_b"]), due=TODAY)
    client.force_login(world["users"][Role.LOCALITY])
    response = client.get(LIST, {"locality": world["district_a"].pk})
    assert [obj.pk for obj, _cells in response.context["rows"]] == [in_commune.pk]
    response = client.get(LIST)
    assert [obj.pk for obj, _cells in response.context["rows"]] == [in_commune.pk]


def test_pairing_list_open_and_ended_filter(client, world):
    enterprise = EnterpriseFactory(locality=world["district_a"])
    ended = _pairing(enterprise, due=TODAY, ends_on=datetime.date(2026, 6, 1))
    open_one = _pairing(enterprise, due=TODAY)
    client.force_login(world["users"][Role.COORDINATOR])
    assert [o.pk for o, _c in client.get(LIST, {"state": "ended"}).context["rows"]] == [ended.pk]
    assert [o.pk for o, _c in client.get(LIST, {"state": "open"}).context["rows"]] == [open_one.pk]


def test_pairing_list_cadre_sees_only_own(client, world):
    cadre = world["users"][Role.CADRE]
    mine = _pairing(EnterpriseFactory(locality=world["district_b"]), due=TODAY, official=cadre)
    _pairing(EnterpriseFactory(locality=world["district_b"]), due=TODAY)
    client.force_login(cadre)
    response = client.get(LIST)
    assert [obj.pk for obj, _cells in response.context["rows"]] == [mine.pk]


def test_pairing_list_export(client, world):
    official = user_with_role(Role.CADRE, full_name="Lê Văn Xuất")
    _pairing(
        EnterpriseFactory(name="Công ty A", locality=world["district_a"]),
        due=TODAY,
        official=official,
    )
    client.force_login(world["users"][Role.COORDINATOR])
    response = client.get(LIST, {"export": "xlsx"})
    rows = read_xlsx(b"".join(response.streaming_content))
    assert rows[1][:2] == ["Lê Văn Xuất", "Công ty A"]
    assert len(rows) == 2


def test_pairing_list_queries_bounded(client, world):
    client.force_login(world["users"][Role.COORDINATOR])
    for _index in range(2):
        _pairing(EnterpriseFactory(locality=world["district_a"]), due=TODAY)
    with CaptureQueriesContext(connection) as small:
        assert client.get(LIST).status_code == 200
    for _index in range(12):
        _pairing(EnterpriseFactory(locality=world["district_a"]), due=TODAY)
    with CaptureQueriesContext(connection) as large:
        assert client.get(LIST).status_code == 200
    assert len(large) == len(small)


def test_pairing_create_page_pairs_official(client, world):
    enterprise = EnterpriseFactory(locality=world["district_a"])
    cadre = world["users"][Role.CADRE]
    client.force_login(world["users"][Role.LOCALITY])
    response = client.post(
        CREATE,
        {
            "official": cadre.pk,
            "enterprise": enterprise.pk,
            "starts_on": "2026-11-01",
            "frequency": "monthly",
            "note": "",
        },
    )
    pairing = Pairing.objects.get()
    assert response.status_code == 302
    assert (pairing.official, pairing.enterprise, pairing.next_visit_due) == (
        cadre,
        enterprise,
        datetime.date(2026, 12, 2),
    )


def test_pairing_create_refuses_enterprise_outside_area(client, world):
    enterprise = EnterpriseFactory(locality=world["district_b"])
    client.force_login(world["users"][Role.LOCALITY])
    response = client.post(
        CREATE,
        {
            "official": world["users"][Role.CADRE].pk,
            "enterprise": enterprise.pk,
            "starts_on": "2026-11-01",
            "frequency": "monthly",
        },
    )
    assert response.status_code == 400
    assert Pairing.objects.count() == 0


def test_pairing_create_refuses_second_open_pairing_keeping_input(client, world):
    enterprise = EnterpriseFactory(locality=world["district_a"])
    cadre = world["users"][Role.CADRE]
    _pairing(enterprise, due=TODAY, official=cadre)
    client.force_login(world["users"][Role.COORDINATOR])
    response = client.post(
        CREATE,
        {
            "official": cadre.pk,
            "enterprise": enterprise.pk,
            "starts_on": "2026-11-01",
            "frequency": "monthly",
            "note": "Ghi chú giữ lại",
        },
    )
    body = response.content.decode()
    assert response.status_code == 400
    assert "This official is already paired with this enterprise." in body
    assert 'value="Ghi chú giữ lại"' in body


@pytest.mark.parametrize(
    ("role", "status"),
    [
        (Role.COORDINATOR, 200),
        (Role.LOCALITY, 200),
        (Role.CADRE, 403),
        (Role.LEADER, 403),
        (Role.DEPARTMENT, 403),
        (Role.ENTERPRISE, 403),
    ],
)
def test_pairing_create_needs_pairings_manage(client, world, role, status):
    client.force_login(world["users"][role])
    assert client.get(CREATE).status_code == status


def test_pairing_end_page_closes_pairing(client, world):
    pairing = _pairing(EnterpriseFactory(locality=world["district_a"]), due=TODAY)
    client.force_login(world["users"][Role.LOCALITY])
    url = reverse("enterprises:pairing-end", args=[pairing.pk])
    response = client.post(url, {"version": pairing.version, "ends_on": "2026-11-20"})
    pairing.refresh_from_db()
    assert response.status_code == 302
    assert (pairing.ends_on, pairing.version) == (datetime.date(2026, 11, 20), 2)


def test_pairing_end_stale_version_refused(client, world):
    pairing = _pairing(EnterpriseFactory(locality=world["district_a"]), due=TODAY)
    client.force_login(world["users"][Role.COORDINATOR])
    url = reverse("enterprises:pairing-end", args=[pairing.pk])
    response = client.post(url, {"version": pairing.version + 1, "ends_on": "2026-11-20"})
    pairing.refresh_from_db()
    assert response.status_code == 400
    assert pairing.ends_on is None


def test_pairing_end_out_of_scope_is_404(client, world):
    pairing = _pairing(EnterpriseFactory(locality=world["district_b"]), due=TODAY)
    client.force_login(world["users"][Role.LOCALITY])
    url = reverse("enterprises:pairing-end", args=[pairing.pk])
    assert client.post(url, {"version": 1, "ends_on": "2026-11-20"}).status_code == 404
    assert client.get(reverse("enterprises:pairing-detail", args=[pairing.pk])).status_code == 404


def test_pairing_edit_page_changes_frequency(client, world):
    pairing = _pairing(EnterpriseFactory(locality=world["district_a"]), due=TODAY)
    client.force_login(world["users"][Role.COORDINATOR])
    url = reverse("enterprises:pairing-edit", args=[pairing.pk])
    response = client.post(url, {"version": 1, "frequency": "monthly", "note": "Ưu tiên"})
    pairing.refresh_from_db()
    assert response.status_code == 302
    assert (pairing.frequency, pairing.note, pairing.next_visit_due) == (
        "monthly",
        "Ưu tiên",
        datetime.date(2026, 2, 1),
    )


def test_pairing_edit_by_paired_cadre_is_403(client, world):
    cadre = world["users"][Role.CADRE]
    pairing = _pairing(EnterpriseFactory(locality=world["district_a"]), due=TODAY, official=cadre)
    client.force_login(cadre)
    url = reverse("enterprises:pairing-edit", args=[pairing.pk])
    assert client.post(url, {"version": 1, "frequency": "monthly"}).status_code == 403


def test_my_enterprises_lists_own_open_pairings_most_urgent_first(client, world):
    cadre = world["users"][Role.CADRE]
    today = timezone.localdate()
    later = _pairing(
        EnterpriseFactory(locality=world["district_a"]),
        due=today + datetime.timedelta(days=20),
        official=cadre,
    )
    late = _pairing(
        EnterpriseFactory(locality=world["district_a"]),
        due=today - datetime.timedelta(days=2),
        official=cadre,
    )
    _pairing(
        EnterpriseFactory(locality=world["district_a"]),
        due=today,
        official=cadre,
        ends_on=datetime.date(2026, 2, 1),
    )
    client.force_login(cadre)
    response = client.get(reverse("enterprises:pairing-mine"))
    assert response.status_code == 200
    assert [(p.pk, days) for p, days in response.context["rows"]] == [(late.pk, 2), (later.pk, 0)]
    assert response.context["behind"] == 1


def test_enterprise_section_shows_pairings_and_visits(client, world):
    enterprise = EnterpriseFactory(locality=world["district_a"])
    official = user_with_role(Role.CADRE, full_name="Phạm Thị Gắn")
    _pairing(enterprise, due=TODAY, official=official)
    VisitFactory(enterprise=enterprise).officials.set([official])
    client.force_login(world["users"][Role.LOCALITY])
    url = reverse("enterprises:enterprise-pairings-visits", args=[enterprise.pk])
    response = client.get(url)
    body = response.content.decode()
    assert response.status_code == 200
    assert (response.context["pairings_count"], response.context["visits_count"]) == (1, 1)
    assert "Phạm Thị Gắn" in body
    detail = client.get(enterprise.get_absolute_url()).content.decode()
    assert url in detail


def test_enterprise_section_out_of_scope_is_404(client, world):
    enterprise = EnterpriseFactory(locality=world["district_b"])
    client.force_login(world["users"][Role.LOCALITY])
    url = reverse("enterprises:enterprise-pairings-visits", args=[enterprise.pk])
    assert client.get(url).status_code == 404


# --- remind_visits_due ----------------------------------------------------------------------


def test_remind_visits_due_three_days_ahead_and_weekly_when_late(world):
    official = world["users"][Role.CADRE]
    soon = _pairing(
        EnterpriseFactory(name="Sắp đến", locality=world["district_a"]),
        due=TODAY + datetime.timedelta(days=3),
        official=official,
        frequency="monthly",
    )
    _pairing(
        EnterpriseFactory(locality=world["district_a"]),
        due=TODAY + datetime.timedelta(days=2),
        official=official,
    )
    late_1 = _pairing(
        EnterpriseFactory(locality=world["district_a"]),
        due=TODAY - datetime.timedelta(days=1),
        official=official,
    )
    late_8 = _pairing(
        EnterpriseFactory(locality=world["district_a"]),
        due=TODAY - datetime.timedelta(days=8),
        official=official,
    )
    _pairing(
        EnterpriseFactory(locality=world["district_a"]),
        due=TODAY - datetime.timedelta(days=4),
        official=official,
    )
    _pairing(
        EnterpriseFactory(locality=world["district_a"]),
        due=TODAY - datetime.timedelta(days=1),
        official=official,
        ends_on=datetime.date(2026, 6, 1),
    )
    assert remind_visits_due(today=TODAY) == 3
    notes = Notification.objects.filter(kind=Kind.VISIT_DUE).order_by("key")
    assert sorted(n.key for n in notes) == sorted(
        f"visit_due:{p.pk}:2026-11-27" for p in (soon, late_1, late_8)
    )
    first = Notification.objects.get(key=f"visit_due:{soon.pk}:2026-11-27")
    assert first.user == official
    assert first.params == {"enterprise": "Sắp đến", "frequency_code": "monthly"}
    assert first.message() == "A visit to Sắp đến is due (agreed: monthly)."


def test_remind_visits_due_once_per_pairing_per_day(world):
    _pairing(
        EnterpriseFactory(locality=world["district_a"]), due=TODAY + datetime.timedelta(days=3)
    )
    assert remind_visits_due(today=TODAY) == 1
    assert remind_visits_due(today=TODAY) == 0
    assert Notification.objects.count() == 1


# --- API ------------------------------------------------------------------------------------


def test_api_pairing_list_scoped_and_behind_filter(world):
    today = timezone.localdate()
    late = _pairing(
        EnterpriseFactory(locality=world["district_a"]), due=today - datetime.timedelta(4)
    )
    _pairing(EnterpriseFactory(locality=world["district_a"]), due=today + datetime.timedelta(4))
    _pairing(EnterpriseFactory(locality=world["district_b"]), due=today - datetime.timedelta(4))
    response = Api(world["users"][Role.LOCALITY]).get("/api/v1/pairings", {"behind": "true"})
    assert response.status_code == 200
    assert [(item["id"], item["days_late"]) for item in response.json()["items"]] == [(late.pk, 4)]


def test_api_pairing_create_update_end(world):
    enterprise = EnterpriseFactory(locality=world["district_a"])
    cadre = world["users"][Role.CADRE]
    api = Api(world["users"][Role.LOCALITY])
    response = api.post(
        "/api/v1/pairings",
        {
            "official_id": cadre.pk,
            "enterprise_id": enterprise.pk,
            "starts_on": "2026-11-01",
            "frequency": "monthly",
        },
    )
    assert response.status_code == 201
    pk = response.json()["id"]
    assert response.json()["next_visit_due"] == "2026-12-02"
    response = api.patch(f"/api/v1/pairings/{pk}", {"version": 1, "frequency": "yearly"})
    assert (response.status_code, response.json()["frequency"]) == (200, "yearly")
    response = api.patch(f"/api/v1/pairings/{pk}", {"version": 1, "frequency": "monthly"})
    assert response.status_code == 409
    response = api.post(f"/api/v1/pairings/{pk}/end", {"version": 2, "ends_on": "2026-11-20"})
    assert (response.status_code, response.json()["ends_on"]) == (200, "2026-11-20")


def test_api_pairing_out_of_scope_404_and_cadre_403(world):
    cadre = world["users"][Role.CADRE]
    other = _pairing(EnterpriseFactory(locality=world["district_b"]), due=TODAY)
    own = _pairing(EnterpriseFactory(locality=world["district_b"]), due=TODAY, official=cadre)
    officer = Api(world["users"][Role.LOCALITY])
    assert officer.get(f"/api/v1/pairings/{other.pk}").status_code == 404
    assert officer.post(f"/api/v1/pairings/{other.pk}/end", {"version": 1}).status_code == 404
    assert Api(cadre).get(f"/api/v1/pairings/{own.pk}").status_code == 200
    assert Api(cadre).post(f"/api/v1/pairings/{own.pk}/end", {"version": 1}).status_code == 403


def test_api_visit_create_with_obstacle_and_read_back(world):
    cadre = world["users"][Role.CADRE]
    enterprise = EnterpriseFactory(locality=world["district_b"])
    _pairing(enterprise, due=TODAY, official=cadre)
    api = Api(cadre)
    response = api.post(
        "/api/v1/visits",
        {
            "enterprise_id": enterprise.pk,
            "visited_on": timezone.localdate().isoformat(),
            "form": "phone",
            "summary": "Gọi điện trao đổi.",
            "obstacles": [
                {"title": "Thiếu lao động", "category": "labour", "description": "Cần 50 thợ."}
            ],
        },
    )
    assert response.status_code == 201, response.content
    body = response.json()
    obstacle = Obstacle.objects.get()
    assert (body["form"], body["official_ids"], body["obstacle_ids"]) == (
        "phone",
        [cadre.pk],
        [obstacle.pk],
    )
    assert obstacle.visit_id == body["id"]
    listed = api.get("/api/v1/visits", {"form": "phone"}).json()["items"]
    assert [item["id"] for item in listed] == [body["id"]]
    assert Api(world["users"][Role.LOCALITY]).get(f"/api/v1/visits/{body['id']}").status_code == 404


def test_api_visit_create_invalid_obstacle_is_422(world):
    cadre = world["users"][Role.CADRE]
    enterprise = EnterpriseFactory(locality=world["district_b"])
    _pairing(enterprise, due=TODAY, official=cadre)
    response = Api(cadre).post(
        "/api/v1/visits",
        {
            "enterprise_id": enterprise.pk,
            "visited_on": timezone.localdate().isoformat(),
            "summary": "Gặp giám đốc.",
            "obstacles": [{"title": "X", "category": "nope", "description": "Y"}],
        },
    )
    assert response.status_code == 422
    assert list(response.json()["error"]["fields"]) == ["obstacles.0.category"]
    assert Visit.objects.count() == 0


def test_api_visit_create_needs_visits_log(world):
    response = Api(world["users"][Role.DEPARTMENT]).post(
        "/api/v1/visits", {"enterprise_id": 1, "visited_on": "2026-11-01", "summary": "x"}
    )
    assert response.status_code == 403


def test_api_coverage_scoped(world):
    EnterpriseFactory(locality=world["commune_a"])
    EnterpriseFactory(locality=world["district_b"])
    response = Api(world["users"][Role.LOCALITY]).get("/api/v1/coverage")
    assert response.status_code == 200
    assert [
        (row["locality_id"], row["enterprises"], row["paired"]) for row in response.json()["rows"]
    ] == [(world["district_a"].pk, 1, 0)]


# --- Excel import ---------------------------------------------------------------------------

IMPORT_HEADER = ["Official (user name)", "Tax code", "Visit frequency", "Start date"]


def test_import_pairings_creates_all_rows(world):
    from vanco.core.imports import run_import
    from vanco.enterprises import pairing_imports  # noqa: F401  (registers the kind)

    first = EnterpriseFactory(locality=world["district_a"])
    second = EnterpriseFactory(locality=world["commune_a"])
    cadre = world["users"][Role.CADRE]
    rows = [
        IMPORT_HEADER,
        ["cadre", first.tax_code, "Monthly", datetime.date(2026, 11, 1)],
        ["CADRE", second.tax_code, "", "01/10/2026"],
    ]
    result = run_import("pairings", xlsx_file(rows), user=world["users"][Role.LOCALITY])
    assert (result.error_lines(), result.created) == ([], 2)
    assert sorted(
        Pairing.objects.values_list("official_id", "enterprise_id", "frequency", "next_visit_due")
    ) == sorted(
        [
            (cadre.pk, first.pk, "monthly", datetime.date(2026, 12, 2)),
            (cadre.pk, second.pk, "quarterly", datetime.date(2027, 1, 1)),
        ]
    )


def test_import_pairings_all_or_nothing_with_row_errors(world):
    from vanco.core.imports import run_import
    from vanco.enterprises import pairing_imports  # noqa: F401  (registers the kind)

    good = EnterpriseFactory(locality=world["district_a"])
    outside = EnterpriseFactory(locality=world["district_b"])
    rows = [
        IMPORT_HEADER,
        ["cadre", good.tax_code, "Monthly", "2026-11-01"],
        ["cadre", outside.tax_code, "Monthly", "2026-11-01"],
        ["enterprise", good.tax_code, "Monthly", "2026-11-01"],
        ["cadre", good.tax_code, "Weekly", "2026-11-01"],
    ]
    result = run_import("pairings", xlsx_file(rows), user=world["users"][Role.LOCALITY])
    assert result.error_lines() == [
        "row 3, column Tax code: no enterprise you can see has this tax code.",
        "row 4, column Official (user name): no active official has this user name.",
        result.error_lines()[2],
    ]
    assert result.error_lines()[2].startswith("row 5, column Visit frequency: ")
    assert Pairing.objects.count() == 0


def test_import_pairings_needs_pairings_manage(world):
    from django.core.exceptions import PermissionDenied

    from vanco.core.imports import run_import
    from vanco.enterprises import pairing_imports  # noqa: F401  (registers the kind)

    with pytest.raises(PermissionDenied):
        run_import("pairings", xlsx_file([IMPORT_HEADER]), user=world["users"][Role.CADRE])


def test_official_options_search_and_enterprise_user_refused(client, world):
    user_with_role(Role.CADRE, username="hoa", full_name="Đỗ Thị Hoà")
    url = reverse("enterprises:official-options")
    client.force_login(world["users"][Role.LOCALITY])
    response = client.get(url, {"q": "do thi hoa"})
    assert response.json() == {
        "results": [{"value": User.objects.get(username="hoa").pk, "text": "Đỗ Thị Hoà (hoa)"}]
    }
    client.force_login(world["users"][Role.ENTERPRISE])
    assert client.get(url, {"q": "hoa"}).status_code == 403


def test_pairing_list_official_filter_renders_only_the_chosen_official(client, world):
    chosen = user_with_role(Role.CADRE, full_name="Cán bộ Được Chọn")
    user_with_role(Role.CADRE, full_name="Cán bộ Không Chọn")
    client.force_login(world["users"][Role.COORDINATOR])
    body = client.get(LIST, {"official": chosen.pk}).content.decode()
    assert "Cán bộ Được Chọn" in body
    assert "Cán bộ Không Chọn" not in body


def test_obstacles_tick_sends_visit_reminders(world):
    import io

    from django.core.management import call_command

    _pairing(EnterpriseFactory(locality=world["district_a"]), due=TODAY + datetime.timedelta(3))
    out = io.StringIO()
    call_command("obstacles_tick", "--today", TODAY.isoformat(), stdout=out)
    assert "visit reminders 1," in out.getvalue()
    assert Notification.objects.filter(kind=Kind.VISIT_DUE).count() == 1
