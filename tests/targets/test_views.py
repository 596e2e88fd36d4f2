"""Pages, API, Excel import and access of targets and rankings."""

from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import translation

from tests.enterprises.factories import read_xlsx, xlsx_file
from tests.projects.test_api import Api
from tests.targets.factories import CampaignFactory, TargetFactory, build_records
from vanco.accounts.enums import Role
from vanco.core.imports import run_import
from vanco.targets.models import Campaign, RankingSnapshot, Target

pytestmark = pytest.mark.django_db

HEADER = ["Year", "Locality code", "Metric", "Target value", "Note"]


def login(client, world, role):
    user = world["users"].get(role) or world["others"][role]
    client.force_login(user)
    return client


# --- access ---------------------------------------------------------------------------------


def test_targets_locality_officer_sees_only_their_subtree(world, client):
    mine = TargetFactory(locality=world["commune_a"], metric="visits", value=3)
    TargetFactory(locality=world["district_b"], metric="visits", value=7)
    officer = world["users"][Role.LOCALITY]
    assert list(Target.objects.visible_to(officer)) == [mine]
    response = login(client, world, Role.LOCALITY).get(
        reverse("targets:target-grid"), {"year": 2025}
    )
    assert response.status_code == 200
    assert response.context["count"] == 1
    assert [row["locality"].code for row in response.context["rows"]] == ["DA", "DA-1"]


def test_live_ranking_is_for_whole_city_readers(world, client):
    campaign = CampaignFactory()
    url = reverse("targets:ranking")
    for role in (Role.LOCALITY, Role.DEPARTMENT, Role.CADRE):
        assert login(client, world, role).get(url).status_code == 403, role
    for role in (Role.LEADER, Role.COORDINATOR, Role.AUDITOR):
        assert login(client, world, role).get(url, {"campaign": campaign.pk}).status_code == 200
    response = Api(world["users"][Role.LOCALITY]).get(
        "/api/v1/rankings/live", {"campaign": campaign.pk}
    )
    assert response.status_code == 403


def test_target_edit_is_for_the_coordinator(world, client):
    target = TargetFactory(locality=world["district_a"], value=3)
    url = reverse("targets:target-edit", args=[target.pk])
    assert login(client, world, Role.LEADER).get(url).status_code == 403
    assert login(client, world, Role.LOCALITY).get(url).status_code == 403
    outside = TargetFactory(locality=world["district_b"], value=3)
    response = login(client, world, Role.LOCALITY).get(
        reverse("targets:target-edit", args=[outside.pk])
    )
    assert response.status_code == 404
    client = login(client, world, Role.COORDINATOR)
    response = client.post(url, {"value": "5", "note": "điều chỉnh", "version": 1})
    assert response.status_code == 302
    target.refresh_from_db()
    assert (target.value, target.version, target.note) == (Decimal("5.000"), 2, "điều chỉnh")
    # A stale version is refused.
    assert client.post(url, {"value": "6", "note": "", "version": 1}).status_code == 400


def test_target_create_refuses_a_duplicate(world, client):
    TargetFactory(locality=world["district_a"], metric="visits", year=2025)
    client = login(client, world, Role.COORDINATOR)
    data = {"year": 2025, "locality": world["district_a"].pk, "metric": "visits", "value": "2"}
    assert client.post(reverse("targets:target-create"), data).status_code == 400
    data["metric"] = "projects_signed"
    assert client.post(reverse("targets:target-create"), data).status_code == 302
    assert Target.objects.count() == 2


# --- pages ----------------------------------------------------------------------------------


def test_actuals_page_links_every_figure_and_shows_definitions(world, client):
    build_records(world)
    TargetFactory(locality=world["district_a"], metric="visits", value=4)
    response = login(client, world, Role.LEADER).get(
        reverse("targets:actuals"), {"year_from": 2025, "year_to": 2025}
    )
    assert response.status_code == 200
    row = next(r for r in response.context["rows"] if r["locality"].code == "DA")
    visits = next(cell for cell in row["cells"] if cell["metric"] == "visits")
    assert (visits["actual"], visits["target"], visits["completion"]) == ("2", "4", "50")
    assert visits["url"] == (
        f"/enterprises/visits/?visited_from=2025-01-01&visited_to=2025-12-31"
        f"&locality={world['district_a'].pk}"
    )
    content = response.content.decode()
    assert 'data-testid="definitions"' in content
    assert content.count(visits["url"].replace("&", "&amp;")) == 1


