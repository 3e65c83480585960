"""How complete a listing is: the recommended parts it has, as a percentage."""

from collections.abc import Callable
from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from .models import Infrastructure

MIN_SERVICES = 3
MIN_EQUIPMENT = 5

# What a listing needs before it can be submitted for review or published (an
# import may leave them blank; the database refuses a published listing without).
REQUIRED: list[tuple[Promise, Callable[[Infrastructure], bool]]] = [
    (_("host organisation"), lambda rii: rii.host_id is not None),
    (_("city"), lambda rii: bool(rii.city)),
    (_("summary"), lambda rii: bool(rii.summary)),
    (_("contact email"), lambda rii: bool(rii.contact_email)),
]

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
    missing: list[str]  # recommended
    required: list[str]  # needed to submit or publish


def missing_to_publish(infrastructure: Infrastructure) -> list[str]:
    """What the listing lacks to be submitted for review or published."""
    return [str(name) for name, present in REQUIRED if not present(infrastructure)]


def missing_recommended(infrastructure: Infrastructure) -> list[str]:
    """The recommended parts the listing lacks (needs ``with_completeness_counts``)."""
    return [str(name) for name, present in CHECKS if not present(infrastructure)]


def completeness(infrastructure: Infrastructure) -> Completeness:
    required = missing_to_publish(infrastructure)
    missing = missing_recommended(infrastructure)
    # The score counts the recommended parts; what submitting needs is listed
    # on its own, as it blocks the listing's review.
    score = round(100 * (len(CHECKS) - len(missing)) / len(CHECKS))
    return Completeness(score=score, missing=missing, required=required)
