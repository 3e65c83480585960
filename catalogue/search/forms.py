"""Parsing the search page's parameters: a plain form derived from the facet
registry. Several values of one filter are OR; different filters are AND."""

from collections.abc import Callable, Sequence
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise

from ..vocabulary import vocabulary
from .facets import FACETS, Facet, FilterValue

TRL_LEVELS = range(1, 10)


def _choices(facet: Facet) -> Callable[[], Sequence[tuple[str, StrOrPromise]]]:
    # Read on each validation, so the form follows the cached vocabulary.
    return lambda: facet.form_choices(vocabulary())


def _level_field(label: Any) -> forms.DecimalField:
    return forms.DecimalField(
        label=label,
        required=False,
        min_value=TRL_LEVELS.start,
        max_value=TRL_LEVELS.stop - 1,
    )


def _fields() -> dict[str, forms.Field]:
    fields: dict[str, forms.Field] = {}
    for name, facet in FACETS.items():
        if facet.kind == "flag":
            fields[name] = forms.BooleanField(label=facet.label, required=False)
        elif facet.kind == "levels":
            fields[f"{name}_min"] = _level_field(_("TRL from"))
            fields[f"{name}_max"] = _level_field(_("TRL to"))
        else:
            # Unknown codes make the field invalid; the page then ignores it.
            fields[name] = forms.MultipleChoiceField(
                label=facet.label,
                required=False,
                choices=_choices(facet),
                widget=forms.CheckboxSelectMultiple,
            )
    return fields


class SearchForm(forms.Form):
    """The filters of a search (the text, sort and page are read by the page).

    Its fields, one or two per facet in the registry's order, are set below."""

    # The levels of an inverted TRL range (from above to), which filters nothing.
    inverted_levels: tuple[int, int] | None = None

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        low, high = data.get("trl_min"), data.get("trl_max")
        if low is not None and high is not None and low > high:
            self.inverted_levels = (int(low), int(high))
            del data["trl_min"]
            self.add_error(
                "trl_max",
                forms.ValidationError(
                    _(
                        "“TRL to” (%(high)s) is lower than “TRL from” (%(low)s):"
                        " choose the lower level first. The TRL filter was ignored."
                    ),
                    code="inverted",
                    params={"low": int(low), "high": int(high)},
                ),
            )
        return data

    def filters(self) -> dict[str, list[FilterValue]]:
        """The valid active filters, as the values search records carry."""
        data = self.cleaned_data
        terms = vocabulary()
        active: dict[str, list[FilterValue]] = {}
        for name, facet in FACETS.items():
            if facet.kind == "flag":
                if data.get(name):
                    active[name] = [True]
            elif facet.kind == "levels":
                low, high = self.level_bounds(name)
                if low is not None or high is not None:
                    low, high = low or 1, high or 9
                    active[name] = list(range(low, high + 1))
            elif data.get(name):
                codes = list(data[name])
                active[name] = list(
                    facet.expand(terms, codes) if facet.expand else codes
                )
        return active

    def level_bounds(self, name: str = "trl") -> tuple[int | None, int | None]:
        data = self.cleaned_data
        low, high = data.get(f"{name}_min"), data.get(f"{name}_max")
        return (
            None if low is None else int(low),
            None if high is None else int(high),
        )


SearchForm.base_fields = SearchForm.declared_fields = _fields()