def test_publish_from_the_page_then_every_official_reads_the_snapshot(world, client):
    build_records(world)
    TargetFactory(locality=world["district_a"], metric="visits", value=4)
    campaign = CampaignFactory(weights={"visits": "1"})
    publish = reverse("targets:ranking-publish", args=[campaign.pk])
    assert login(client, world, Role.LEADER).post(publish).status_code == 403
    response = login(client, world, Role.COORDINATOR).post(publish, {"title": "Quý IV"})
    snapshot = RankingSnapshot.objects.get()
    assert response["Location"] == reverse("targets:snapshot-detail", args=[snapshot.pk])
    for role in (Role.LOCALITY, Role.DEPARTMENT, Role.CADRE, Role.AUDITOR):
        detail = login(client, world, role).get(snapshot.get_absolute_url())
        assert detail.status_code == 200, role
        assert [(e["name"], e["score_text"]) for e in detail.context["entries"]] == [
            (world["district_a"].name, "50")
        ]
    assert login(client, world, Role.ENTERPRISE).get(snapshot.get_absolute_url()).status_code in (
        403,
        404,
    )
    listing = login(client, world, Role.LOCALITY).get(reverse("targets:snapshot-list"))
    assert listing.context["paginator"].count == 1
    export = login(client, world, Role.LOCALITY).get(
        snapshot.get_absolute_url(), {"export": "xlsx"}
    )
    assert read_xlsx(b"".join(export.streaming_content))[1][:3] == [1, world["district_a"].name, 50]


def test_campaign_form_saves_weights(world, client):
    client = login(client, world, Role.COORDINATOR)
    data = {
        "name": "Thi đua 2024–2026",
        "first_year": 2024,
        "last_year": 2026,
        "completion_cap": "120",
        "description": "",
        "weight_projects_signed": "3",
        "weight_visits": "1",
    }
    assert client.post(reverse("targets:campaign-create"), data).status_code == 302
    campaign = Campaign.objects.get()
    assert campaign.weights == {"projects_signed": "3", "visits": "1"}
    data["last_year"] = 2023
    assert client.post(reverse("targets:campaign-create"), data).status_code == 400
    assert (
        login(client, world, Role.LEADER).post(reverse("targets:campaign-create"), data).status_code
        == 403
    )


@pytest.mark.parametrize(
    "name", ["targets:target-grid", "targets:actuals", "targets:ranking", "targets:snapshot-list"]
)
def test_pages_take_a_bounded_number_of_queries(world, client, name, django_assert_max_num_queries):
    client = login(client, world, Role.COORDINATOR)
    campaign = CampaignFactory(weights={"visits": "1", "projects_signed": "1"})
    build_records(world)
    for locality in ("district_a", "district_b", "commune_a"):
        TargetFactory(locality=world[locality], metric="visits", year=2025)
    params = {"year": 2025, "year_from": 2025, "year_to": 2025, "campaign": campaign.pk}
    with django_assert_max_num_queries(25):
        assert client.get(reverse(name), params).status_code == 200
    for _ in range(3):
        build_records(world)
    for metric in ("projects_signed", "amount_signed", "funds_in_place"):
        for locality in ("district_a", "district_b", "commune_a", "commune_b", "city"):
            TargetFactory(locality=world[locality], metric=metric, year=2025)
    with django_assert_max_num_queries(25):
        assert client.get(reverse(name), params).status_code == 200


# --- import ---------------------------------------------------------------------------------


def test_import_targets_all_or_nothing_with_row_errors(world):
    coordinator = world["users"][Role.COORDINATOR]
    rows = [
        HEADER,
        [2025, "DA", "visits", 12, ""],
        [2025, "NOPE", "Projects signed", 3, ""],
        [1999, "DB", "visits", 4, ""],
        [2025, "DB", "weather", 4, ""],
        [2025, "DB", "visits", -1, ""],
        [2025, "da", "Enterprise visits", 5, ""],
    ]
    with translation.override("en"):
        result = run_import("targets", xlsx_file(rows, "targets.xlsx"), user=coordinator)
        lines = result.error_lines()
    assert lines[:3] == [
        "row 3, column Locality code: no locality you can see has this code.",
        "row 4, column Year: the year must be between 2000 and 2100.",
        lines[2],
    ]
    assert lines[2].startswith("row 5, column Metric: ")
    assert lines[3:] == [
        "row 6, column Target value: a target is a number from 0 up.",
        "row 7, column Metric: the same target already appears in row 2.",
    ]
    assert Target.objects.count() == 0


