"""Objects of each region-scoped admin, made in a given region."""

import uuid
from datetime import timedelta

from django.db import models
from django.utils import timezone

from access.models import AccessRequest
from accounts.models import InfrastructureMembership
from catalogue.models import GoodPractice, Infrastructure, ModerationDecision
from tests.factories import (
    make_equipment,
    make_infrastructure,
    make_organisation,
    make_ris3_priority,
    make_service,
    make_staff,
)

# A NUTS 3 region inside each NUTS 2 region the tests administer.
PLACES = {"ITH5": "ITH55", "NL41": "NL411"}


def make_listing(region: str, **fields) -> Infrastructure:
    return make_infrastructure(region=PLACES[region], **fields)


def make_good_practice(*, region: str) -> GoodPractice:
    return GoodPractice.objects.create(
        title=f"Practice of {region}",
        slug=f"practice-{region.lower()}",
        region_id=region,
        summary="Shared booking calendar.",
        what_worked="One calendar for every instrument.",
    )


def make_decision(*, infrastructure: Infrastructure) -> ModerationDecision:
    return ModerationDecision.objects.create(
        infrastructure=infrastructure,
        action="request_changes",
        from_status="pending",
        to_status="changes_requested",
        message="Describe the SME offer.",
    )


def make_access_request(
    *, infrastructure: Infrastructure, overdue: bool = False
) -> AccessRequest:
    now = timezone.now()
    return AccessRequest.objects.create(
        infrastructure=infrastructure,
        brief=uuid.uuid4(),
        need="Nanoindentation of coated samples.",
        company_name="Coatings SRL",
        contact_name="Ada Rossi",
        contact_email="ada@example.org",
        consent_share=True,
        privacy_accepted=True,
        state=AccessRequest.State.SUBMITTED,
        submitted_at=now - timedelta(days=10),
        response_due_at=now - timedelta(days=1) if overdue else now + timedelta(days=3),
    )


def make_in_region(model_name: str, region: str) -> models.Model:
    """An object of ``model_name`` that belongs to ``region``."""
    if model_name == "infrastructure":
        return make_listing(region)
    if model_name == "service":
        return make_service(infrastructure=make_listing(region))
    if model_name == "equipment":
        return make_equipment(infrastructure=make_listing(region))
    if model_name == "ris3priority":
        return make_ris3_priority(region=region)
    if model_name == "goodpractice":
        return make_good_practice(region=region)
    if model_name == "organisation":
        return make_organisation(region=PLACES[region], country=region[:2])
    if model_name == "infrastructuremembership":
        staff = make_staff(infrastructure=make_listing(region))
        return InfrastructureMembership.objects.get(user=staff)
    if model_name == "moderationdecision":
        return make_decision(infrastructure=make_listing(region))
    if model_name == "accessrequest":
        return make_access_request(infrastructure=make_listing(region))
    raise LookupError(model_name)
