"""The dashboard page, its API, and the coordinator's boundary upload."""

import json

import pytest
from auditlog.models import LogEntry
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tests.dashboard.test_figures import YEAR, build_dataset
from tests.factories import EnterpriseFactory, ObstacleFactory, ProjectFactory
from tests.projects.test_api import Api
from vanco.accounts.enums import Role
from vanco.org import boundaries
from vanco.org.models import Locality
from vanco.projects.enums import Light, Stage

pytestmark = pytest.mark.django_db

URL = reverse("dashboard:index")
UPLOAD = reverse("dashboard:boundaries")
READERS = [Role.LEADER, Role.COORDINATOR, Role.AUDITOR, Role.LOCALITY]
REFUSED = [Role.DEPARTMENT, Role.CADRE, Role.ENTERPRISE]


def square(west: float, south: float, size: float = 0.1) -> dict:
    east, north = west + size, south + size
    ring = [[west, south], [east, south], [east, north], [west, north], [west, south]]
    return {"type": "Polygon", "coordinates": [ring]}


def feature(geometry, **properties) -> dict:
    return {"type": "Feature", "properties": properties, "geometry": geometry}


def collection(*features) -> bytes:
    return json.dumps({"type": "FeatureCollection", "features": list(features)}).encode()


@pytest.mark.parametrize("role", READERS)
def test_dashboard_opens_for_readers(client, world, role):
    client.force_login(world["users"][role])
    response = client.get(URL)
    assert response.status_code == 200
    assert response.context["filters"].start.year == YEAR


@pytest.mark.parametrize("role", REFUSED)
def test_dashboard_refused_to_department_cadre_and_enterprise(client, world, role):
    client.force_login(world["users"][role])
    assert client.get(URL).status_code == 403
    assert Api(world["users"][role]).get("/api/v1/dashboard").status_code == 403


def test_dashboard_shows_the_locality_officers_figures_only(client, world):
    build_dataset(world)
    client.force_login(world["users"][Role.LOCALITY])
    response = client.get(URL)
    numbers = {n["key"]: n["value"] for n in response.context["numbers"]}
    assert (numbers["projects_total"], numbers["red_count"]) == (3, 1)
    assert response.context["red_count"] == 1


def test_dashboard_htmx_returns_the_body_only(client, world):
    build_dataset(world)
    client.force_login(world["users"][Role.LEADER])
    response = client.get(
        URL, {"year": YEAR, "locality": world["district_b"].pk}, headers={"HX-Request": "true"}
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert ('data-testid="dashboard-filters"' in body, 'data-testid="big-numbers"' in body) == (
        False,
        True,
    )
    numbers = {n["key"]: n["value"] for n in response.context["numbers"]}
    assert numbers["projects_total"] == 3


def test_dashboard_period_filter_uses_the_period_dates(client, world):
    build_dataset(world)
    from vanco.projects.models import DispatchPeriod

    period = DispatchPeriod.objects.get(label="this")
    client.force_login(world["users"][Role.LEADER])
    response = client.get(URL, {"period": period.pk})
    filters = response.context["filters"]
    assert (filters.start, filters.end) == (period.starts_on, period.ends_on)


def _grow(world, n: int) -> None:
    firm = EnterpriseFactory(locality=world["district_a"])
    for _ in range(n):
        ProjectFactory(
            investor=firm,
            locality=world["district_a"],
            stage=Stage.UNDER_CONSTRUCTION,
            light=Light.RED,
            latitude="20.7",
            longitude="106.6",
            major_flag=True,
        )
        ObstacleFactory(enterprise=firm, locality=world["district_a"])


def test_dashboard_query_count_does_not_grow_with_data(
    client, world, django_assert_max_num_queries
):
    build_dataset(world)
    client.force_login(world["users"][Role.LEADER])
    counts = []
    for extra in (0, 15):
        _grow(world, extra)
        cache.clear()
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as queries:
            assert client.get(URL).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]
    with django_assert_max_num_queries(80):
        cache.clear()
        client.get(URL)


def test_api_figures_equal_the_page_figures(client, world):
    data = build_dataset(world)
    leader = world["users"][Role.LEADER]
    response = Api(leader).get("/api/v1/dashboard", {"industry": data["ind1"].pk})
    assert response.status_code == 200
    body = response.json()
    assert (
        body["summary"]["projects_total"]["value"],
        body["summary"]["planned_investment"]["value"],
        body["red_projects"]["count"],
        [row["count"] for row in body["pipeline_by_stage"]],
    ) == (4, "460.000", 2, [0, 0, 1, 0, 0, 1, 1, 0, 1])


def test_api_refuses_bad_filters(world):
    response = Api(world["users"][Role.LEADER]).get("/api/v1/dashboard", {"year": 1900})
    assert response.status_code == 422


