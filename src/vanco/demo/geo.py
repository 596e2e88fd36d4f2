"""Demo map: plausible boundaries for the demo localities and project points inside them.

The city is a box around the demo city's coordinates (a coastal city of the Red River delta,
about 20.75 N 106.65 E). Its districts, counties and parks tile the box; each one's communes
and parks tile their parent's cell, and so on down the tree: every cell is a convex
quadrilateral with shared corners, so neighbours meet exactly and nothing overlaps.
"""

import math
import random
from decimal import Decimal

from django.utils import timezone

from vanco.org.models import Locality
from vanco.projects.models import Project

#: The demo city's box: west, south, east, north (longitude, latitude).
CITY_BOX = (106.35, 20.55, 106.95, 20.95)
#: How far inner split lines may wander (share of a cell's width).
JITTER = 0.18
BATCH = 1000

Quad = tuple[tuple[float, float], ...]  # corners: south-west, south-east, north-east, north-west


def _lerp(a, b, t):
    return (a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t)


def _point(quad: Quad, u: float, v: float) -> tuple[float, float]:
    """The point at (u, v) ∈ [0,1]² of the quad (bilinear)."""
    sw, se, ne, nw = quad
    return _lerp(_lerp(sw, se, u), _lerp(nw, ne, u), v)


def _split(quad: Quad, count: int, rng: random.Random) -> list[Quad]:
    """`count` cells tiling `quad`: rows of cells, inner split lines jittered."""
    if count <= 0:
        return []
    columns = max(1, math.ceil(math.sqrt(count)))
    rows = math.ceil(count / columns)
    cells: list[Quad] = []
    left = count
    for row in range(rows):
        v0, v1 = row / rows, (row + 1) / rows
        in_row = min(columns, left) if row < rows - 1 else left
        left -= in_row
        # Inner split positions, jittered at the bottom and top independently (convex cells).
        bottom = [0.0] + [(i + rng.uniform(-JITTER, JITTER)) / in_row for i in range(1, in_row)]
        top = [0.0] + [(i + rng.uniform(-JITTER, JITTER)) / in_row for i in range(1, in_row)]
        bottom.append(1.0)
        top.append(1.0)
        for i in range(in_row):
            cells.append(
                (
                    _point(quad, bottom[i], v0),
                    _point(quad, bottom[i + 1], v0),
                    _point(quad, top[i + 1], v1),
                    _point(quad, top[i], v1),
                )
            )
    return cells


def _polygon(quad: Quad) -> dict:
    ring = [[round(x, 6), round(y, 6)] for x, y in (*quad, quad[0])]
    return {"type": "Polygon", "coordinates": [ring]}


def _inside(quad: Quad, lon: float, lat: float) -> bool:
    """Point in a convex quad (counter-clockwise corners): left of every edge."""
    for (x1, y1), (x2, y2) in zip(quad, (*quad[1:], quad[0]), strict=True):
        if (x2 - x1) * (lat - y1) - (y2 - y1) * (lon - x1) < 0:
            return False
    return True


def generate_map(*, rng: random.Random) -> dict[str, int]:
    """Boundaries for every demo locality (replacing any), then coordinates inside its
    locality for every project that has none or lies outside it. Needs the localities and
    projects already written; returns how many of each were changed."""
    west, south, east, north = CITY_BOX
    children: dict[int | None, list[Locality]] = {}
    for locality in Locality.objects.order_by("path"):
        children.setdefault(locality.parent_id, []).append(locality)
    cells: dict[int, Quad] = {}
    city_quad: Quad = ((west, south), (east, south), (east, north), (west, north))
    for root in children.get(None, []):
        cells[root.pk] = city_quad
    queue = list(children.get(None, []))
    while queue:
        parent = queue.pop(0)
        kids = children.get(parent.pk, [])
        for kid, cell in zip(kids, _split(cells[parent.pk], len(kids), rng), strict=True):
            cells[kid.pk] = cell
        queue.extend(kids)
    localities = [loc for locs in children.values() for loc in locs]
    # updated_at moves too, so the dashboard's cached figures see the change (core.figures).
    now = timezone.now()
    for locality in localities:
        locality.boundary = _polygon(cells[locality.pk])
        locality.updated_at = now
    Locality.objects.bulk_update(localities, ["boundary", "updated_at"], batch_size=BATCH)

    moved = 0
    batch: list[Project] = []
    for project in Project.objects.only("pk", "locality_id", "latitude", "longitude").iterator(
        chunk_size=BATCH
    ):
        quad = cells.get(project.locality_id)
        if quad is None:
            continue
        located = project.latitude is not None and project.longitude is not None
        if located and _inside(quad, float(project.longitude), float(project.latitude)):
            continue
        lon, lat = _point(quad, rng.uniform(0.15, 0.85), rng.uniform(0.15, 0.85))
        project.longitude = Decimal(f"{lon:.6f}")
        project.latitude = Decimal(f"{lat:.6f}")
        project.updated_at = now
        batch.append(project)
        if len(batch) >= BATCH:
            Project.objects.bulk_update(batch, ["latitude", "longitude", "updated_at"])
            moved += len(batch)
            batch = []
    if batch:
        Project.objects.bulk_update(batch, ["latitude", "longitude", "updated_at"])
        moved += len(batch)
    return {"localities": len(localities), "projects": moved}
