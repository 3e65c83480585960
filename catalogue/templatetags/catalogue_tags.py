import functools
import json
from collections.abc import Iterator
from html import escape
from typing import TYPE_CHECKING, Any

from django import template
from django.contrib.humanize.templatetags.humanize import intcomma
from django.core.paginator import Paginator
from django.core.serializers.json import DjangoJSONEncoder
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language, gettext, ngettext, override

from catalogue.vocabulary import vocabulary

if TYPE_CHECKING:
    from catalogue.models import Service
    from catalogue.search import Card, FacetGroup, Match
    from catalogue.views import RegionEntry

register = template.Library()

FACET_OPTIONS_SHOWN = 8

_JSON_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}


@register.simple_tag
def json_ld(data: dict[str, Any]) -> SafeString:
    """A schema.org JSON-LD block, escaped so no text can close the script element."""
    payload = json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False)
    return format_html(
        '<script type="application/ld+json">{}</script>',
        mark_safe(payload.translate(_JSON_ESCAPES)),  # noqa: S308 - escaped above
    )


@register.simple_tag
def facet_options(group: "FacetGroup") -> SafeString:
    """The checkboxes of one facet group, the options after the eighth folded away.

    Built here rather than in a ``{% partialdef %}`` of the search page, and escaped
    with the standard library: a page shows a couple of hundred options, and the
    partial (tried in the search package's refactoring) made a page's rendering
    15 to 20 ms slower on the benchmark's catalogue."""
    name = escape(group.param)
    rows = [
        f'<div class="form-check"><input class="form-check-input" type="checkbox"'
        f' name="{name}" value="{escape(option.code)}" id="{escape(option.dom_id)}"'
        f'{" checked" if option.selected else ""}><label class="form-check-label'
        f' d-flex justify-content-between gap-2" for="{escape(option.dom_id)}">'
        f"<span>{escape(str(option.label))}</span>"
        f'<span class="facet-count">{int(option.count)}</span></label></div>'
        for option in group.options
    ]
    shown, more = rows[:FACET_OPTIONS_SHOWN], rows[FACET_OPTIONS_SHOWN:]
    html = mark_safe("".join(shown))
    if more:
        summary = ngettext(
            "Show %(counter)s more", "Show %(counter)s more", len(more)
        ) % {"counter": len(more)}
        html += format_html(
            '<details class="facet-more"{}><summary>{}</summary>{}</details>',
            mark_safe(" open") if group.has_selection else "",
            summary,
            mark_safe("".join(more)),
        )
    return html


@register.simple_tag
def result_card(card: "Card", matches: "list[Match] | None") -> SafeString:
    """One search result: name, host and place, the best matching services and
    equipment, KETs and the terms an SME looks at first.

    Built here, like the facet options: as a ``{% partialdef %}`` rendered twenty
    times, the cards made a page's rendering 10 to 14 ms slower on the benchmark's
    catalogue, about what the database takes to find them."""
    url = escape(card.get_absolute_url())
    pk = int(card.pk)
    kinds = {"service": gettext("Service:"), "equipment": gettext("Equipment:")}
    matched = "".join(
        f'<li><span class="text-body-secondary">{escape(kinds[match.kind])}</span>'
        f' <a href="{url}#{escape(match.anchor)}">{match.name_html}</a></li>'
        for match in matches or ()
    )
    kets = "".join(
        f'<li class="list-inline-item"><span class="badge badge-ket">{escape(label)}'
        "</span></li>"
        for label in ket_labels(card.kets)
    )
    days = card.shortest_lead_time_days
    lead_time = (
        gettext("on request")
        if days is None
        else ngettext("from %(days)s day", "from %(days)s days", days) % {"days": days}
    )
    sme_rate = gettext("available") if card.has_sme_rate else gettext("not offered")
    languages = ", ".join(language_labels(card.languages)) or "–"

    def term(label: str, value: str) -> str:
        return (
            f'<div><dt class="d-inline">{escape(label)}:</dt>'
            f' <dd class="d-inline">{escape(value)}</dd></div>'
        )

    return mark_safe(  # noqa: S308 - every value escaped above; name_html is marked
        f'<li class="rii-card mb-3"><article aria-labelledby="rii-{pk}">'
        f'<h3 id="rii-{pk}"><a href="{url}">{escape(card.display_name)}</a></h3>'
        f'<p class="text-body-secondary small mb-2">{escape(card.host_name)} ·'
        f" {escape(card.city)}, {escape(card.place_name)}</p>"
        f'<p class="mb-2">{escape(card.summary)}</p>'
        + (f'<ul class="matches small mb-2">{matched}</ul>' if matched else "")
        + f'<ul class="list-inline mb-2" aria-label="'
        f'{escape(gettext("Key Enabling Technologies"))}">{kets}</ul>'
        '<dl class="terms small mb-0">'
        + term(gettext("SME rate"), sme_rate)
        + term(gettext("Lead time"), lead_time)
        + term(gettext("Languages"), languages)
        + "</dl>"
        # Of the compare form, outside the search form: ticking it is no search.
        f'<div class="mt-2"><input class="compare-check me-1" type="checkbox"'
        f' name="rii" value="{escape(card.slug)}" id="compare-{pk}" form="compare-form">'
        f'<label for="compare-{pk}">{escape(gettext("Compare"))}'
        f'<span class="visually-hidden">: {escape(card.display_name)}</span></label>'
        "</div></article></li>"
    )


