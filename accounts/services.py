"""Writes on accounts, organisations and roles, each in one transaction."""

import uuid
from typing import Any

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from notifications.services import (
    email_forget_addresses,
    email_queue,
    language_of_address,
)

from . import personal_data
from .models import (
    INVITATION_VALIDITY,
    CompanyMembership,
    InfrastructureMembership,
    Invitation,
    MembershipRole,
    Organisation,
    RegionAdministration,
    User,
)

STAFF_GROUP = "RII staff"
# A reserved top-level domain (RFC 2606): no mail is ever delivered there.
DELETED_USER_EMAIL_DOMAIN = "deleted.invalid"


def _unique_slug(name: str) -> str:
    base = slugify(name)[:200] or "company"
    slug, n = base, 1
    while Organisation.objects.filter(slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    return slug


@transaction.atomic
def company_profile_update(
    *,
    user: User,
    first_name: str,
    last_name: str,
    preferred_language: str,
    company: Organisation | None,
    job_title: str = "",
) -> CompanyMembership | None:
    """Save a user's profile and the company they act for.

    ``company`` is a registered company, or an unsaved one that is created here,
    or None for a user who does not act for a company. The user acts for this one
    company only: their memberships of other companies end.
    """
    user.first_name = first_name
    user.last_name = last_name
    user.preferred_language = preferred_language
    user.full_clean()
    user.save(update_fields=["first_name", "last_name", "preferred_language"])

    if company is None:
        user.company_memberships.all().delete()
        return None
    if company._state.adding:
        company.kind = Organisation.Kind.COMPANY
        company.slug = _unique_slug(company.name)
        company.full_clean()
        company.save()
    elif company.kind != Organisation.Kind.COMPANY:
        raise ValidationError(_("Only a company can be chosen."), code="not_company")
    user.company_memberships.exclude(organisation=company).delete()
    membership, _created = CompanyMembership.objects.update_or_create(
        user=user, organisation=company, defaults={"job_title": job_title}
    )
    return membership


@transaction.atomic
def invitation_create(
    *,
    infrastructure: Any,
    email: str,
    role: str,
    invited_by: User,
    site_url: str,
) -> Invitation:
    """Invite ``email`` to join ``infrastructure``'s staff; email the link on commit.

    The email is in the invitee's language if they have an account.

    ``site_url`` is the portal's address (scheme and host) for the link.
    """
    invitation = Invitation(
        infrastructure=infrastructure,
        email=email.strip().lower(),
        role=role,
        invited_by=invited_by,
        expires_at=timezone.now() + INVITATION_VALIDITY,
    )
    invitation.full_clean()
    invitation.save()
    email_queue(
        to=[invitation.email],
        template="accounts/email/invitation",
        context={
            "invitation": invitation,
            "link": site_url.rstrip("/") + invitation.get_absolute_url(),
            "valid_days": INVITATION_VALIDITY.days,
        },
        language=language_of_address(invitation.email),
    )
    return invitation


@transaction.atomic
def invitation_accept(
    *, invitation: Invitation, user: User
) -> InfrastructureMembership:
    """Make ``user`` a member of the invitation's infrastructure, once.

    Raises ValidationError when the invitation is used, expired or addressed to
    someone else. An existing membership is kept, and promoted to manager if
    the invitation says so; it is never demoted.
    """
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    invitation.check_acceptable_by(user)
    membership, created = InfrastructureMembership.objects.get_or_create(
        user=user,
        infrastructure=invitation.infrastructure,
        defaults={"role": invitation.role},
    )
    if not created and invitation.role == MembershipRole.MANAGER:
        membership.role = MembershipRole.MANAGER
        membership.save(update_fields=["role", "updated_at"])
    user.groups.add(Group.objects.get(name=STAFF_GROUP))
    invitation.accepted_at = timezone.now()
    invitation.accepted_by = user
    invitation.save(update_fields=["accepted_at", "accepted_by", "updated_at"])
    return membership


@transaction.atomic
def user_delete(*, user: User) -> None:
    """Erase a user's personal data and close their account.

    The row stays, anonymised and deactivated, so that what the user did (an
    invitation sent, a listing edited) keeps a valid author; the organisations
    and infrastructures they worked for stay as they are.
    """
    anonymous_email = f"deleted-{uuid.uuid4().hex}@{DELETED_USER_EMAIL_DOMAIN}"
    # While the user's addresses are still known: what other apps hold (their
    # access requests, guests' included).
    for erase in personal_data.ERASERS:
        erase(user=user, anonymous_email=anonymous_email)
    email_forget_addresses(addresses=user.confirmed_email_addresses())
    Invitation.objects.addressed_to(user).filter(accepted_at__isnull=True).delete()
    Invitation.objects.filter(accepted_by=user).update(email=anonymous_email)
    EmailAddress.objects.filter(user=user).delete()
    Authenticator.objects.filter(user=user).delete()
    InfrastructureMembership.objects.filter(user=user).delete()
    CompanyMembership.objects.filter(user=user).delete()
    RegionAdministration.objects.filter(user=user).delete()
    user.groups.clear()
    user.user_permissions.clear()

    user.email = anonymous_email
    user.first_name = user.last_name = user.preferred_language = ""
    user.is_active = user.is_staff = user.is_superuser = False
    user.last_login = None
    user.set_unusable_password()
    user.save()
