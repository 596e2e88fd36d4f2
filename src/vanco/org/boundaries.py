"""Locality boundaries for the dashboard's offline map: a coordinator uploads one GeoJSON
FeatureCollection; every feature is matched to a locality by its ``code`` property (or, when it
has none, its ``name``). The upload is checked whole first and written all or nothing: one bad
feature and no boundary changes. Each changed locality is saved (version bumped), so the
change is in the audit log under the coordinator's name.
"""

import json
import math

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from vanco.core import access
from vanco.core.text import fold
from vanco.org.models import Locality

#: Upload size cap (bytes): district outlines simplified for a dashboard fit well below it.
MAX_BYTES = 5 * 1024 * 1024
#: Positions per boundary at most (a dashboard map needs no survey precision).
MAX_POSITIONS = 50_000
GEOMETRY_TYPES = ("Polygon", "MultiPolygon")
#: How many errors are listed before "… and N more".
MAX_LISTED_ERRORS = 20


def _is_number(value) -> bool:
    if not isinstance(value, (int, float)) or isinstance(value, bool):
        return False
    try:
        return math.isfinite(value)
    except OverflowError:  # an integer too large for a float is no coordinate
        return False


def _ring_error(ring) -> str | None:
    if not isinstance(ring, list) or len(ring) < 4:
        return _("a ring needs at least four positions")
    for position in ring:
        if (
            not isinstance(position, list)
            or len(position) < 2
            or not all(_is_number(v) for v in position[:2])
        ):
            return _("a position must be [longitude, latitude]")
        lon, lat = position[0], position[1]
        if not (-180 <= lon <= 180 and -90 <= lat <= 90):
            return _("a position is outside longitude −180…180 / latitude −90…90")
    if ring[0][:2] != ring[-1][:2]:
        return _("a ring must end where it starts")
    return None


def geometry_error(geometry) -> str | None:
    """Why a GeoJSON geometry is not a usable Polygon or MultiPolygon (None: it is)."""
    if not isinstance(geometry, dict):
        return _("the feature has no geometry")
    kind = geometry.get("type")
    if kind not in GEOMETRY_TYPES:
        return _("only Polygon and MultiPolygon geometries are accepted, not “%(type)s”") % {
            "type": kind
        }
    coordinates = geometry.get("coordinates")
    polygons = [coordinates] if kind == "Polygon" else coordinates
    if not isinstance(polygons, list) or not polygons:
        return _("the geometry has no coordinates")
    positions = 0
    for polygon in polygons:
        if not isinstance(polygon, list) or not polygon:
            return _("a polygon needs at least one ring")
        for ring in polygon:
            error = _ring_error(ring)
            if error:
                return error
            positions += len(ring)
    if positions > MAX_POSITIONS:
        return _("the boundary has %(count)s positions; simplify it to at most %(max)s") % {
            "count": positions,
            "max": MAX_POSITIONS,
        }
    return None


def parse(data: bytes) -> dict[int, dict]:
    """The geometry to store per locality id; ValidationError listing every problem."""
    if len(data) > MAX_BYTES:
        raise ValidationError(
            _("The file is %(size)s MB; the limit is %(max)s MB.")
            % {"size": round(len(data) / 1024 / 1024, 1), "max": MAX_BYTES // 1024 // 1024}
        )
    try:
        document = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        # RecursionError: arrays or objects nested too deep for the parser.
        raise ValidationError(
            _("The file is not valid GeoJSON (JSON could not be read).")
        ) from None
    if not isinstance(document, dict) or document.get("type") != "FeatureCollection":
        raise ValidationError(_("The file must be a GeoJSON FeatureCollection."))
    features = document.get("features")
    if not isinstance(features, list) or not features:
        raise ValidationError(_("The FeatureCollection has no features."))

    by_code = {}
    by_name: dict[str, list[int]] = {}
    for pk, code, name in Locality.objects.values_list("pk", "code", "name"):
        by_code[code.upper()] = pk
        by_name.setdefault(fold(name), []).append(pk)

    errors: list[str] = []
    found: dict[int, dict] = {}
    for number, feature in enumerate(features, start=1):
        if not isinstance(feature, dict) or feature.get("type") != "Feature":
            errors.append(_("Feature %(number)s: not a GeoJSON Feature.") % {"number": number})
            continue
        properties = feature.get("properties")
        if properties is None:
            properties = {}
        if not isinstance(properties, dict):
            errors.append(
                _("Feature %(number)s: “properties” must be an object with a “code” or “name”.")
                % {"number": number}
            )
            continue
        code = str(properties.get("code") or "").strip()
        name = str(properties.get("name") or "").strip()
        if code:
            pk = by_code.get(code.upper())
            if pk is None:
                errors.append(
                    _("Feature %(number)s: no locality has the code “%(code)s”.")
                    % {"number": number, "code": code}
                )
                continue
        elif name:
            matches = by_name.get(fold(name), [])
            if len(matches) != 1:
                errors.append(
                    (
                        _("Feature %(number)s: no locality is named “%(name)s”.")
                        if not matches
                        else _(
                            "Feature %(number)s: several localities are named “%(name)s”; "
                            "give its code."
                        )
                    )
                    % {"number": number, "name": name}
                )
                continue
            pk = matches[0]
        else:
            errors.append(
                _("Feature %(number)s: give the locality's “code” (or “name”) property.")
                % {"number": number}
            )
            continue
        error = geometry_error(feature.get("geometry"))
        if error:
            errors.append(
                _("Feature %(number)s (%(locality)s): %(error)s.")
                % {"number": number, "locality": code or name, "error": error}
            )
            continue
        if pk in found:
            errors.append(
                _("Feature %(number)s: the locality “%(locality)s” appears twice.")
                % {"number": number, "locality": code or name}
            )
            continue
        geometry = feature["geometry"]
        found[pk] = {"type": geometry["type"], "coordinates": geometry["coordinates"]}
    if errors:
        listed = errors[:MAX_LISTED_ERRORS]
        if len(errors) > MAX_LISTED_ERRORS:
            listed.append(_("… and %(count)s more.") % {"count": len(errors) - MAX_LISTED_ERRORS})
        raise ValidationError(listed)
    return found


def import_boundaries(*, actor, data: bytes) -> int:
    """Store the boundaries of the uploaded FeatureCollection; returns how many localities got
    one. All or nothing: ValidationError (every problem listed) and nothing written."""
    access.require(actor, "maps.manage")
    geometries = parse(data)
    with transaction.atomic():
        localities = (
            Locality.objects.select_for_update(of=("self",))
            .select_related("parent")
            .filter(pk__in=list(geometries))
        )
        for locality in localities:
            locality.boundary = geometries[locality.pk]
            locality.version += 1
            locality.save(update_fields=["boundary", "version", "updated_at"])
            access.assert_still_editable(locality, actor)
    return len(geometries)
