from django import template
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from ..views import SEARCH_EXPORT_LIMIT

register = template.Library()

SEARCH_EXPORT_LABELS = {
    "csv": _("CSV"),
    "xlsx": _("Excel (XLSX)"),
    "uniquip": _("UNIQUIP CSV"),
}


@register.inclusion_tag(
    "imports/includes/_search_export_links.html", takes_context=True
)
def search_export_links(context, search) -> dict:
    """Links to download the current search, unless it is empty or too large."""
    if not search.total or search.total > SEARCH_EXPORT_LIMIT:
        return {"links": []}
    query = context["request"].GET.copy()
    query.pop("page", None)
    suffix = f"?{query.urlencode()}" if query else ""
    return {
        "links": [
            {
                "url": reverse("imports:search_export", args=[name]) + suffix,
                "label": label,
            }
            for name, label in SEARCH_EXPORT_LABELS.items()
        ]
    }
