import json

from django import template
from django.core.serializers.json import DjangoJSONEncoder
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from catalogue.vocabulary import vocabulary

register = template.Library()

_JSON_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}


@register.simple_tag
def json_ld(data: dict) -> str:
    """A schema.org JSON-LD block, escaped so no text can close the script element."""
    payload = json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False)
    return format_html(
        '<script type="application/ld+json">{}</script>',
        mark_safe(payload.translate(_JSON_ESCAPES)),  # noqa: S308 - escaped above
    )


@register.filter
def trl_range(service) -> str:
    if service.trl_from == service.trl_to:
        return f"TRL {service.trl_from}"
    return f"TRL {service.trl_from}–{service.trl_to}"


@register.filter
def get_item(mapping: dict, key):
    return mapping.get(key)


@register.filter
def ket_labels(codes: list[str]) -> list[str]:
    """Labels of the 2018 KETs among ``codes``, in the list's order."""
    terms = vocabulary().terms("ket")
    return [
        term.label
        for code, term in terms.items()
        if term.collection == "2018" and code in codes
    ]


@register.filter
def language_labels(codes: list[str]) -> list[str]:
    terms = vocabulary().terms("language")
    return [term.label for code, term in terms.items() if code in codes]


@register.filter
def elided_pages(paginator, number: int):
    return paginator.get_elided_page_range(number, on_each_side=1, on_ends=1)