def test_import_targets_creates_then_updates(world):
    coordinator = world["users"][Role.COORDINATOR]
    TargetFactory(locality=world["district_b"], metric="visits", year=2025, value=1)
    rows = [
        HEADER,
        [2025, "DA", "Projects signed", 12, "Nghị quyết"],
        [2025, "DB", "visits", 4, ""],
    ]
    result = run_import("targets", xlsx_file(rows, "targets.xlsx"), user=coordinator)
    assert (result.error_lines(), result.created, result.updated) == ([], 1, 1)
    assert sorted(Target.objects.values_list("locality__code", "metric", "value", "version")) == [
        ("DA", "projects_signed", Decimal("12.000"), 1),
        ("DB", "visits", Decimal("4.000"), 2),
    ]


def test_targets_export_reimports_unchanged(world, client):
    TargetFactory(locality=world["district_a"], metric="visits", year=2025, value=3)
    response = login(client, world, Role.COORDINATOR).get(
        reverse("targets:target-grid"), {"year": 2025, "export": "xlsx"}
    )
    rows = read_xlsx(b"".join(response.streaming_content))
    assert rows[1][:2] == [2025, "DA"]
    result = run_import("targets", xlsx_file(rows, "t.xlsx"), user=world["users"][Role.COORDINATOR])
    assert (result.error_lines(), result.unchanged, result.created) == ([], 1, 0)


def test_import_targets_needs_targets_manage(world):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        run_import("targets", xlsx_file([HEADER], "t.xlsx"), user=world["users"][Role.LOCALITY])


# --- API ------------------------------------------------------------------------------------


def test_api_targets_actuals_campaigns_and_publish(world):
    build_records(world)
    coordinator = Api(world["users"][Role.COORDINATOR])
    created = coordinator.post(
        "/api/v1/targets",
        {"year": 2025, "locality_id": world["district_a"].pk, "metric": "visits", "value": "4"},
    )
    assert created.status_code == 201, created.content
    target = created.json()
    assert (target["locality_code"], target["version"]) == ("DA", 1)
    again = coordinator.post(
        "/api/v1/targets",
        {"year": 2025, "locality_id": world["district_a"].pk, "metric": "visits", "value": "9"},
    )
    assert again.status_code == 422
    stale = coordinator.patch(f"/api/v1/targets/{target['id']}", {"value": "5", "version": 7})
    assert stale.status_code == 409
    changed = coordinator.patch(f"/api/v1/targets/{target['id']}", {"value": "5", "version": 1})
    assert (changed.status_code, changed.json()["value"]) == (200, "5.000")

    officer_b = Api(world["others"]["loc_b"])
    assert officer_b.get("/api/v1/targets").json()["count"] == 0
    assert (
        officer_b.patch(f"/api/v1/targets/{target['id']}", {"value": "1", "version": 2}).status_code
        == 404
    )

    figures = coordinator.get(
        "/api/v1/actuals", {"year_from": 2025, "locality": world["district_a"].pk}
    ).json()
    visits = next(item for item in figures if item["metric"] == "visits")
    assert (visits["value"], visits["url"].startswith("/enterprises/visits/?")) == ("2", True)

    campaign = coordinator.post(
        "/api/v1/campaigns",
        {"name": "Năm 2025", "first_year": 2025, "last_year": 2025, "weights": {"visits": 1}},
    )
    assert campaign.status_code == 201, campaign.content
    campaign_id = campaign.json()["id"]
    live = coordinator.get("/api/v1/rankings/live", {"campaign": campaign_id}).json()
    assert [(row["locality_name"], row["score"]) for row in live["rows"]] == [
        (world["district_a"].name, "40.00")
    ]
    assert (
        Api(world["users"][Role.LEADER])
        .post(f"/api/v1/campaigns/{campaign_id}/publish", {})
        .status_code
        == 403
    )
    published = coordinator.post(f"/api/v1/campaigns/{campaign_id}/publish", {"title": "T"})
    assert published.status_code == 201, published.content
    detail = officer_b.get(f"/api/v1/rankings/snapshots/{published.json()['id']}").json()
    assert [(row["rank"], row["score"]) for row in detail["rows"]] == [(1, "40.00")]


def test_target_create_page_ignores_an_unknown_metric_in_the_address(world, client):
    client.force_login(world["users"][Role.COORDINATOR])

    response = client.get(reverse("targets:target-create") + "?metric=bogus")

    assert response.status_code == 200
