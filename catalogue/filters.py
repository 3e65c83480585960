"""The search page's filters: parsed and validated by a FilterSet, applied to the
search records. Several values of one filter are OR; different filters are AND."""

from dataclasses import dataclass

import django_filters
from django import forms
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from .vocabulary import vocabulary


@dataclass(frozen=True)
class Facet:
    """One filter over a column of ``SearchRecord``, usable in the ORM and in SQL."""

    param: str
    column: str
    label: str
    kind: str = "codes"  # codes (an array column), scalar, flag or levels

    def q(self, values: list) -> Q:
        if self.kind == "flag":
            return Q(**{self.column: True})
        if self.kind == "scalar":
            return Q(**{f"{self.column}__in": values})
        return Q(**{f"{self.column}__overlap": values})

    @property
    def counted(self) -> bool:
        """Whether the search page shows this facet's values with their counts."""
        return self.kind not in ("flag", "levels")

    def tags(self, values: list) -> list[str]:
        """The search records' tags (``SearchRecord.facet_tags``) of these values:
        a listing passes the filter when it carries any of them."""
        if self.kind == "flag":
            return [f"{self.param}:true"]
        return [f"{self.param}:{value}" for value in values]


FACETS = {
    facet.param: facet
    for facet in [
        Facet("ket", "kets", _("Key Enabling Technology")),
        Facet("country", "country", _("Country"), kind="scalar"),
        Facet("region", "regions", _("Region")),
        Facet("partner", "is_partner", _("Partner regions only"), kind="flag"),
        Facet("type", "types", _("Infrastructure type")),
        Facet("service_type", "service_types", _("Service type")),
        Facet("equipment", "equipment_categories", _("Equipment category")),
        Facet("access", "access_modes", _("Access mode")),
        Facet("price", "price_bands", _("Price band")),
        Facet("sme_rate", "has_sme_rate", _("SME rate available"), kind="flag"),
        Facet("trl", "trl_levels", _("Technology readiness level"), kind="levels"),
        Facet("language", "languages", _("Language spoken")),
        Facet("domain", "scientific_domains", _("Scientific domain")),
        Facet("nabs", "nabs", _("Research field (NABS)")),
        Facet("nace", "nace", _("Economic sector (NACE)")),
    ]
}

SORTS = {
    "relevance": _("Relevance"),
    "name": _("Name"),
    "updated": _("Recently updated"),
}


def _choices(scheme: str):
    def choices() -> list[tuple[str, str]]:
        return [(code, term.label) for code, term in vocabulary().terms(scheme).items()]

    return choices


def _region_choices() -> list[tuple[str, str]]:
    return [(code, name) for code, (name, _l, _p) in vocabulary().regions.items()]


def _country_choices() -> list[tuple[str, str]]:
    return sorted(vocabulary().countries.items(), key=lambda item: item[1])


class CodesFilter(django_filters.MultipleChoiceFilter):
    """Codes of one facet; unknown codes make the field invalid and are ignored."""

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("method", "filter_facet")
        kwargs.setdefault("widget", forms.CheckboxSelectMultiple)
        super().__init__(*args, **kwargs)


class FlagFilter(django_filters.BooleanFilter):
    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("method", "filter_facet")
        kwargs.setdefault("widget", forms.CheckboxInput)
        super().__init__(*args, **kwargs)


class InfrastructureFilter(django_filters.FilterSet):
    ket = CodesFilter(label=FACETS["ket"].label, choices=_choices("ket"))
    country = CodesFilter(label=FACETS["country"].label, choices=_country_choices)
    region = CodesFilter(label=FACETS["region"].label, choices=_region_choices)
    partner = FlagFilter(label=FACETS["partner"].label)
    type = CodesFilter(label=FACETS["type"].label, choices=_choices("rii_type"))
    service_type = CodesFilter(
        label=FACETS["service_type"].label, choices=_choices("service_type")
    )
    equipment = CodesFilter(
        label=FACETS["equipment"].label, choices=_choices("equipment_category")
    )
    access = CodesFilter(label=FACETS["access"].label, choices=_choices("access_mode"))
    price = CodesFilter(label=FACETS["price"].label, choices=_choices("price_band"))
    sme_rate = FlagFilter(label=FACETS["sme_rate"].label)
    trl_min = django_filters.NumberFilter(
        label=_("TRL from"), method="filter_trl", min_value=1, max_value=9
    )
    trl_max = django_filters.NumberFilter(
        label=_("TRL to"), method="filter_trl", min_value=1, max_value=9
    )
    language = CodesFilter(label=FACETS["language"].label, choices=_choices("language"))
    domain = CodesFilter(
        label=FACETS["domain"].label, choices=_choices("scientific_domain")
    )
    nabs = CodesFilter(label=FACETS["nabs"].label, choices=_choices("nabs"))
    nace = CodesFilter(label=FACETS["nace"].label, choices=_choices("nace"))

    def filter_facet(self, queryset: QuerySet, name: str, value) -> QuerySet:
        values = self.facet_values().get(name)
        return queryset.filter(FACETS[name].q(values)) if values else queryset

    def filter_trl(self, queryset: QuerySet, name: str, value) -> QuerySet:
        # Both bounds are applied once, by whichever of the two comes first.
        levels = self.facet_values().get("trl")
        if not levels or name != self._first_trl_bound():
            return queryset
        return queryset.filter(FACETS["trl"].q(levels))

    def _first_trl_bound(self) -> str:
        data = self.form.cleaned_data
        return "trl_min" if data.get("trl_min") is not None else "trl_max"

    def facet_values(self) -> dict[str, list]:
        """The valid active filters, as values of the search record's columns."""
        data = self.form.cleaned_data
        active: dict[str, list] = {}
        for name, facet in FACETS.items():
            if facet.kind == "flag":
                if data.get(name):
                    active[name] = [True]
            elif facet.kind != "levels" and data.get(name):
                active[name] = list(data[name])
        if "ket" in active:
            # A 2012 KET stands for its 2018 successor(s), which records carry.
            terms = vocabulary().terms("ket")
            active["ket"] = sorted(
                {s for code in active["ket"] for s in terms[code].successors or [code]}
            )
        low, high = data.get("trl_min"), data.get("trl_max")
        if low is not None or high is not None:
            low, high = int(low or 1), int(high or 9)
            low, high = min(low, high), max(low, high)
            active["trl"] = list(range(low, high + 1))
        return active
