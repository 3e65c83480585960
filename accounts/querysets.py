from typing import TYPE_CHECKING

from django.core import signing
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q

if TYPE_CHECKING:
    from .models import Invitation, User


class InvitationQuerySet(models.QuerySet["Invitation"]):
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


def infrastructures_invitable_by(user: "User") -> models.QuerySet:
    """The infrastructures whose staff ``user`` may invite people to join (see
    ``permissions.invitable_q``)."""
    from . import permissions
    from .models import InfrastructureMembership

    # The listings' model, reached through the memberships that name it.
    listings = InfrastructureMembership._meta.get_field(
        "infrastructure"
    ).related_model._default_manager.all()
    condition = permissions.invitable_q(user)
    return listings if condition is None else listings.filter(condition)
