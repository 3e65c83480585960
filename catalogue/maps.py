"""The projection behind the self-hosted map of Europe (static/img/europe.svg).

A Lambert azimuthal equal-area projection centred on 10°E 52°N, in kilometres, with
y growing southwards as in SVG. Near the centre one viewBox unit is about one
kilometre, so spans can be given in km. Pure Python: scripts/build_europe_map.py
imports it to draw the map, so the pins and the coastlines always agree.
"""

import math
from dataclasses import dataclass
from decimal import Decimal

type Coordinate = float | Decimal

EARTH_RADIUS_KM = 6371.0088
CENTRE_LATITUDE = 52.0
CENTRE_LONGITUDE = 10.0

# Projected extent, km from the centre: wider than the lon -25..45, lat 34..72 box so
# that the Azores, the Canaries, Svalbard and the Caucasus stay on the map.
WEST, EAST = -3500.0, 3100.0
SOUTH, NORTH = -2350.0, 3250.0

VIEWBOX: tuple[float, float, float, float] = (0.0, 0.0, EAST - WEST, NORTH - SOUTH)

_SIN_PHI0 = math.sin(math.radians(CENTRE_LATITUDE))
_COS_PHI0 = math.cos(math.radians(CENTRE_LATITUDE))


def project(latitude: Coordinate, longitude: Coordinate) -> tuple[float, float]:
    """The point's (x, y) in VIEWBOX units; y grows downwards."""
    phi = math.radians(float(latitude))
    delta_lambda = math.radians(float(longitude) - CENTRE_LONGITUDE)
    sin_phi, cos_phi, cos_lambda = math.sin(phi), math.cos(phi), math.cos(delta_lambda)
    cos_c = _SIN_PHI0 * sin_phi + _COS_PHI0 * cos_phi * cos_lambda
    # The antipode (170°W 52°S) has no image; it is far outside the map anyway.
    scale = EARTH_RADIUS_KM * math.sqrt(2.0 / max(1.0 + cos_c, 1e-12))
    easting = scale * cos_phi * math.sin(delta_lambda)
    northing = scale * (_COS_PHI0 * sin_phi - _SIN_PHI0 * cos_phi * cos_lambda)
    return easting - WEST, NORTH - northing


def is_on_map(x: float, y: float) -> bool:
    min_x, min_y, width, height = VIEWBOX
    return min_x <= x <= min_x + width and min_y <= y <= min_y + height


@dataclass(frozen=True)
class Locator:
    """A crop of the map around one point, and where to draw its pin."""

    x: float
    y: float
    view: tuple[float, float, float, float]

    @property
    def viewbox(self) -> str:
        return " ".join(_number(value) for value in self.view)

    @property
    def pin_x(self) -> str:
        return _number(self.x)

    @property
    def pin_y(self) -> str:
        return _number(self.y)

    @property
    def pin_radius(self) -> str:
        return _number(self.view[2] / 60)

    @property
    def pin_stroke_width(self) -> str:
        return _number(self.view[2] / 200)

    @property
    def map_width(self) -> str:
        return _number(VIEWBOX[2])

    @property
    def map_height(self) -> str:
        return _number(VIEWBOX[3])


def locator(
    latitude: Coordinate | None,
    longitude: Coordinate | None,
    *,
    span_km: float = 800.0,
    aspect_ratio: float = 4 / 3,
) -> Locator | None:
    """A view span_km wide centred on the point, shifted to stay inside the map.

    None when a coordinate is missing or the point lies outside the map.
    """
    if latitude is None or longitude is None:
        return None
    x, y = project(latitude, longitude)
    if not is_on_map(x, y):
        return None
    map_x, map_y, map_width, map_height = VIEWBOX
    width = min(span_km, map_width)
    height = min(width / aspect_ratio, map_height)
    left = _clamp(x - width / 2, map_x, map_x + map_width - width)
    top = _clamp(y - height / 2, map_y, map_y + map_height - height)
    return Locator(x=x, y=y, view=(left, top, width, height))


def _clamp(value: float, lowest: float, highest: float) -> float:
    return max(lowest, min(value, highest))


def _number(value: float) -> str:
    # Not through the template engine: localisation would write "1234,5" in German.
    return f"{value:.1f}".removesuffix(".0")