def test_api_boundaries_lists_localities_with_a_boundary(world):
    Locality.objects.filter(pk=world["district_a"].pk).update(boundary=square(106.5, 20.6))
    response = Api(world["users"][Role.LOCALITY]).get("/api/v1/dashboard/boundaries")
    assert response.status_code == 200
    features = response.json()["features"]
    assert [(f["properties"]["code"], f["geometry"]["type"]) for f in features] == [
        ("DA", "Polygon")
    ]


def test_boundary_upload_saves_every_feature(client, world):
    client.force_login(world["users"][Role.COORDINATOR])
    upload = SimpleUploadedFile(
        "b.geojson",
        collection(
            feature(square(106.5, 20.6), code="DA"),
            feature(
                {"type": "MultiPolygon", "coordinates": [square(106.7, 20.6)["coordinates"]]},
                name="huyện bình sơn",
            ),
        ),
    )
    response = client.post(UPLOAD, {"file": upload})
    assert response.status_code == 302
    saved = dict(Locality.objects.filter(boundary__isnull=False).values_list("code", "version"))
    assert saved == {"DA": 2, "DB": 2}
    assert Locality.objects.get(code="DA").boundary == square(106.5, 20.6)
    logged = LogEntry.objects.filter(
        content_type__model="locality",
        action=LogEntry.Action.UPDATE,
        actor=world["users"][Role.COORDINATOR],
    )
    assert sorted(logged.values_list("object_repr", flat=True)) == [
        "Huyện Bình Sơn",
        "Quận Ánh Dương",
    ]


@pytest.mark.parametrize(
    "content",
    [
        b"not json",
        json.dumps({"type": "Feature"}).encode(),
        collection(
            feature(square(106.5, 20.6), code="DA"),
            feature(square(106.7, 20.6), code="NOPE"),
        ),
        collection(
            feature(square(106.5, 20.6), code="DA"),
            feature({"type": "Point", "coordinates": [106.5, 20.6]}, code="DB"),
        ),
        collection(
            feature(square(106.5, 20.6), code="DA"),
            feature(
                {"type": "Polygon", "coordinates": [[[106.5, 20.6], [106.6, 20.6]]]}, code="DB"
            ),
        ),
        collection(
            feature(square(106.5, 20.6), code="DA"), feature(square(106.5, 20.6), code="DA")
        ),
    ],
    ids=["not-json", "not-collection", "unknown-code", "point", "short-ring", "twice"],
)
def test_boundary_upload_refuses_bad_files_and_writes_nothing(client, world, content):
    client.force_login(world["users"][Role.COORDINATOR])
    response = client.post(UPLOAD, {"file": SimpleUploadedFile("b.geojson", content)})
    assert response.status_code == 400
    assert len(list(response.context["form"].non_field_errors())) == 1
    assert Locality.objects.filter(boundary__isnull=False).count() == 0


def test_boundary_upload_lists_every_unknown_code(world):
    content = collection(
        feature(square(106.5, 20.6), code="X1"), feature(square(106.5, 20.6), code="X2")
    )
    with pytest.raises(ValidationError) as refused:
        boundaries.import_boundaries(actor=world["users"][Role.COORDINATOR], data=content)
    assert len(refused.value.messages) == 2
    assert ["X1" in refused.value.messages[0], "X2" in refused.value.messages[1]] == [True, True]


def test_boundary_upload_refuses_too_large_files(world, monkeypatch):
    monkeypatch.setattr(boundaries, "MAX_BYTES", 100)
    content = collection(feature(square(106.5, 20.6), code="DA"))
    with pytest.raises(ValidationError):
        boundaries.import_boundaries(actor=world["users"][Role.COORDINATOR], data=content)
    assert Locality.objects.filter(boundary__isnull=False).count() == 0


@pytest.mark.parametrize("role", [Role.LEADER, Role.LOCALITY, Role.DEPARTMENT])
def test_boundary_upload_only_for_coordinators(client, world, role):
    client.force_login(world["users"][role])
    assert client.get(UPLOAD).status_code == 403
    with pytest.raises(PermissionDenied):
        boundaries.import_boundaries(
            actor=world["users"][role], data=collection(feature(square(1, 1), code="DA"))
        )


def test_dashboard_map_draws_localities_and_points(client, world):
    data = build_dataset(world)
    Locality.objects.filter(pk=world["district_a"].pk).update(boundary=square(106.5, 20.6))
    project = data["projects"][1]
    project.latitude, project.longitude = "20.65", "106.55"
    project.save()
    client.force_login(world["users"][Role.LEADER])
    response = client.get(URL)
    geo = response.context["map"]
    assert ([a["count"] for a in geo["areas"]], len(geo["points"]), geo["points_total"]) == (
        [3],
        1,
        1,
    )
    assert geo["points"][0]["red"] is True
