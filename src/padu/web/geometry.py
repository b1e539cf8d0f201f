"""The map's boundaries for the web: the shipped kecamatan and desa GeoJSON, simplified once
per process and served as stored (gzipped) bytes with an ETag, so a browser on a slow office
link fetches them once and later pages cost a ``304``.

The desa file ships at 4 MB (101,000 vertices). For a province map that is far more than a
screen can show, so coordinates are rounded to 5 decimals (about 1 m) and each boundary line
is simplified (Douglas-Peucker) *between the points where three or more areas meet*: a border
shared by two desa is one line, simplified once, so neighbours still meet without gaps or
overlaps. A simplified ring that would self-intersect, cross another ring of its polygon or
collapse keeps its original lines instead, so every polygon stays valid and non-empty.
"""

from __future__ import annotations

import gzip
import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path
from typing import Any, Literal

from starlette.responses import Response

from padu.errors import NotFound
from padu.regions import boundaries_path, kaltara
from padu.web.once import ComputedOnce

__all__ = [
    "LEVELS", "MapFile", "MapLevel", "Stored", "map_file", "simplified", "valid_polygon",
]  # fmt: skip

MapLevel = Literal["kecamatan", "desa"]
LEVELS: tuple[MapLevel, ...] = ("kecamatan", "desa")
#: the shipped file of each level
_SOURCE: dict[str, Literal["kecamatan", "desa_kelurahan"]] = {
    "kecamatan": "kecamatan",
    "desa": "desa_kelurahan",
}
#: Douglas-Peucker tolerance in degrees: 0.0005 is about 55 m, under a pixel at the
#: province's zoom and still a clean line on one kecamatan (desa: 101,000 vertices become
#: 45,000; 4 MB become 0.95 MB, 0.25 MB gzipped)
TOLERANCE = 0.0005
DECIMALS = 5

Point = tuple[float, float]
Ring = list[Point]  # closed: the first point repeated at the end


@dataclass(frozen=True)
class MapFile:
    """One level's GeoJSON as served (:class:`Stored`) and how many features it has."""

    level: str
    stored: Stored
    features: int


_FILES: ComputedOnce[MapFile] = ComputedOnce()


def map_file(level: str) -> MapFile:
    """The simplified boundaries of ``level`` (``kecamatan`` or ``desa``), built once."""
    if level not in _SOURCE:
        raise NotFound(f"Peta tingkat '{level}' tidak ada; pilih kecamatan atau desa.")

    def make() -> MapFile:
        data = simplified(level)
        body = json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        return MapFile(level=level, stored=Stored.of(body, level), features=len(data["features"]))

    return _FILES.get(level, make)


def simplified(level: str, tolerance: float = TOLERANCE) -> dict[str, Any]:
    """The shipped boundaries of ``level`` as a FeatureCollection whose features carry
    ``kode``, ``nama`` (and for a desa, ``induk``: its kecamatan's name), simplified."""
    raw = json.loads(Path(boundaries_path(_SOURCE[level])).read_text(encoding="utf-8"))
    features: list[tuple[dict[str, str], list[list[Ring]]]] = []
    regions = kaltara()
    for feature in raw["features"]:
        props = feature["properties"]
        kept = {"kode": str(props["kode"]), "nama": str(props["nama"])}
        if level == "desa":
            parent = regions.find(kept["kode"].rsplit(".", 1)[0])
            kept["induk"] = parent.nama if parent else ""
        features.append((kept, _polygons(feature["geometry"])))
    lines = _Lines([ring for _, polys in features for poly in polys for ring in poly], tolerance)
    while True:  # a polygon a simplified line breaks gets its original lines back (shared)
        shapes = [[[lines.ring(r) for r in poly] for poly in polys] for _, polys in features]
        broken = [
            ring
            for shape, (_, polys) in zip(shapes, features, strict=True)
            for poly, original in zip(shape, polys, strict=True)
            if not valid_polygon(poly)
            for ring in original
        ]
        if not broken or not lines.restore(broken):
            break
    out = [
        {"type": "Feature", "properties": props, "geometry": _geometry(shape)}
        for shape, (props, _) in zip(shapes, features, strict=True)
    ]
    return {"type": "FeatureCollection", "features": out}


