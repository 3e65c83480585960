"""What the portal holds about a person, gathered for them to download (GDPR art. 15, 20)."""

from typing import Any

from allauth.mfa.models import Authenticator
from django.db.models import Prefetch
from django.utils import timezone

from access.models import AccessRequest, Message

from .models import Invitation, User


def _invitation(invitation: Invitation) -> dict[str, Any]:
    return {
        "email": invitation.email,
        "infrastructure": invitation.infrastructure.name,
        "role": invitation.role,
        "invited_by": invitation.invited_by.email if invitation.invited_by else None,
        "created_at": invitation.created_at,
        "expires_at": invitation.expires_at,
        "accepted_at": invitation.accepted_at,
    }


def user_data_export(*, user: User) -> dict[str, Any]:
    """Everything stored about ``user``, as JSON-ready data (dates as datetimes)."""
    invitations = Invitation.objects.select_related("infrastructure", "invited_by")
    return {
        "exported_at": timezone.now(),
        "user": {
            "email": user.email,
            "first_name": user.first_name,
            "last_name": user.last_name,
            "preferred_language": user.preferred_language,
            "date_joined": user.date_joined,
            "last_login": user.last_login,
            "groups": list(user.groups.values_list("name", flat=True)),
        },
        "email_addresses": list(
            user.emailaddress_set.values("email", "verified", "primary")
        ),
        "two_factor_authentication": [
            {"type": authenticator.type, "created_at": authenticator.created_at}
            for authenticator in Authenticator.objects.filter(user=user)
        ],
        "company_memberships": [
            {
                "company": membership.organisation.name,
                "country": membership.organisation.country_id,
                "size_class": membership.organisation.size_class,
                "registration_id": membership.organisation.registration_id,
                "vat_id": membership.organisation.vat_id,
                "job_title": membership.job_title,
                "since": membership.created_at,
            }
            for membership in user.company_memberships.select_related("organisation")
        ],
        "infrastructure_memberships": [
            {
                "infrastructure": membership.infrastructure.name,
                "slug": membership.infrastructure.slug,
                "role": membership.role,
                "since": membership.created_at,
            }
            for membership in user.infrastructure_memberships.select_related(
                "infrastructure"
            )
        ],
        "region_administrations": [
            {"region": str(administration.region), "since": administration.created_at}
            for administration in user.region_administrations.select_related("region")
        ],
        "invitations_sent": [
            _invitation(invitation)
            for invitation in invitations.filter(invited_by=user)
        ],
        "invitations_received": [
            _invitation(invitation) for invitation in invitations.addressed_to(user)
        ],
        "access_requests": [
            _access_request(access_request)
            for access_request in AccessRequest.objects.for_requester(user)
            .with_list_relations()
            .prefetch_related(
                Prefetch(
                    "messages",
                    queryset=Message.objects.filter(internal=False),
                    to_attr="shared_messages",
                )
            )
        ],
        "shortlist": [
            entry.infrastructure.name
            for entry in user.shortlist.select_related("infrastructure")
        ],
    }


def _access_request(access_request: AccessRequest) -> dict[str, Any]:
    return {
        "reference": access_request.reference,
        "infrastructure": access_request.infrastructure.name,
        "item": access_request.item.name if access_request.item else None,
        "state": access_request.state,
        "need": access_request.need,
        "timeframe": access_request.timeframe,
        "budget_band": access_request.budget_band,
        "company_name": access_request.company_name,
        "contact_name": access_request.contact_name,
        "contact_email": access_request.contact_email,
        "contact_phone": access_request.contact_phone,
        "submitted_at": access_request.submitted_at,
        "messages": [
            {
                "from_infrastructure": message.from_staff,
                "body": message.body,
                "sent_at": message.created_at,
            }
            for message in access_request.shared_messages
        ],
    }
