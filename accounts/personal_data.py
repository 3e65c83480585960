"""What the portal holds about a person, gathered for them to download (GDPR art. 15, 20)."""

from collections.abc import Callable
from typing import Any

from allauth.mfa.models import Authenticator
from django.utils import timezone

from .models import Invitation, User

# What other apps hold about a person: section name -> the function that gathers
# it, and the functions that erase it when the account closes. Each app adds its
# own in its ``AppConfig.ready`` (see ``register``), so that this app, below them,
# needs to know none of them.
SECTIONS: dict[str, Callable[[User], Any]] = {}
ERASERS: list[Callable[..., object]] = []


def register(
    *,
    sections: dict[str, Callable[[User], Any]],
    erase: Callable[..., object] | None = None,
) -> None:
    """Add an app's sections to the data download and, with ``erase``, what runs
    (with ``user`` and ``anonymous_email``) while an account is deleted."""
    SECTIONS.update(sections)
    if erase is not None and erase not in ERASERS:
        ERASERS.append(erase)


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
        **{name: export(user) for name, export in SECTIONS.items()},
    }
