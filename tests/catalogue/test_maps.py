import re
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from django.utils import translation

from catalogue.maps import VIEWBOX, locator, project

BOLOGNA = (44.49, 11.34)
TARTU = (58.38, 26.72)
LISBON = (38.72, -9.14)
NICOSIA = (35.17, 33.36)
FLORES_AZORES = (39.45, -31.25)
NY_ALESUND = (78.92, 11.93)
REUNION = (-21.1, 55.5)


def render_map(**overrides: object) -> str:
    place = {
        "name": "Bologna Test Facility",
        "city": "Bologna",
        "latitude": Decimal("44.49"),
        "longitude": Decimal("11.34"),
    }
    return render_to_string(
        "includes/_location_map.html", {"place": SimpleNamespace(**place | overrides)}
    )


def test_bologna_is_left_of_and_below_tartu() -> None:
    bologna_x, bologna_y = project(*BOLOGNA)
    tartu_x, tartu_y = project(*TARTU)

    assert bologna_x < tartu_x
    assert bologna_y > tartu_y


def test_project_accepts_decimals() -> None:
    assert project(Decimal("44.49000"), Decimal("11.34000")) == pytest.approx(
        project(*BOLOGNA)
    )


def test_one_unit_is_about_a_kilometre() -> None:
    # Bologna to Tartu is 1,867 km along a great circle.
    (x1, y1), (x2, y2) = project(*BOLOGNA), project(*TARTU)

    assert ((x2 - x1) ** 2 + (y2 - y1) ** 2) ** 0.5 == pytest.approx(1867, rel=0.01)


@pytest.mark.parametrize(
    "point", [BOLOGNA, TARTU, LISBON, NICOSIA, FLORES_AZORES, NY_ALESUND]
)
def test_locator_view_contains_the_pin_and_stays_on_the_map(
    point: tuple[float, float],
) -> None:
    loc = locator(*point)

    assert loc is not None
    left, top, width, height = loc.view
    map_left, map_top, map_width, map_height = VIEWBOX
    assert left <= loc.x <= left + width
    assert top <= loc.y <= top + height
    assert map_left <= left and left + width <= map_left + map_width
    assert map_top <= top and top + height <= map_top + map_height


def test_locator_is_centred_on_the_pin_away_from_the_edges() -> None:
    loc = locator(Decimal("44.49"), Decimal("11.34"), span_km=600)

    assert loc is not None
    left, top, width, height = loc.view
    assert width == 600
    assert (left + width / 2, top + height / 2) == pytest.approx((loc.x, loc.y))


def test_locator_is_clamped_at_the_edge_of_the_map() -> None:
    loc = locator(*FLORES_AZORES)

    assert loc is not None
    assert loc.view[0] == VIEWBOX[0]
    assert loc.x < loc.view[0] + loc.view[2] / 2


@pytest.mark.parametrize(
    ("latitude", "longitude"), [(None, None), (None, 11.34), (44.49, None)]
)
def test_locator_is_none_without_coordinates(
    latitude: float | None, longitude: float | None
) -> None:
    assert locator(latitude, longitude) is None


def test_locator_is_none_off_the_map() -> None:
    assert locator(*REUNION) is None


def test_base_map_has_the_projection_viewbox() -> None:
    path = finders.find("img/europe.svg")

    assert path is not None
    with open(path) as svg:
        text = svg.read()
    assert 'viewBox="{:g} {:g} {:g} {:g}"'.format(*VIEWBOX) in text
    assert "style=" not in text


def test_map_shows_the_place_with_a_pin_and_an_osm_link() -> None:
    html = render_map()

    assert "<svg" in html
    assert 'role="img"' in html
    assert (
        'aria-label="Map showing the location of Bologna Test Facility in Bologna"'
        in html
    )
    assert "img/europe.svg" in html
    assert "<circle" in html
    assert (
        "https://www.openstreetmap.org/?mlat=44.49&amp;mlon=11.34#map=13/44.49/11.34"
        in html
    )
    assert "Open in OpenStreetMap" in html
    assert "style=" not in html
    assert "<script" not in html


def test_map_label_escapes_the_name() -> None:
    html = render_map(name='Lab "A" & <B>')

    assert (
        'aria-label="Map showing the location of Lab &quot;A&quot; &amp; &lt;B&gt; '
        'in Bologna"' in html
    )


def test_map_numbers_are_not_localised() -> None:
    with translation.override("de"):
        html = render_map()

    viewbox = re.search(r'viewBox="([^"]*)"', html)
    assert viewbox is not None
    assert "," not in viewbox.group(1)
    assert "mlat=44.49&amp;mlon=11.34" in html


def test_map_without_coordinates_says_so() -> None:
    html = render_map(latitude=None, longitude=None)

    assert "No coordinates recorded." in html
    assert "<svg" not in html
    assert "openstreetmap" not in html


def test_place_off_the_map_still_gets_the_osm_link() -> None:
    latitude, longitude = REUNION
    html = render_map(latitude=latitude, longitude=longitude, city="Saint-Denis")

    assert "<svg" not in html
    assert "Open in OpenStreetMap" in html
