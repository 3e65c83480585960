"""Selects that offer a few likely choices and find the others by name, for
choosing among thousands of objects without JavaScript."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.forms import model_choice_field

# At most this many matches of a search are added to a select's options.
MAX_MATCHES = 50


@dataclass(frozen=True)
class Narrowed:
    """A select that offers a few likely choices (``offered``) while accepting any
    object of its field's queryset, with a text field beside it (``search``) that
    finds the others by name: a host among thousands of organisations, a region
    among some 1,700. It needs no JavaScript: a search with one match picks it on
    saving; one with several adds them to the select and asks to choose."""

    field: str
    search: str
    offered: Callable[[forms.ModelForm], Q]
    matching: Callable[[str], Q]
    exact: Callable[[str], Q]
    noun: Any


def _organisation_matching(text: str) -> Q:
    return Q(name__icontains=text)


def _region_matching(text: str) -> Q:
    return (
        Q(code__istartswith=text) | Q(name__icontains=text) | Q(name_en__icontains=text)
    )


def _hosts_nearby(form: forms.ModelForm) -> Q:
    """The organisations of the listing's country."""
    region = form.instance.region_id
    return Q(country_id=region[:2]) if region else Q()


def _regions_nearby(form: forms.ModelForm) -> Q:
    """The regions of the listing's country."""
    region = form.instance.region_id
    return Q(code__startswith=region[:2]) if region else Q()


NARROWED = (
    Narrowed(
        field="host",
        search="host_search",
        offered=_hosts_nearby,
        matching=_organisation_matching,
        exact=lambda text: Q(name__iexact=text),
        noun=_("organisations"),
    ),
    Narrowed(
        field="region",
        search="region_search",
        offered=_regions_nearby,
        matching=_region_matching,
        exact=lambda text: Q(code__iexact=text) | Q(name__iexact=text),
        noun=_("regions"),
    ),
)


def narrow(form: forms.ModelForm, narrowed: Narrowed) -> None:
    """Offer in the select of ``narrowed.field`` the objects near the listing,
    its current and chosen one, and the matches of its search; saving accepts
    any object of the field's queryset."""
    if form.instance.pk is None:
        return  # a new listing has no place yet: every object is offered
    field = model_choice_field(form, narrowed.field)
    choices = _choices(form, narrowed)
    offered = narrowed.offered(form)
    chosen = [form.instance.serializable_value(narrowed.field)]
    if form.is_bound:
        chosen.append(form.data.get(form.add_prefix(narrowed.field)))
        text = _search_text(form, narrowed)
        if text:
            matches = choices.filter(narrowed.matching(text))
            offered |= Q(pk__in=matches.values("pk")[:MAX_MATCHES])
    offered |= Q(pk__in=_keys(choices.model, chosen))
    field.widget.choices = [
        ("", field.empty_label or ""),
        *((obj.pk, field.label_from_instance(obj)) for obj in choices.filter(offered)),
    ]


def _keys(model: type[models.Model], values: list[Any]) -> list[Any]:
    """The values that are primary keys of ``model`` (posted ones may be junk)."""
    keys = []
    for value in values:
        try:
            key = model._meta.pk.to_python(value)
        except ValidationError:
            continue
        if key not in (None, ""):
            keys.append(key)
    return keys


def _choices(form: forms.ModelForm, narrowed: Narrowed) -> models.QuerySet:
    """What the field ``narrowed.field`` accepts."""
    choices = model_choice_field(form, narrowed.field).queryset
    assert choices is not None
    return choices


def _search_text(form: forms.ModelForm, narrowed: Narrowed) -> str:
    return str(form.data.get(form.add_prefix(narrowed.search)) or "").strip()


def pick_searched(form: forms.ModelForm, narrowed: Narrowed) -> None:
    text = form.cleaned_data.get(narrowed.search, "").strip()
    if not text:
        return
    choices = _choices(form, narrowed)
    matches = list(choices.filter(narrowed.exact(text))[:2])
    if len(matches) != 1:
        matches = list(choices.filter(narrowed.matching(text))[:2])
    if len(matches) == 1:
        form.cleaned_data[narrowed.field] = matches[0]
        if narrowed.field in form.errors:
            del form.errors[narrowed.field]
        return
    message = (
        _("Nothing matches “%(text)s”.")
        if not matches
        else _(
            "Several %(noun)s match “%(text)s”: they were added to the list "
            "above. Choose one there and empty this field, or type more."
        )
    )
    form.add_error(narrowed.search, message % {"text": text, "noun": narrowed.noun})
