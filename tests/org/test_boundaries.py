"""Malformed boundary uploads: every shape of bad GeoJSON is a clear 400, never a 500, and
nothing is written."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils.translation import gettext

from vanco.accounts.enums import Role
from vanco.org.models import Locality

pytestmark = pytest.mark.django_db

UPLOAD = reverse("dashboard:boundaries")
RING = [[106.5, 20.6], [106.6, 20.6], [106.6, 20.7], [106.5, 20.7], [106.5, 20.6]]
SQUARE = {"type": "Polygon", "coordinates": [RING]}


def collection(*features) -> bytes:
    return json.dumps({"type": "FeatureCollection", "features": list(features)}).encode()


def good(code="DA") -> dict:
    return {"type": "Feature", "properties": {"code": code}, "geometry": SQUARE}


def with_properties(properties) -> bytes:
    return collection(good(), {"type": "Feature", "properties": properties, "geometry": SQUARE})


def with_geometry(geometry) -> bytes:
    return collection(
        good(), {"type": "Feature", "properties": {"code": "DB"}, "geometry": geometry}
    )


BAD = {
    "properties-list": with_properties(["x"]),
    "properties-string": with_properties("abc"),
    "properties-number": with_properties(7),
    "deep-nesting": b"[" * 200_000 + b"]" * 200_000,
    "deep-nesting-in-collection": (
        b'{"type": "FeatureCollection", "features": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"
    ),
    "features-object": json.dumps({"type": "FeatureCollection", "features": {"a": 1}}).encode(),
    "feature-string": collection(good(), "Feature"),
    "huge-integer": with_geometry(
        {"type": "Polygon", "coordinates": [[[10**400, 1], [2, 2], [3, 3], [10**400, 1]]]}
    ),
    "geometry-type-list": with_geometry({"type": ["Polygon"], "coordinates": [RING]}),
    "coordinates-string": with_geometry({"type": "MultiPolygon", "coordinates": "abc"}),
    "ring-of-strings": with_geometry({"type": "Polygon", "coordinates": [["a", "b", "c", "d"]]}),
    "code-object": with_properties({"code": {"x": [1, 2]}}),
    "latin1": '{"type": "FeatureCollection", "features": ["é"]}'.encode("latin-1"),
    "nan": b'{"type": "FeatureCollection", "features": [{"type": "Feature", '
    b'"properties": {"code": "DB"}, "geometry": {"type": "Polygon", "coordinates": '
    b"[[[NaN, 1], [2, 2], [3, 3], [NaN, 1]]]}}]}",
}


@pytest.mark.parametrize("content", list(BAD.values()), ids=list(BAD))
def test_boundary_upload_malformed_geojson_is_a_400_and_writes_nothing(client, world, content):
    client.force_login(world["users"][Role.COORDINATOR])
    response = client.post(UPLOAD, {"file": SimpleUploadedFile("b.geojson", content)})
    assert response.status_code == 400
    assert len(list(response.context["form"].non_field_errors())) >= 1
    assert Locality.objects.filter(boundary__isnull=False).count() == 0


def test_boundary_upload_properties_not_an_object_says_so(client, world):
    client.force_login(world["users"][Role.COORDINATOR])
    response = client.post(
        UPLOAD, {"file": SimpleUploadedFile("b.geojson", with_properties(["x"]))}
    )
    assert list(response.context["form"].non_field_errors()) == [
        gettext("Feature %(number)s: “properties” must be an object with a “code” or “name”.")
        % {"number": 2}
    ]


def test_boundary_upload_deep_nesting_says_the_file_is_not_json(client, world):
    client.force_login(world["users"][Role.COORDINATOR])
    content = b"[" * 200_000 + b"]" * 200_000
    response = client.post(UPLOAD, {"file": SimpleUploadedFile("b.geojson", content)})
    assert list(response.context["form"].non_field_errors()) == [
        gettext("The file is not valid GeoJSON (JSON could not be read).")
    ]
