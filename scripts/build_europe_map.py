"""Build static/img/europe.svg, the self-hosted base map behind the location maps.

Reads the Natural Earth 1:50m countries that the npm package world-atlas ships as
TopoJSON, projects them with catalogue.maps.project, simplifies and clips them to the
map's extent, and writes land as one filled path and coasts and borders as one
stroked path. Run from the project root after `npm ci`:

    python scripts/build_europe_map.py
"""

import json
import math
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from catalogue.maps import (  # noqa: E402 - needs ROOT on the path
    CENTRE_LATITUDE,
    CENTRE_LONGITUDE,
    VIEWBOX,
    project,
)

type Point = tuple[float, float]
type Line = list[Point]
type Rect = tuple[float, float, float, float]

SOURCE = ROOT / "node_modules" / "world-atlas" / "countries-50m.json"
SOURCE_LICENCE = ROOT / "node_modules" / "world-atlas" / "LICENSE"
OUTPUT = ROOT / "static" / "img" / "europe.svg"
OUTPUT_LICENCE = ROOT / "static" / "img" / "europe.svg.LICENSE.txt"

SEA = "#f4f7fb"
LAND = "#dfe7f1"
BORDER = "#b8c4d4"
BORDER_WIDTH = 1.8

TOLERANCE_KM = 1.0  # Douglas-Peucker; under a pixel in an 800 km wide locator
SMALLEST_ISLAND_KM2 = 12.0
# Clip a little outside the viewBox so that cut edges are never visible.
CLIP_MARGIN_KM = 20.0
# Points more than this far (great-circle angle) from the centre are never on the map
# but can wrap around it once projected (Antarctica would enclose Europe).
FURTHEST_DEGREES = 120.0


def main() -> None:
    topology = json.loads(SOURCE.read_text())
    arcs = [_simplify(line) for line in _projected_arcs(topology)]
    min_x, min_y, width, height = VIEWBOX
    clip: Rect = (
        min_x - CLIP_MARGIN_KM,
        min_y - CLIP_MARGIN_KM,
        min_x + width + CLIP_MARGIN_KM,
        min_y + height + CLIP_MARGIN_KM,
    )

    land_rings = []
    for polygon in _polygons(topology["objects"]["land"]):
        for ring_arcs in polygon:
            ring = _ring(ring_arcs, arcs)
            if ring is None or abs(_area(ring)) < SMALLEST_ISLAND_KM2:
                continue
            clipped = _clip_polygon(ring, clip)
            if len(clipped) >= 3:
                land_rings.append(clipped)

    borders: list[Line] = []
    for index in sorted(_arc_indices(topology["objects"]["countries"])):
        line = arcs[index]
        if line is None or _is_small_island(line):
            continue
        borders.extend(_clip_line(line, clip))

    OUTPUT.parent.mkdir(parents=True, exist_ok=True)
    OUTPUT.write_text(_svg(land_rings, borders))
    OUTPUT_LICENCE.write_text(
        "static/img/europe.svg is drawn by scripts/build_europe_map.py from the\n"
        "world-atlas npm package, which derives from Natural Earth 1:50m Admin 0\n"
        "countries (https://www.naturalearthdata.com/, public domain).\n"
        "world-atlas is distributed under this licence:\n\n"
        + SOURCE_LICENCE.read_text()
    )
    print(f"Wrote {OUTPUT.relative_to(ROOT)} ({OUTPUT.stat().st_size:,} bytes)")


def _projected_arcs(topology: dict) -> Iterator[Line | None]:
    """Every arc decoded from quantised deltas, projected; None if never on the map."""
    (scale_x, scale_y), (shift_x, shift_y) = (
        topology["transform"]["scale"],
        topology["transform"]["translate"],
    )
    for arc in topology["arcs"]:
        quantised_x = quantised_y = 0
        coordinates = []
        for delta_x, delta_y in arc:
            quantised_x += delta_x
            quantised_y += delta_y
            longitude = quantised_x * scale_x + shift_x
            latitude = quantised_y * scale_y + shift_y
            coordinates.append((latitude, longitude))
        if any(_degrees_from_centre(*c) > FURTHEST_DEGREES for c in coordinates):
            yield None
        else:
            yield [project(latitude, longitude) for latitude, longitude in coordinates]