def _polygons(geometry: Mapping[str, Any]) -> list[list[Ring]]:
    """A Polygon or MultiPolygon as a list of polygons of closed rings, coordinates
    rounded and repeated points dropped."""
    coords = geometry["coordinates"]
    parts = coords if geometry["type"] == "MultiPolygon" else [coords]
    out = []
    for part in parts:
        rings = []
        for ring in part:
            pts: Ring = []
            for x, y, *_ in ring:
                p = (round(float(x), DECIMALS), round(float(y), DECIMALS))
                if not pts or pts[-1] != p:
                    pts.append(p)
            if pts[0] != pts[-1]:
                pts.append(pts[0])
            rings.append(pts)
        out.append(rings)
    return out


def _geometry(polys: list[list[Ring]]) -> dict[str, Any]:
    coords = [[[list(p) for p in ring] for ring in poly] for poly in polys]
    if len(coords) == 1:
        return {"type": "Polygon", "coordinates": coords[0]}
    return {"type": "MultiPolygon", "coordinates": coords}


class _Lines:
    """Every ring cut into lines at the points where three or more lines meet; each line
    simplified once (in one canonical direction), so two neighbours share the result."""

    def __init__(self, rings: list[Ring], tolerance: float) -> None:
        self.tolerance = tolerance
        self.original: set[tuple[Point, ...]] = set()  # lines kept unsimplified
        self._done: dict[tuple[Point, ...], list[Point]] = {}
        near: dict[Point, set[Point]] = {}
        for ring in rings:
            n = len(ring) - 1
            for i in range(n):
                near.setdefault(ring[i], set()).update((ring[i - 1], ring[i + 1]))
        self._junctions = {p for p, ns in near.items() if len(ns) > 2}

    def lines(self, ring: Ring) -> list[tuple[tuple[Point, ...], bool]]:
        """``ring``'s lines in order, each as (canonical points, whether reversed)."""
        pts = ring[:-1]
        cuts = [i for i, p in enumerate(pts) if p in self._junctions]
        if not cuts:  # an island or an enclave: cut at two points any neighbour also finds
            first = min(range(len(pts)), key=lambda i: pts[i])
            far = max(range(len(pts)), key=lambda i: (_dist2(pts[i], pts[first]), pts[i]))
            cuts = sorted({first, far})
        out = []
        for a, b in zip(cuts, [*cuts[1:], cuts[0] + len(pts)], strict=True):
            line = tuple(pts[i % len(pts)] for i in range(a, b + 1))
            back = line[::-1]
            out.append((back, True) if back < line else (line, False))
        return out

    def ring(self, ring: Ring) -> Ring:
        """``ring`` with each of its lines simplified (or original where restored)."""
        pts: Ring = []
        for line, back in self.lines(ring):
            done = list(line) if line in self.original else self._simplified(line)
            if back:
                done = done[::-1]
            pts.extend(done if not pts else done[1:])
        return pts

    def restore(self, rings: Iterable[Ring]) -> bool:
        """Keep the lines of ``rings`` unsimplified; False when they all already were."""
        before = len(self.original)
        for ring in rings:
            self.original.update(line for line, _ in self.lines(ring))
        return len(self.original) > before

    def _simplified(self, line: tuple[Point, ...]) -> list[Point]:
        found = self._done.get(line)
        if found is None:
            found = self._done[line] = _douglas_peucker(list(line), self.tolerance)
        return found


def _dist2(p: Point, q: Point) -> float:
    return (p[0] - q[0]) ** 2 + (p[1] - q[1]) ** 2


def _douglas_peucker(pts: list[Point], tolerance: float) -> list[Point]:
    """The points of ``pts`` Douglas-Peucker keeps (first and last always)."""
    if len(pts) < 3:
        return pts
    keep = [False] * len(pts)
    keep[0] = keep[-1] = True
    stack = [(0, len(pts) - 1)]
    limit = tolerance * tolerance
    while stack:
        a, b = stack.pop()
        if b - a < 2:
            continue
        (ax, ay), (bx, by) = pts[a], pts[b]
        dx, dy = bx - ax, by - ay
        length2 = dx * dx + dy * dy
        worst, at = -1.0, a
        for i in range(a + 1, b):
            px, py = pts[i]
            if length2 == 0:
                d = (px - ax) ** 2 + (py - ay) ** 2
            else:
                t = max(0.0, min(1.0, ((px - ax) * dx + (py - ay) * dy) / length2))
                d = (px - ax - t * dx) ** 2 + (py - ay - t * dy) ** 2
            if d > worst:
                worst, at = d, i
        if worst > limit:
            keep[at] = True
            stack += [(a, at), (at, b)]
    return [p for p, k in zip(pts, keep, strict=True) if k]


