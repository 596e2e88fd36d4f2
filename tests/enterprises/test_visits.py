"""Visit pages: the phone-first visit form turning demands into obstacles, the list (filters,
export, bounded queries) and the detail with the obstacles a visit raised."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from tests.enterprises.factories import read_xlsx
from tests.factories import (
    EnterpriseFactory,
    ObstacleFactory,
    PairingFactory,
    VisitFactory,
    user_with_role,
)
from vanco.accounts.enums import Role
from vanco.accounts.models import User
from vanco.enterprises.models import Pairing, Visit
from vanco.obstacles.enums import Source
from vanco.obstacles.models import Obstacle

CREATE = reverse("enterprises:visit-create")
LIST = reverse("enterprises:visit-list")


@pytest.fixture(autouse=True)
def _english_messages(request):
    with translation.override("en"):
        if "world" in request.fixturenames:
            request.getfixturevalue("world")
            User.objects.update(language="en")
        yield


@pytest.fixture
def cadre(world):
    return world["users"][Role.CADRE]


@pytest.fixture
def paired(world, cadre):
    enterprise = EnterpriseFactory(name="Công ty Cơ khí Ánh Dương", locality=world["district_a"])
    PairingFactory(official=cadre, enterprise=enterprise, starts_on=datetime.date(2026, 1, 1))
    return enterprise


def _post_data(enterprise, **extra):
    data = {
        "enterprise": str(enterprise.pk),
        "visited_on": timezone.localdate().isoformat(),
        "form": "on_site",
        "people_met": "Bà Lan, giám đốc",
        "summary": "Trao đổi kế hoạch mở rộng nhà xưởng.",
        "demands": "Cần hỗ trợ thủ tục đất đai.",
        "demand-TOTAL_FORMS": "1",
        "demand-INITIAL_FORMS": "0",
        "demand-MIN_NUM_FORMS": "0",
        "demand-MAX_NUM_FORMS": "10",
        "demand-0-title": "",
        "demand-0-category": "",
        "demand-0-severity": "medium",
        "demand-0-description": "",
    }
    data.update(extra)
    return data


def test_visit_form_logs_visit_and_raises_obstacle(client, cadre, paired):
    client.force_login(cadre)
    data = _post_data(
        paired,
        **{
            "demand-0-title": "Chậm cấp giấy phép xây dựng",
            "demand-0-category": "land",
            "demand-0-severity": "high",
            "demand-0-description": "Hồ sơ nộp từ tháng 8 chưa có kết quả.",
        },
    )
    response = client.post(CREATE, data)
    visit = Visit.objects.get()
    assert response.status_code == 302
    assert response["Location"] == visit.get_absolute_url()
    obstacle = Obstacle.objects.get()
    assert (obstacle.visit_id, obstacle.source, obstacle.enterprise_id) == (
        visit.pk,
        Source.VISIT,
        paired.pk,
    )
    assert (obstacle.title, obstacle.category, obstacle.severity) == (
        "Chậm cấp giấy phép xây dựng",
        "land",
        "high",
    )
    assert list(visit.officials.all()) == [cadre]
    assert Pairing.objects.get().last_visit_on == timezone.localdate()


def test_visit_form_two_demands_raise_two_obstacles(client, cadre, paired):
    client.force_login(cadre)
    data = _post_data(paired, **{"demand-TOTAL_FORMS": "2"})
    for index, title in enumerate(["Thiếu điện ba pha", "Đường vào xuống cấp"]):
        data.update(
            {
                f"demand-{index}-title": title,
                f"demand-{index}-category": "infrastructure",
                f"demand-{index}-severity": "medium",
                f"demand-{index}-description": "Ảnh hưởng sản xuất.",
            }
        )
    response = client.post(CREATE, data)
    assert response.status_code == 302
    assert sorted(Obstacle.objects.values_list("title", flat=True)) == [
        "Thiếu điện ba pha",
        "Đường vào xuống cấp",
    ]


def test_visit_form_without_demand_raises_nothing(client, cadre, paired):
    client.force_login(cadre)
    response = client.post(CREATE, _post_data(paired))
    assert response.status_code == 302
    assert Visit.objects.count() == 1
    assert Obstacle.objects.count() == 0


def test_visit_form_failed_submit_keeps_input(client, cadre, paired):
    client.force_login(cadre)
    data = _post_data(
        paired,
        summary="",
        **{"demand-0-title": "Thiếu mặt bằng", "demand-0-category": "", "demand-0-severity": "low"},
    )
    response = client.post(CREATE, data)
    body = response.content.decode()
    assert response.status_code == 400
    assert 'value="Thiếu mặt bằng"' in body
    assert 'value="Bà Lan, giám đốc"' in body
    assert "Cần hỗ trợ thủ tục đất đai." in body
    assert f'<option value="{paired.pk}" selected>' in body
    assert Visit.objects.count() == 0
    assert Obstacle.objects.count() == 0


def test_visit_form_future_date_refused(client, cadre, paired):
    client.force_login(cadre)
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    response = client.post(CREATE, _post_data(paired, visited_on=tomorrow.isoformat()))
    assert response.status_code == 400
    assert "The visit date cannot be in the future." in response.content.decode()
    assert Visit.objects.count() == 0


def test_visit_form_unpaired_enterprise_refused_for_cadre(client, cadre, world):
    other = EnterpriseFactory(locality=world["district_b"])
    client.force_login(cadre)
    response = client.post(CREATE, _post_data(other))
    assert response.status_code == 400
    assert Visit.objects.count() == 0


def test_visit_form_lists_paired_enterprises_first_without_inline_script(client, cadre, paired):
    client.force_login(cadre)
    response = client.get(CREATE)
    body = response.content.decode()
    assert response.status_code == 200
    assert f'<option value="{paired.pk}">{paired.name} ({paired.tax_code})</option>' in body
    assert "<script>" not in body
    assert "js/visits.js" in body
    assert 'name="demand-0-title"' in body


@pytest.mark.parametrize(
    ("role", "status"),
    [
        (Role.COORDINATOR, 200),
        (Role.LOCALITY, 200),
        (Role.CADRE, 200),
        (Role.LEADER, 403),
        (Role.DEPARTMENT, 403),
        (Role.AUDITOR, 403),
        (Role.ENTERPRISE, 403),
    ],
)
def test_visit_form_needs_visits_log(client, world, role, status):
    client.force_login(world["users"][role])
    assert client.get(CREATE).status_code == status


def test_visit_detail_shows_raised_obstacles(client, cadre, paired):
    visit = VisitFactory(enterprise=paired, recorded_by=cadre)
    visit.officials.set([cadre])
    obstacle = ObstacleFactory(enterprise=paired, visit=visit, source=Source.VISIT, title="Ngập")
    client.force_login(cadre)
    response = client.get(visit.get_absolute_url())
    body = response.content.decode()
    assert response.status_code == 200
    assert reverse("obstacles:obstacle-detail", args=[obstacle.pk]) in body


def test_visit_detail_out_of_scope_is_404(client, world):
    visit = VisitFactory(enterprise=EnterpriseFactory(locality=world["district_b"]))
    client.force_login(world["users"][Role.LOCALITY])
    assert client.get(visit.get_absolute_url()).status_code == 404


def test_visit_list_scoped_and_filtered(client, world):
    mine = VisitFactory(enterprise=EnterpriseFactory(locality=world["commune_a"]), form="phone")
    VisitFactory(enterprise=EnterpriseFactory(locality=world["commune_a"]), form="on_site")
    VisitFactory(enterprise=EnterpriseFactory(locality=world["district_b"]), form="phone")
    client.force_login(world["users"][Role.LOCALITY])
    response = client.get(LIST, {"form": "phone"})
    assert response.status_code == 200
    assert [obj.pk for obj, _cells in response.context["rows"]] == [mine.pk]


def test_visit_list_export_has_filtered_rows(client, world):
    visit = VisitFactory(
        enterprise=EnterpriseFactory(name="Công ty Xuất", locality=world["district_a"]),
        visited_on=datetime.date(2026, 10, 5),
    )
    visit.officials.set([world["users"][Role.CADRE]])
    VisitFactory(
        enterprise=EnterpriseFactory(locality=world["district_a"]),
        visited_on=datetime.date(2026, 6, 5),
    )
    client.force_login(world["users"][Role.COORDINATOR])
    response = client.get(LIST, {"visited_from": "2026-10-01", "export": "xlsx"})
    rows = read_xlsx(b"".join(response.streaming_content))
    assert response.status_code == 200
    assert len(rows) == 2
    assert rows[1][1] == "Công ty Xuất"


def _make_visits(world, count):
    cadre = world["users"][Role.CADRE]
    for _index in range(count):
        visit = VisitFactory(enterprise=EnterpriseFactory(locality=world["district_a"]))
        visit.officials.set([cadre])
        ObstacleFactory(enterprise=visit.enterprise, visit=visit, source=Source.VISIT)


def test_visit_list_queries_bounded(client, world):
    client.force_login(world["users"][Role.COORDINATOR])
    _make_visits(world, 2)
    with CaptureQueriesContext(connection) as small:
        assert client.get(LIST).status_code == 200
    _make_visits(world, 12)
    with CaptureQueriesContext(connection) as large:
        assert client.get(LIST).status_code == 200
    assert len(large) == len(small)


def test_visit_form_failed_submit_keeps_chosen_officials(client, cadre, paired):
    colleague = user_with_role(Role.CADRE, username="cadre_2")
    client.force_login(cadre)
    response = client.post(CREATE, _post_data(paired, summary="", officials=[colleague.pk]))
    body = response.content.decode()
    assert response.status_code == 400
    assert f'<option value="{colleague.pk}" selected>' in body


def test_visit_form_with_colleague_records_both_officials(client, cadre, paired):
    colleague = user_with_role(Role.CADRE, username="cadre_2")
    client.force_login(cadre)
    response = client.post(CREATE, _post_data(paired, officials=[colleague.pk]))
    assert response.status_code == 302
    assert sorted(Visit.objects.get().officials.values_list("username", flat=True)) == [
        "cadre",
        "cadre_2",
    ]


def test_visit_form_refuses_an_official_the_user_cannot_see(client, cadre, paired):
    # A cadre sees the roster of paired officials, not a district's own officers.
    stranger = User.objects.get(username="loc_b")
    client.force_login(cadre)
    response = client.post(CREATE, _post_data(paired, officials=[stranger.pk]))
    assert response.status_code == 400
    assert Visit.objects.count() == 0


def test_visit_form_queries_bounded(client, world, cadre, paired):
    client.force_login(cadre)
    with CaptureQueriesContext(connection) as small:
        assert client.get(CREATE).status_code == 200
    for _index in range(10):
        PairingFactory(official=cadre, enterprise=EnterpriseFactory(locality=world["district_a"]))
    with CaptureQueriesContext(connection) as large:
        assert client.get(CREATE).status_code == 200
    assert len(large) == len(small)
