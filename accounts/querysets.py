from typing import TYPE_CHECKING

from django.core import signing
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Exists, F, OuterRef, Q
from django.db.models.lookups import StartsWith

from catalogue.models import Infrastructure

if TYPE_CHECKING:
    from .models import Invitation, User


class InvitationQuerySet(models.QuerySet):
    def from_token(self, token: str) -> "Invitation":
        """The invitation a link's ``token`` points to.

        Raises DoesNotExist unless the portal signed the token, and a
        ValidationError once the signature is older than an invitation lives.
        """
        from .models import INVITATION_SALT, INVITATION_VALIDITY

        try:
            pk = signing.loads(token, salt=INVITATION_SALT, max_age=INVITATION_VALIDITY)
        except signing.SignatureExpired as error:
            raise ValidationError(self.model.EXPIRED, code="expired") from error
        except signing.BadSignature as error:
            raise self.model.DoesNotExist from error
        return self.get(pk=pk)

    def addressed_to(self, user: "User") -> "InvitationQuerySet":
        """Invitations sent to one of ``user``'s addresses, or accepted by them."""
        emails = Q()
        for email in user.confirmed_email_addresses():
            emails |= Q(email__iexact=email)
        return self.filter(emails | Q(accepted_by=user))


def infrastructures_invitable_by(user: "User") -> models.QuerySet[Infrastructure]:
    """The infrastructures whose staff ``user`` may invite people to join.

    A manager invites to their infrastructure; a partner admin to every
    infrastructure of their region or of a region under it (NUTS codes nest by
    prefix), e.g. its first manager; a superuser to any.
    """
    from .models import InfrastructureMembership, MembershipRole, RegionAdministration

    infrastructures = Infrastructure.objects.all()
    if not user.is_authenticated or not user.is_active:
        return infrastructures.none()
    if user.is_superuser:
        return infrastructures
    managed = InfrastructureMembership.objects.filter(
        user=user, infrastructure=OuterRef("pk"), role=MembershipRole.MANAGER
    )
    administered = RegionAdministration.objects.filter(
        StartsWith(OuterRef("region_id"), F("region_id")), user=user
    )
    return infrastructures.filter(Exists(managed) | Exists(administered))
