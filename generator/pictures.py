"""Pictures drawn at build time: a timeline strip chart and a map of incidents, as inline SVG.

Pure functions from the index's data to SVG strings; render puts them into pages.
Nothing is fetched: the map's coastlines and borders come from Natural Earth's
data as npm's ``world-atlas`` package installs it (``make site``), decoded from
TopoJSON here, projected onto Europe, clipped, simplified and cached once per
process. Colours are CSS classes (``theme/assets/stylesheets/pictures.css``) on
Material's colour variables, so the pictures follow light and dark mode.

Each picture is ``role="img"`` with a label saying what it shows; its marks are
links for pointer users (out of the tab order), and the list beside it, which
the marks link to, carries the same data for everyone else.
"""

from __future__ import annotations

import calendar
import hashlib
import itertools
import json
import logging
import math
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from html import escape
from pathlib import Path
from typing import TYPE_CHECKING

from generator.errors import BuildError
from generator.mdtext import plain

if TYPE_CHECKING:  # hints only: finding the map data must not load the models
    from generator.index import TimelineEntry
    from generator.models import Actor, Event, PartialDate, Place

log = logging.getLogger(__name__)

ATLAS_FILE = Path("node_modules/world-atlas/countries-50m.json")
"""Natural Earth's countries at 1:50m, as world-atlas 2.0.2 (package.json) installs them."""

MAX_LANES = 8
"""Actors with a lane of their own in a strip chart; the others share one."""

OTHER_LANE = "Others"


@dataclass(frozen=True)
class Mark:
    """One event as the pictures draw it: when, who, where, and where its entry is."""

    anchor: str
    """The id of the event's entry in the list beside the picture."""
    label: str
    """Plain text: the date and what happened, for the mark's tooltip."""
    start: PartialDate
    end: PartialDate | None
    actors: tuple[str, ...]
    points: tuple[tuple[float, float], ...]
    """(latitude, longitude) of each of its places known to the registry."""


def event_anchor(event: Event) -> str:
    """The id of an event's entry in a list: its own id, else one drawn from its date and text.

    The same event gets the same id on every page, so a picture and its list agree
    without counting, however the list is grouped.
    """
    if event.id:
        return f"event-{event.id}"
    digest = hashlib.blake2b(f"{event.date}|{event.what}".encode(), digest_size=4).hexdigest()
    return f"event-{event.date}-{digest}"


def date_text(start: PartialDate, end: PartialDate | None) -> str:
    """'10 September 2025', or the start and end joined by an en dash for a range."""
    return start.human() + (f" \u2013 {end.human()}" if end else "")


def mark_of(event: Event, places: dict[str, Place]) -> Mark:
    """The mark of one event, with the coordinates of its registered places."""
    what = plain(event.what)
    label = f"{date_text(event.date, event.end)}: {what[:140]}{'…' if len(what) > 140 else ''}"
    points = tuple((places[p].latitude, places[p].longitude) for p in event.places if p in places)
    return Mark(event_anchor(event), label, event.date, event.end, tuple(event.actors), points)


def marks_of(items: Iterable[TimelineEntry | Event], places: dict[str, Place]) -> list[Mark]:
    """Marks of timeline entries or of a brief's own events, in their order."""
    from generator.index import TimelineEntry  # imported late: see the imports above

    return [
        mark_of(item.event if isinstance(item, TimelineEntry) else item, places) for item in items
    ]


# --- The timeline strip chart ---------------------------------------------------------

LANE_HEIGHT = 26
LABEL_WIDTH = 120
AXIS_HEIGHT = 26
MIN_WIDTH = 640
"""A chart's least width in pixels: a short span is spread over it."""


def _month_number(date: PartialDate) -> int:
    return date.year * 12 + date.month - 1


def _position(date: PartialDate, *, end: bool = False) -> float:
    """Months since year 0, to the start of the day (or its end, with ``end``)."""
    days = calendar.monthrange(date.year, date.month)[1]
    if date.day is None:
        return _month_number(date) + (1.0 if end else 0.0)
    return _month_number(date) + (date.day - (0 if end else 1)) / days


def lanes_of(marks: Sequence[Mark], actors: dict[str, Actor]) -> list[tuple[str, str]]:
    """The chart's lanes as (actor id, name): the actors that lead most events, then the rest.

    An event is drawn once, in the lane of its actor named in most events, so that
    no lane stays empty; past :data:`MAX_LANES`, the others share one lane. An
    actor absent from the registry is shown by its id.
    """
    ranks = _ranks(marks, actors)
    leads = Counter(_lead(m, ranks) for m in marks)
    ranked = sorted((a for a in leads if a), key=lambda a: (-leads[a], _name(a, actors).casefold()))
    lanes = [(a, _name(a, actors)) for a in ranked[:MAX_LANES]]
    if len(ranked) > MAX_LANES or "" in leads:
        lanes.append(("", OTHER_LANE))
    return lanes


