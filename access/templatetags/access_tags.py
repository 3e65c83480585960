from datetime import timedelta

from django import template
from django.utils.translation import ngettext

register = template.Library()


@register.filter
def response_time(duration: timedelta | None) -> str:
    """A response time as people say it: hours within a day, days after."""
    if duration is None:
        return ""
    hours = max(1, round(duration.total_seconds() / 3600))
    if hours < 24:
        return ngettext("%(n)d hour", "%(n)d hours", hours) % {"n": hours}
    days = round(hours / 24)
    return ngettext("%(n)d day", "%(n)d days", days) % {"n": days}
