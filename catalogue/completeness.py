"""How complete a listing is: the recommended parts it has, as a percentage."""

from collections.abc import Callable
from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from .models import Infrastructure

MIN_SERVICES = 3
MIN_EQUIPMENT = 5

# What a complete listing has. The infrastructure must come from a queryset with
# ``with_completeness_counts()``.
CHECKS: list[tuple[Promise, Callable[[Infrastructure], bool]]] = [
    (_("description"), lambda rii: bool(rii.description)),
    (_("website"), lambda rii: bool(rii.website)),
    (_("coordinates"), lambda rii: rii.latitude is not None),
    (_("languages spoken"), lambda rii: rii.has_languages),
    (_("Key Enabling Technologies"), lambda rii: rii.has_kets),
    (_("types"), lambda rii: rii.has_types),
    (_("offer for SMEs"), lambda rii: bool(rii.sme_offer)),
    (_("access policy"), lambda rii: bool(rii.access_policy)),
    (
        format_lazy(_("at least {n} services"), n=MIN_SERVICES),
        lambda rii: rii.service_count >= MIN_SERVICES,
    ),
    (
        format_lazy(_("at least {n} equipment items"), n=MIN_EQUIPMENT),
        lambda rii: rii.equipment_count >= MIN_EQUIPMENT,
    ),
]


@dataclass(frozen=True)
class Completeness:
    score: int  # percent
    missing: list[str]


def completeness(infrastructure: Infrastructure) -> Completeness:
    missing = [str(name) for name, present in CHECKS if not present(infrastructure)]
    score = round(100 * (len(CHECKS) - len(missing)) / len(CHECKS))
    return Completeness(score=score, missing=missing)