def _degrees_from_centre(latitude: float, longitude: float) -> float:
    phi, phi0 = math.radians(latitude), math.radians(CENTRE_LATITUDE)
    delta = math.radians(longitude - CENTRE_LONGITUDE)
    sines = math.sin(phi) * math.sin(phi0)
    cosine = sines + math.cos(phi) * math.cos(phi0) * math.cos(delta)
    return math.degrees(math.acos(max(-1.0, min(1.0, cosine))))


def _simplify(line: Line | None) -> Line | None:
    """Douglas-Peucker, keeping both ends so that arcs shared by two shapes meet."""
    if line is None or len(line) < 3:
        return line
    keep = [False] * len(line)
    keep[0] = keep[-1] = True
    stack = [(0, len(line) - 1)]
    while stack:
        first, last = stack.pop()
        furthest, distance = 0, 0.0
        for index in range(first + 1, last):
            candidate = _distance_to_segment(line[index], line[first], line[last])
            if candidate > distance:
                furthest, distance = index, candidate
        if distance > TOLERANCE_KM:
            keep[furthest] = True
            stack.extend([(first, furthest), (furthest, last)])
    return [point for point, kept in zip(line, keep, strict=True) if kept]


def _distance_to_segment(point: Point, start: Point, end: Point) -> float:
    (px, py), (ax, ay), (bx, by) = point, start, end
    dx, dy = bx - ax, by - ay
    length_squared = dx * dx + dy * dy
    if length_squared == 0:
        return math.hypot(px - ax, py - ay)
    t = max(0.0, min(1.0, ((px - ax) * dx + (py - ay) * dy) / length_squared))
    return math.hypot(px - ax - t * dx, py - ay - t * dy)


def _polygons(geometry_collection: dict) -> Iterator[list[list[int]]]:
    for geometry in geometry_collection["geometries"]:
        if geometry["type"] == "Polygon":
            yield geometry["arcs"]
        elif geometry["type"] == "MultiPolygon":
            yield from geometry["arcs"]


def _arc_indices(geometry_collection: dict) -> set[int]:
    # A negative index ~i means arc i reversed.
    return {
        index if index >= 0 else ~index
        for polygon in _polygons(geometry_collection)
        for ring in polygon
        for index in ring
    }


def _ring(ring_arcs: list[int], arcs: list[Line | None]) -> Line | None:
    ring: Line = []
    for index in ring_arcs:
        line = arcs[index if index >= 0 else ~index]
        if line is None:
            return None
        if index < 0:
            line = line[::-1]
        # Consecutive arcs share their joining point.
        ring.extend(line[1:] if ring else line)
    return ring


def _area(ring: Line) -> float:
    return (
        sum(
            x0 * y1 - x1 * y0
            for (x0, y0), (x1, y1) in zip(ring, ring[1:] + ring[:1], strict=True)
        )
        / 2
    )


def _is_small_island(line: Line) -> bool:
    return line[0] == line[-1] and abs(_area(line)) < SMALLEST_ISLAND_KM2


def _clip_polygon(ring: Line, rect: Rect) -> Line:
    """Sutherland-Hodgman against each side of the rectangle in turn."""
    left, top, right, bottom = rect
    sides = [
        (lambda p: p[0] >= left, lambda p, q: _at_x(p, q, left)),
        (lambda p: p[0] <= right, lambda p, q: _at_x(p, q, right)),
        (lambda p: p[1] >= top, lambda p, q: _at_y(p, q, top)),
        (lambda p: p[1] <= bottom, lambda p, q: _at_y(p, q, bottom)),
    ]
    points = ring
    for inside, crossing in sides:
        if not points:
            break
        clipped: Line = []
        previous = points[-1]
        for point in points:
            if inside(point):
                if not inside(previous):
                    clipped.append(crossing(previous, point))
                clipped.append(point)
            elif inside(previous):
                clipped.append(crossing(previous, point))
            previous = point
        points = clipped
    return points


