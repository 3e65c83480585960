"""Demo access requests: an SME with requests in several states, so that the staff
inbox, "My requests" and the response times have something to show."""

import uuid
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from access.models import AccessRequest, Event, Message, State
from access.querysets import (
    ESCALATION_WORKING_DAYS,
    REMINDER_WORKING_DAYS,
    add_working_days,
)
from accounts.models import CompanyMembership, Organisation
from catalogue.models import Infrastructure

from .catalogue import _user

SME_EMAIL = "sme@demo.rii-portal.eu"

# (state, days ago, hours to the first response or None, what was asked, messages)
SCENARIOS = [
    (
        State.SUBMITTED,
        9,
        None,
        "We print titanium brackets for drones and need fatigue tests on 12 samples "
        "to qualify a new lattice design. Can you run them before March?",
        [],
    ),
    (
        State.OFFER_SENT,
        6,
        5,
        "Surface roughness and porosity measurements on 20 additively manufactured "
        "parts (Ti-6Al-4V), with a short report we can show our customer.",
        [
            (True, "Thank you. Are the parts heat-treated? That changes the method."),
            (False, "Yes, stress-relieved at 650 °C for 3 hours."),
        ],
    ),
    (
        State.NEEDS_INFORMATION,
        3,
        20,
        "We want to coat aluminium housings against corrosion and need advice and "
        "salt-spray tests on two candidate coatings.",
        [(True, "Which salt-spray standard do your customers ask for: ISO 9227?")],
    ),
    (State.COMPLETED, 120, 4, "CT scan of a cast gearbox housing.", []),
    (State.COMPLETED, 90, 26, "Tensile tests on 10 polymer samples.", []),
    (State.COMPLETED, 40, 50, "Training on metal powder handling for 3 staff.", []),
]


@transaction.atomic
def load_demo_requests() -> int:
    """Create the demo SME and their requests once; return how many were created."""
    sme = _user(SME_EMAIL, first_name="Giulia", last_name="Rossi")
    if AccessRequest.objects.filter(requester=sme).exists():
        return 0
    company, _ = Organisation.objects.get_or_create(
        slug="acme-additive-demo",
        defaults={
            "name": "Acme Additive Srl",
            "kind": Organisation.Kind.COMPANY,
            "size_class": Organisation.SizeClass.SMALL,
            "country_id": "IT",
        },
    )
    CompanyMembership.objects.get_or_create(
        user=sme, organisation=company, defaults={"job_title": "R&D manager"}
    )
    listings = list(
        Infrastructure.objects.published()
        .filter(memberships__isnull=False)
        .order_by("name")
        .distinct()[:4]
    )
    if not listings:
        return 0
    now = timezone.now()
    for index, (state, days_ago, response_hours, need, thread) in enumerate(SCENARIOS):
        infrastructure = listings[min(index, len(listings) - 1)]
        membership = infrastructure.memberships.select_related("user").first()
        assert membership is not None  # listings with staff were chosen
        staff = membership.user
        submitted_at = now - timedelta(days=days_ago)
        access_request = AccessRequest.objects.create(
            infrastructure=infrastructure,
            requester=sme,
            brief=uuid.uuid4(),
            need=need,
            timeframe="3m",
            budget_band="5k-20k",
            company_name=company.name,
            organisation=company,
            contact_name=sme.get_full_name(),
            contact_email=sme.email,
            language="en",
            consent_share=True,
            privacy_accepted=True,
            state=state,
            submitted_at=submitted_at,
            response_due_at=add_working_days(submitted_at, REMINDER_WORKING_DAYS),
            escalation_due_at=add_working_days(submitted_at, ESCALATION_WORKING_DAYS),
            first_response_at=(
                submitted_at + timedelta(hours=response_hours)
                if response_hours is not None
                else None
            ),
        )
        answered = submitted_at + timedelta(hours=response_hours or 1)
        _at(
            Event.objects.create(
                request=access_request,
                actor=sme,
                action="create",
                from_state=State.SUBMITTED,
                to_state=State.SUBMITTED,
            ),
            submitted_at,
        )
        for hour, (from_staff, body) in enumerate(thread):
            message = Message.objects.create(
                request=access_request,
                author=staff if from_staff else sme,
                from_staff=from_staff,
                body=body,
            )
            _at(message, answered + timedelta(hours=hour))
        if state != State.SUBMITTED:
            event = Event.objects.create(
                request=access_request,
                actor=staff,
                action="demo",
                from_state=State.IN_REVIEW,
                to_state=state,
                note=(
                    "Two days of measurements and a report: €3,400, SME rate applied."
                    if state == State.OFFER_SENT
                    else ""
                ),
            )
            _at(event, answered + timedelta(hours=len(thread)))
        _at(access_request, submitted_at)
    return len(SCENARIOS)


def _at(row, moment) -> None:
    """Date a demo row as it would have been, not when the demo was loaded."""
    type(row).objects.filter(pk=row.pk).update(created_at=moment)