# -- validity ---------------------------------------------------------------------------------
def valid_polygon(rings: list[Ring]) -> bool:
    """Whether a polygon (exterior ring, then holes) is valid: each ring closed, with at
    least three distinct points and an area, and no two of its edges crossing or touching
    except neighbours at their shared point."""
    for ring in rings:
        if len(ring) < 4 or ring[0] != ring[-1] or len(set(ring[:-1])) < 3:
            return False
        if _area2(ring) == 0:
            return False
    return not _edges_meet(rings)


def _area2(ring: Ring) -> float:
    return sum(x0 * y1 - x1 * y0 for (x0, y0), (x1, y1) in pairwise(ring))


def _edges_meet(rings: list[Ring]) -> bool:
    """Whether two non-neighbouring edges of ``rings`` meet (a sweep along x)."""
    edges = []
    for r, ring in enumerate(rings):
        n = len(ring) - 1
        for i in range(n):
            p, q = ring[i], ring[i + 1]
            edges.append((min(p[0], q[0]), max(p[0], q[0]), r, i, n, p, q))
    edges.sort()
    active: list[tuple[float, float, int, int, int, Point, Point]] = []
    for edge in edges:
        x0, _, r, i, n, p, q = edge
        active = [e for e in active if e[1] >= x0]
        for _, _, r2, j, _, p2, q2 in active:
            if r2 == r and (abs(i - j) == 1 or abs(i - j) == n - 1):
                if _overlap(p, q, p2, q2):  # neighbours fold back on each other
                    return True
                continue
            if _segments_meet(p, q, p2, q2):
                return True
        active.append(edge)
    return False


def _orient(a: Point, b: Point, c: Point) -> float:
    return (b[0] - a[0]) * (c[1] - a[1]) - (b[1] - a[1]) * (c[0] - a[0])


def _on(a: Point, b: Point, c: Point) -> bool:
    """Whether ``c`` (collinear with a-b) lies on the segment a-b."""
    return min(a[0], b[0]) <= c[0] <= max(a[0], b[0]) and min(a[1], b[1]) <= c[1] <= max(a[1], b[1])


def _segments_meet(p: Point, q: Point, r: Point, s: Point) -> bool:
    d1, d2, d3, d4 = _orient(r, s, p), _orient(r, s, q), _orient(p, q, r), _orient(p, q, s)
    if ((d1 > 0 > d2) or (d1 < 0 < d2)) and ((d3 > 0 > d4) or (d3 < 0 < d4)):
        return True
    return (
        (d1 == 0 and _on(r, s, p))
        or (d2 == 0 and _on(r, s, q))
        or (d3 == 0 and _on(p, q, r))
        or (d4 == 0 and _on(p, q, s))
    )


def _overlap(p: Point, q: Point, r: Point, s: Point) -> bool:
    """Whether two edges sharing an endpoint run back along each other (a spike)."""
    shared = {p, q} & {r, s}
    if len(shared) != 1:
        return len(shared) == 2  # the same edge twice
    c = shared.pop()
    a = p if q == c else q
    b = r if s == c else s
    if _orient(c, a, b) != 0:
        return False
    return (a[0] - c[0]) * (b[0] - c[0]) + (a[1] - c[1]) * (b[1] - c[1]) > 0


# -- serving ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class Stored:
    """A response body kept as bytes, gzipped once, with its ETag (a hash of the bytes)."""

    body: bytes
    gzipped: bytes
    etag: str

    @classmethod
    def of(cls, body: bytes, tag: str) -> Stored:
        digest = hashlib.sha256(body).hexdigest()[:20]
        return cls(body, gzip.compress(body, compresslevel=9, mtime=0), f'"{tag}-{digest}"')

    @property
    def version(self) -> str:
        """A short fingerprint of the bytes, for a URL that may be cached for good."""
        return self.etag.strip('"').rsplit("-", 1)[-1]

    def response(self, headers: Mapping[str, str], cache_control: str) -> Response:
        """The stored bytes as JSON (gzipped when the client takes it), or ``304`` when the
        client's copy (``If-None-Match``) is this one."""
        common = {"ETag": self.etag, "Cache-Control": cache_control, "Vary": "Accept-Encoding"}
        asked = headers.get("if-none-match", "")
        if any(t.strip().removeprefix("W/") == self.etag for t in asked.split(",")):
            return Response(status_code=304, headers=common)
        if "gzip" in headers.get("accept-encoding", "").lower():
            common["Content-Encoding"] = "gzip"
            return Response(self.gzipped, media_type="application/json", headers=common)
        return Response(self.body, media_type="application/json", headers=common)