def _at_x(p: Point, q: Point, x: float) -> Point:
    return x, p[1] + (q[1] - p[1]) * (x - p[0]) / (q[0] - p[0])


def _at_y(p: Point, q: Point, y: float) -> Point:
    return p[0] + (q[0] - p[0]) * (y - p[1]) / (q[1] - p[1]), y


def _clip_line(line: Line, rect: Rect) -> Iterator[Line]:
    """The runs of a polyline inside the rectangle (Liang-Barsky for each segment)."""
    run: Line = []
    for start, end in zip(line, line[1:], strict=False):
        segment = _clip_segment(start, end, rect)
        if segment is None:
            if len(run) > 1:
                yield run
            run = []
            continue
        clipped_start, clipped_end = segment
        if run and run[-1] != clipped_start:
            if len(run) > 1:
                yield run
            run = []
        if not run:
            run.append(clipped_start)
        run.append(clipped_end)
    if len(run) > 1:
        yield run


def _clip_segment(start: Point, end: Point, rect: Rect) -> tuple[Point, Point] | None:
    left, top, right, bottom = rect
    (x0, y0), (x1, y1) = start, end
    dx, dy = x1 - x0, y1 - y0
    t_in, t_out = 0.0, 1.0
    sides = ((-dx, x0 - left), (dx, right - x0), (-dy, y0 - top), (dy, bottom - y0))
    for p, q in sides:
        if p == 0:
            if q < 0:
                return None
            continue
        t = q / p
        if p < 0:
            t_in = max(t_in, t)
        else:
            t_out = min(t_out, t)
        if t_in > t_out:
            return None
    clipped_start = start if t_in == 0 else (x0 + t_in * dx, y0 + t_in * dy)
    clipped_end = end if t_out == 1 else (x0 + t_out * dx, y0 + t_out * dy)
    return clipped_start, clipped_end


def _path(lines: Iterable[Line], *, closed: bool) -> str:
    """Whole-kilometre coordinates: absolute moves, relative lines, no spare spaces."""
    commands = []
    for line in lines:
        points = _dedupe([(round(x), round(y)) for x, y in line])
        if len(points) < (3 if closed else 2):
            continue
        (x, y), *rest = points
        numbers = []
        for next_x, next_y in rest:
            numbers.extend([next_x - x, next_y - y])
            x, y = next_x, next_y
        commands.append(
            f"M{points[0][0]} {points[0][1]}l{_join(numbers)}" + ("z" if closed else "")
        )
    return "".join(commands)


def _dedupe(points: list[tuple[int, int]]) -> list[tuple[int, int]]:
    return [point for i, point in enumerate(points) if i == 0 or point != points[i - 1]]


def _join(numbers: list[int]) -> str:
    # A minus sign separates numbers by itself.
    text = str(numbers[0])
    for number in numbers[1:]:
        text += str(number) if number < 0 else f" {number}"
    return text


def _svg(land_rings: list[Line], borders: list[Line]) -> str:
    min_x, min_y, width, height = (f"{value:g}" for value in VIEWBOX)
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" '
        f'viewBox="{min_x} {min_y} {width} {height}">\n'
        "<!-- Natural Earth 1:50m via world-atlas (see europe.svg.LICENSE.txt);"
        " built by scripts/build_europe_map.py -->\n"
        f'<rect x="{min_x}" y="{min_y}" width="{width}" height="{height}"'
        f' fill="{SEA}"/>\n'
        f'<path fill="{LAND}" fill-rule="evenodd" d="'
        f'{_path(land_rings, closed=True)}"/>\n'
        f'<path fill="none" stroke="{BORDER}" stroke-width="{BORDER_WIDTH}"'
        ' stroke-linejoin="round" stroke-linecap="round" d="'
        f'{_path(borders, closed=False)}"/>\n'
        "</svg>\n"
    )


if __name__ == "__main__":
    main()