@register.simple_tag
def service_article(service: "Service", request_url: str) -> SafeString:
    """One service of a listing's page: its type, description and terms, and the
    links to request or book it.

    Built here, like the result cards: a listing can offer dozens of services, and
    in a template loop they took most of the page's time."""
    labels = _service_labels(get_language())
    anchor = escape(service.anchor)
    name = escape(service.name)
    if service.lead_time_days is None:
        lead_time = labels["on_request"]
    else:
        days = service.lead_time_days
        lead_time = escape(
            ngettext("%(days)s day", "%(days)s days", days) % {"days": days}
        )
    languages = ", ".join(str(language.label) for language in service.languages.all())

    def term(label: str, value: object) -> str:
        return f"<div><dt>{labels[label]}</dt><dd>{value}</dd></div>"

    booking = (
        f'<a href="{escape(service.booking_url)}" rel="noopener">{labels["book"]}'
        f'<span class="visually-hidden">: {name}</span></a>'
        if service.booking_url
        else ""
    )
    return mark_safe(  # noqa: S308 - every value escaped here or in _service_labels
        f'<article class="service" id="{anchor}" aria-labelledby="{anchor}-title">'
        f'<h3 id="{anchor}-title">{name}</h3>'
        f'<p class="mb-2"><span class="badge badge-soft">'
        f"{escape(str(service.service_type.label))}</span></p>"
        f"<p>{escape(service.description)}</p>"
        '<dl class="terms-grid">'
        + term("trl", escape(trl_range(service)))
        + term("access_mode", escape(str(service.access_mode.label)))
        + term("price_band", escape(str(service.get_price_band_display())))
        + term("sme_rate", labels["available" if service.sme_rate_available else "no"])
        + term("lead_time", lead_time)
        + term("ip", escape(str(service.get_ip_default_display())))
        + term("nda", labels["available" if service.nda_available else "not_offered"])
        + term("languages", escape(languages) or "–")
        + "</dl>"
        '<p class="mt-3 mb-0 d-flex flex-wrap gap-3">'
        f'<a href="{escape(request_url)}?service={escape(service.slug)}">'
        f'{labels["request"]}<span class="visually-hidden">: {name}</span></a>'
        f"{booking}</p></article>"
    )


@functools.cache
def _service_labels(language: str | None) -> dict[str, str]:
    """The fixed texts of a service's article in ``language``, escaped: looked up
    once per language rather than a dozen times per service."""
    with override(language):
        texts = {
            "trl": gettext("Technology readiness"),
            "access_mode": gettext("Access mode"),
            "price_band": gettext("Price band"),
            "sme_rate": gettext("SME rate"),
            "lead_time": gettext("Typical lead time"),
            "ip": gettext("Intellectual property"),
            "nda": gettext("NDA"),
            "languages": gettext("Languages"),
            "available": gettext("Available"),
            "no": gettext("No"),
            "not_offered": gettext("Not offered"),
            "on_request": gettext("On request"),
            "book": gettext("Book online"),
            "request": gettext("Request this service"),
        }
    return {key: escape(text) for key, text in texts.items()}


@register.simple_tag
def region_areas(country: "RegionEntry") -> SafeString:
    """The NUTS-1 regions of a country on the regions index, each with its NUTS-2
    regions, linked and with their numbers of listings.

    Built here, like the result cards: the index lists some 400 regions, which
    took a template loop about 50 ms to write."""
    prefix = escape(_path_prefix("catalogue:region_detail"))

    def item(entry: "RegionEntry", link_class: str, meta_class: str) -> str:
        code = escape(entry.region.code)
        link = f' class="{link_class}"' if link_class else ""
        return (
            f'<a{link} href="{prefix}{code}/">{escape(entry.region.display_name)}'
            f'</a> <span class="{meta_class}">{code} · '
            f"{intcomma(entry.infrastructure_count)}</span>"
        )

    nuts1_items = []
    for nuts1 in country.areas:
        nuts2_items = "".join(
            f"<li>{item(nuts2, '', 'text-body-secondary')}</li>"
            for nuts2 in nuts1.areas
        )
        nested = (
            f'<ul class="list-unstyled ps-3 small mb-2">{nuts2_items}</ul>'
            if nuts2_items
            else ""
        )
        nuts1_items.append(
            f'<li class="col-md-6 col-lg-4">'
            f"{item(nuts1, 'fw-semibold', 'text-body-secondary small')}{nested}</li>"
        )
    return mark_safe(  # noqa: S308 - every value escaped above
        f'<ul class="list-unstyled row g-2 mb-0">{"".join(nuts1_items)}</ul>'
    )


def _path_prefix(url_name: str) -> str:
    """The path of ``url_name`` up to its one argument (which ends the path)."""
    return reverse(url_name, args=["0"]).removesuffix("0/")


@register.filter
def trl_range(service: "Service") -> str:
    if service.trl_from == service.trl_to:
        return f"TRL {service.trl_from}"
    return f"TRL {service.trl_from}–{service.trl_to}"


@register.filter
def get_item(mapping: dict[Any, Any], key: Any) -> Any:
    return mapping.get(key)


@register.filter
def ket_labels(codes: list[str]) -> list[str]:
    """Labels of the 2018 KETs among ``codes``, in the list's order."""
    terms = vocabulary().terms("ket")
    return [
        str(term.label)
        for code, term in terms.items()
        if term.collection == "2018" and code in codes
    ]


@register.filter
def language_labels(codes: list[str]) -> list[str]:
    terms = vocabulary().terms("language")
    return [str(term.label) for code, term in terms.items() if code in codes]


@register.filter
def elided_pages(paginator: Paginator, number: int) -> Iterator[int | str]:
    return paginator.get_elided_page_range(number, on_each_side=1, on_ends=1)
