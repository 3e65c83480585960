from django import template

from .. import maps

register = template.Library()


@register.simple_tag
def locator(place) -> maps.Locator | None:
    """The map crop around a place: `{% locator place as loc %}`."""
    return maps.locator(place.latitude, place.longitude)
