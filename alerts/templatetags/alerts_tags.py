from django import template

from alerts.models import Frequency

register = template.Library()


@register.simple_tag
def alert_frequencies() -> list[tuple[str, str]]:
    """The choices of a saved search's email alert, for the search page's form."""
    return [(str(value), str(label)) for value, label in Frequency.choices]