def _ranks(marks: Sequence[Mark], actors: dict[str, Actor]) -> dict[str, int]:
    """Each actor's rank by the number of events that name them (then by name)."""
    counts = Counter(a for m in marks for a in dict.fromkeys(m.actors))
    ranked = sorted(counts, key=lambda a: (-counts[a], _name(a, actors).casefold()))
    return {actor_id: n for n, actor_id in enumerate(ranked)}


def _lead(mark: Mark, ranks: dict[str, int]) -> str:
    """The event's actor named in most events; '' for an event without actors."""
    return min(mark.actors, key=ranks.__getitem__, default="")


def _name(actor_id: str, actors: dict[str, Actor]) -> str:
    return actors[actor_id].name if actor_id in actors else actor_id


def _layer(mark: Mark) -> int:
    return 0 if mark.end else 1 if mark.start.day is None else 2


def _short(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def strip_svg(marks: Sequence[Mark], actors: dict[str, Actor], *, title: str) -> str:
    """A strip chart of events: a lane per actor, month ticks, one bar per event.

    A dated event is a narrow solid bar on its day, a month-only one a wide faint
    bar over the month, and a range a bar from its start to its end. The chart is
    drawn at its own size (at least :data:`MIN_WIDTH` pixels), and scrolls in its
    container where the screen is narrower.
    """
    if not marks:
        return ""
    first = min(_month_number(m.start) for m in marks)
    last = max(_month_number(m.end or m.start) for m in marks)
    months = last - first + 1
    per_month = max(36.0, (MIN_WIDTH - LABEL_WIDTH) / months)
    width = round(LABEL_WIDTH + months * per_month + 8)
    lanes = lanes_of(marks, actors)
    lane_index = {actor_id: n for n, (actor_id, _) in enumerate(lanes)}
    ranks = _ranks(marks, actors)
    other = lane_index.get("", 0)
    height = AXIS_HEIGHT + len(lanes) * LANE_HEIGHT + 4

    def x(value: float) -> float:
        return LABEL_WIDTH + (value - first) * per_month

    parts = [
        f'<svg class="picture-strip" role="img" aria-label="{escape(title)}" '
        f'width="{width}" height="{height}" viewBox="0 0 {width} {height}">'
        f"<title>{escape(title)}</title>"
    ]
    for n, (_, name) in enumerate(lanes):
        y = AXIS_HEIGHT + n * LANE_HEIGHT
        parts.append(
            f'<rect class="strip-lane" x="0" y="{y}" width="{width}" height="{LANE_HEIGHT}"/>'
            if n % 2 == 0
            else ""
        )
        parts.append(
            f'<text class="strip-label" x="4" y="{y + 17}">{escape(_short(name, 16))}</text>'
        )
    parts += _month_ticks(first, months, per_month, x, height)
    for mark in sorted(marks, key=_layer):  # long bars first: the short ones stay on top
        parts.append(_strip_mark(mark, lane_index.get(_lead(mark, ranks), other), x))
    parts.append("</svg>")
    return "".join(parts)


def _month_ticks(first: int, months: int, per_month: float, x: object, height: int) -> list[str]:
    """A tick at each month's start, labelled as often as there is room ('Jan 2026' in January)."""
    step = next(s for s in (1, 2, 3, 6, 12, 24) if s * per_month >= 44)
    ticks = []
    for n in range(months + 1):
        month = first + n
        left = x(month)  # type: ignore[operator]
        ticks.append(
            f'<line class="strip-tick" x1="{left:.1f}" y1="{AXIS_HEIGHT - 6}" '
            f'x2="{left:.1f}" y2="{height}"/>'
        )
        if (n < months and month % step == 0) or n == 0:
            year, index = divmod(month, 12)
            text = calendar.month_abbr[index + 1] + (f" {year}" if index == 0 or n == 0 else "")
            ticks.append(f'<text class="strip-month" x="{left + 3:.1f}" y="14">{text}</text>')
    return ticks


def _strip_mark(mark: Mark, lane: int, x: object) -> str:
    """One event's bar, linked to its entry in the list."""
    start = x(_position(mark.start))  # type: ignore[operator]
    stop = x(_position(mark.end or mark.start, end=True))  # type: ignore[operator]
    if mark.end:
        kind, inset = "range", 6
    elif mark.start.day is None:
        kind, inset = "month", 3
    else:
        kind, inset = "day", 5
    bar = max(stop - start, 4.0)
    if kind == "day":
        start, bar = start + (stop - start) / 2 - 2, 4.0
    y = AXIS_HEIGHT + lane * LANE_HEIGHT + inset
    return (
        f'<a xlink:href="#{mark.anchor}" tabindex="-1"><title>{escape(mark.label)}</title>'
        f'<rect class="strip-mark strip-mark--{kind}" x="{start:.1f}" y="{y}" '
        f'width="{bar:.1f}" height="{LANE_HEIGHT - 2 * inset}" rx="1.5"/></a>'
    )


# --- The map ---------------------------------------------------------------------------

MAP_WIDTH = 800
CENTRE = (15.0, 52.0)
"""Longitude and latitude at the centre of the projection (Europe's, as the EU's maps use)."""
BOUNDS = ((-25.0, 63.0), (-11.0, 36.0), (45.0, 56.0), (40.0, 38.0), (15.0, 34.5), (25.0, 71.5))
"""Points the map must show: Iceland, Portugal, the Urals' foot, the Caucasus, Malta, the North Cape."""
NEAR = (-45.0, 25.0, 75.0, 82.0)
"""Longitudes and latitudes (west, south, east, north) of the shapes worth projecting."""
TOLERANCE = 0.8
"""How far (in pixels) a simplified coastline may stray from Natural Earth's."""


def _laea(lon: float, lat: float) -> tuple[float, float]:
    """Lambert's azimuthal equal-area projection about :data:`CENTRE`, y growing south."""
    lon0, lat0 = math.radians(CENTRE[0]), math.radians(CENTRE[1])
    lam, phi = math.radians(lon) - lon0, math.radians(lat)
    k = math.sqrt(
        2 / (1 + math.sin(lat0) * math.sin(phi) + math.cos(lat0) * math.cos(phi) * math.cos(lam))
    )
    x = k * math.cos(phi) * math.sin(lam)
    y = k * (math.cos(lat0) * math.sin(phi) - math.sin(lat0) * math.cos(phi) * math.cos(lam))
    return x, -y


@dataclass(frozen=True)
class Frame:
    """Where the projection's box lies and how it scales to the picture's pixels."""

    left: float
    top: float
    scale: float
    width: int
    height: int

    def point(self, lon: float, lat: float) -> tuple[float, float]:
        """A longitude and latitude in the picture's pixels."""
        x, y = _laea(lon, lat)
        return (x - self.left) * self.scale, (y - self.top) * self.scale


@lru_cache(maxsize=1)
def frame() -> Frame:
    """The map's box: the smallest that holds :data:`BOUNDS`, :data:`MAP_WIDTH` pixels wide."""
    xs, ys = zip(*(_laea(lon, lat) for lon, lat in BOUNDS), strict=True)
    scale = MAP_WIDTH / (max(xs) - min(xs))
    height = round((max(ys) - min(ys)) * scale)
    return Frame(min(xs), min(ys), scale, MAP_WIDTH, height)


def atlas_path(roots: Iterable[Path]) -> Path:
    """The installed Natural Earth data, under the first root that has it.

    Raises:
        BuildError: when no root has it, saying how to install it.

    """
    searched = []
    for root in roots:
        candidate = root / ATLAS_FILE
        if candidate.is_file():
            return candidate
        searched.append(str(candidate))
    raise BuildError(
        f"the map data is missing (looked for {', '.join(searched)}); "
        "run `make site`, which installs it with npm (package world-atlas)"
    )


def project_atlas(root: Path) -> Path:
    """The map data the project installed, else the generator's checkout's."""
    return atlas_path([root, Path(__file__).resolve().parents[1]])


@lru_cache(maxsize=4)
def base_map(path: Path) -> str:
    """The land of Europe and its neighbours as one SVG path, from world-atlas' TopoJSON.

    Decoded, projected, simplified and clipped once per process: about 25 KB.
    """
    topology = json.loads(path.read_bytes())
    arcs = _decode_arcs(topology)
    box = frame()
    cache: dict[int, list[tuple[float, float]]] = {}
    rings: list[str] = []
    for polygon in _polygons(topology["objects"]["countries"]):
        if not _near(polygon, arcs):
            continue
        for ring_arcs in polygon:
            ring = _clip(_stitch(ring_arcs, arcs, box, cache), box.width, box.height)
            if ring and abs(_area(ring)) >= 6:
                rings.append(_path(ring))
    return "".join(rings)


def _decode_arcs(topology: dict) -> list[list[tuple[float, float]]]:
    """Every arc as (longitude, latitude) points, undoing the quantization's deltas."""
    (sx, sy), (tx, ty) = topology["transform"]["scale"], topology["transform"]["translate"]
    decoded = []
    for arc in topology["arcs"]:
        x = y = 0
        points = []
        for dx, dy in arc:
            x += dx
            y += dy
            points.append((x * sx + tx, y * sy + ty))
        decoded.append(points)
    return decoded


def _polygons(collection: dict) -> Iterable[list[list[int]]]:
    """Each polygon of a geometry collection, as its rings of arc indices."""
    for geometry in collection["geometries"]:
        if geometry["type"] == "Polygon":
            yield geometry["arcs"]
        elif geometry["type"] == "MultiPolygon":
            yield from geometry["arcs"]


def _arc(index: int, arcs: list[list[tuple[float, float]]]) -> list[tuple[float, float]]:
    return arcs[index] if index >= 0 else arcs[~index][::-1]


def _near(polygon: list[list[int]], arcs: list[list[tuple[float, float]]]) -> bool:
    """Whether a polygon's outer ring reaches into :data:`NEAR`."""
    west, south, east, north = NEAR
    return any(
        west <= lon <= east and south <= lat <= north
        for index in polygon[0]
        for lon, lat in _arc(index, arcs)
    )


def _stitch(
    ring_arcs: list[int],
    arcs: list[list[tuple[float, float]]],
    box: Frame,
    cache: dict[int, list[tuple[float, float]]],
) -> list[tuple[float, float]]:
    """A ring in pixels, from its arcs, each projected and simplified once (borders are shared)."""
    ring: list[tuple[float, float]] = []
    for index in ring_arcs:
        key = index if index >= 0 else ~index
        if key not in cache:
            cache[key] = _simplify([box.point(lon, lat) for lon, lat in arcs[key]], TOLERANCE)
        points = cache[key] if index >= 0 else cache[key][::-1]
        ring.extend(points[1:] if ring else points)
    return ring


def _simplify(points: list[tuple[float, float]], tolerance: float) -> list[tuple[float, float]]:
    """Douglas-Peucker: keep the points that stray more than ``tolerance`` from the chord."""
    if len(points) < 3:
        return points
    keep = [False] * len(points)
    keep[0] = keep[-1] = True
    stack = [(0, len(points) - 1)]
    while stack:
        first, last = stack.pop()
        (x1, y1), (x2, y2) = points[first], points[last]
        dx, dy = x2 - x1, y2 - y1
        length = math.hypot(dx, dy) or 1.0
        worst, where = 0.0, -1
        for n in range(first + 1, last):
            x, y = points[n]
            distance = (
                abs(dy * (x - x1) - dx * (y - y1)) / length
                if (dx or dy)
                else math.hypot(x - x1, y - y1)
            )
            if distance > worst:
                worst, where = distance, n
        if worst > tolerance:
            keep[where] = True
            stack += [(first, where), (where, last)]
    return [p for p, kept in zip(points, keep, strict=True) if kept]


def _clip(ring: list[tuple[float, float]], width: int, height: int) -> list[tuple[float, float]]:
    """Sutherland-Hodgman: the part of a ring inside the picture (a little beyond its edges)."""
    margin = 2.0
    edges = (
        (0, -margin, False),
        (0, width + margin, True),
        (1, -margin, False),
        (1, height + margin, True),
    )
    for axis, limit, upper in edges:
        if not ring:
            break

        def inside(
            p: tuple[float, float], axis: int = axis, limit: float = limit, upper: bool = upper
        ) -> bool:
            return p[axis] <= limit if upper else p[axis] >= limit

        out: list[tuple[float, float]] = []
        previous = ring[-1]
        for point in ring:
            if inside(point):
                if not inside(previous):
                    out.append(_cross(previous, point, axis, limit))
                out.append(point)
            elif inside(previous):
                out.append(_cross(previous, point, axis, limit))
            previous = point
        ring = out
    return ring


def _cross(
    a: tuple[float, float], b: tuple[float, float], axis: int, limit: float
) -> tuple[float, float]:
    t = (limit - a[axis]) / (b[axis] - a[axis])
    return (a[0] + t * (b[0] - a[0]), a[1] + t * (b[1] - a[1]))


def _area(ring: list[tuple[float, float]]) -> float:
    """The signed area of a ring (shoelace formula), to drop specks."""
    turns = zip(ring, ring[1:] + ring[:1], strict=True)
    return sum(x1 * y2 - x2 * y1 for (x1, y1), (x2, y2) in turns) / 2


def _path(ring: list[tuple[float, float]]) -> str:
    """A ring as compact path data: whole pixels, relative moves, repeated points dropped."""
    points = [(round(x), round(y)) for x, y in ring]
    x0, y0 = points[0]
    steps = []
    for (xa, ya), (xb, yb) in itertools.pairwise(points):
        if (xa, ya) != (xb, yb):
            steps.append(f"{xb - xa} {yb - ya}")
    if len(steps) < 2:
        return ""
    return f"M{x0} {y0}l" + " ".join(steps).replace(" -", "-") + "z"


def on_map(latitude: float, longitude: float) -> bool:
    """Whether a point lies inside the map's box (and on the hemisphere it shows)."""
    if abs(longitude - CENTRE[0]) > 90 or latitude < 0:
        return False
    x, y = frame().point(longitude, latitude)
    return 0 <= x <= frame().width and 0 <= y <= frame().height


def map_svg(
    land: str,
    markers: Sequence[tuple[str, str, tuple[tuple[float, float], ...]]],
    *,
    title: str,
    highlight: tuple[float, float] | None = None,
) -> str:
    """A map of Europe with one marker per item: (link target, tooltip, its points).

    A marker is a link (out of the tab order: the list beside the map carries the
    same links); an item at several places has a dot at each. Dots at one spot
    are fanned out in a small spiral, so that each stays visible. Points outside
    the map are left out, and an item with none on it gets no marker.
    """
    box = frame()
    parts = [
        f'<svg class="picture-map" role="img" aria-label="{escape(title)}" '
        f'viewBox="0 0 {box.width} {box.height}" width="{box.width}" height="{box.height}">'
        f"<title>{escape(title)}</title>"
        f'<rect class="map-sea" width="{box.width}" height="{box.height}"/>'
        f'<path class="map-land" d="{land}"/>'
    ]
    if highlight:
        hx, hy = box.point(highlight[1], highlight[0])
        parts.append(f'<circle class="map-here" cx="{hx:.1f}" cy="{hy:.1f}" r="14"/>')
    seen: Counter[tuple[int, int]] = Counter()
    for target, label, points in markers:
        dots = []
        for lat, lon in filter(lambda point: on_map(*point), points):
            x, y = box.point(lon, lat)
            spot = (round(x), round(y))
            n = seen[spot]
            seen[spot] += 1
            if n:
                angle, radius = n * 2.4, 6 * math.sqrt(n)
                x, y = x + radius * math.cos(angle), y + radius * math.sin(angle)
            dots.append(f'<circle class="map-marker-dot" cx="{x:.1f}" cy="{y:.1f}" r="7"/>')
        if not dots:
            continue
        parts.append(
            f'<a class="map-marker" xlink:href="{escape(target)}" tabindex="-1">'
            f"<title>{escape(label)}</title>{''.join(dots)}</a>"
        )
    parts.append("</svg>")
    return "".join(parts)


def wrap(svg: str, kind: str, caption: str, *, scroll: bool = False) -> str:
    """A picture in a figure with its caption, on one line so Markdown keeps it whole.

    A strip chart wider than the screen scrolls in its own box, which keyboard
    users can focus and scroll too.
    """
    if not svg:
        return ""
    inner = (
        f'<div class="picture-scroll" tabindex="0" role="region" aria-label="{escape(caption)}">'
        f"{svg}</div>"
        if scroll
        else svg
    )
    return (
        f'<figure class="picture picture--{kind}">{inner}'
        f"<figcaption>{escape(caption)}</figcaption></figure>"
    )


def data_list(marks: Sequence[Mark], places: dict[str, Place], events: Sequence[Event]) -> str:
    """The events of a brief's pictures as a list the marks link to, folded away.

    A brief's own timeline carries no ids of its own, so its pictures bring their list.
    """
    items = []
    for mark, event in zip(marks, events, strict=True):
        where = ", ".join(places[p].name for p in event.places if p in places)
        items.append(
            f'<li id="{mark.anchor}"><strong>{escape(date_text(mark.start, mark.end))}</strong>'
            + (f" · {escape(where)}" if where else "")
            + f" — {escape(plain(event.what))}</li>"
        )
    return (
        '<details class="picture-data"><summary>The events in these pictures</summary>'
        f"<ol>{''.join(items)}</ol></details>"
    )
