from datetime import timedelta
from typing import TYPE_CHECKING, Any, ClassVar

from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.db.models.functions import Upper
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.models import TimestampedModel

from .querysets import InvitationQuerySet

if TYPE_CHECKING:
    from django.db.models.fields.related_descriptors import RelatedManager

INVITATION_SALT = "accounts.invitation"
INVITATION_VALIDITY = timedelta(days=14)


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def _create_user(
        self, email: str, password: str | None, **extra_fields: Any
    ) -> "User":
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(
        self, email: str, password: str | None = None, **extra_fields: Any
    ) -> "User":
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(
        self, email: str, password: str | None = None, **extra_fields: Any
    ) -> "User":
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra_fields)


class User(AbstractUser):
    """A person with an account; signs in with their email address."""

    # Removes AbstractUser's field; django-stubs types it as always present.
    username = None  # type: ignore[assignment]
    email = models.EmailField(_("email address"), unique=True)
    preferred_language = models.CharField(
        _("preferred language"), max_length=8, blank=True
    )

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    # django-stubs expects AbstractUser's manager, which needs a username.
    objects: ClassVar[UserManager] = UserManager()  # type: ignore[assignment]

    if TYPE_CHECKING:
        # django-allauth's EmailAddress; allauth is untyped, so the plugin
        # cannot see the reverse relation.
        emailaddress_set: RelatedManager[Any]

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["email"]

    def __str__(self) -> str:
        return self.get_full_name() or self.email

    def confirmed_email_addresses(self) -> set[str]:
        """The user's address and their other confirmed addresses, in lower case."""
        confirmed = self.emailaddress_set.filter(verified=True)
        return {self.email.lower()} | {
            email.lower() for email in confirmed.values_list("email", flat=True)
        }


class OrganisationKind(models.TextChoices):
    UNIVERSITY = "university", _("University")
    RTO = "rto", _("Research and technology organisation")
    COMPANY = "company", _("Company")
    PUBLIC_BODY = "public_body", _("Public body")


class SizeClass(models.TextChoices):
    MICRO = "micro", _("Micro (fewer than 10 staff)")
    SMALL = "small", _("Small (10-49 staff)")
    MEDIUM = "medium", _("Medium (50-249 staff)")
    LARGE = "large", _("Large (250 staff or more)")


class Organisation(TimestampedModel):
    """A host institution of infrastructures, or a company that uses them."""

    Kind = OrganisationKind

    SizeClass = SizeClass

    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=220, unique=True)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind)
    size_class = models.CharField(
        _("size class"), max_length=8, choices=SizeClass, blank=True
    )
    registration_id = models.CharField(
        _("registration number"), max_length=64, blank=True
    )
    vat_id = models.CharField(_("VAT number"), max_length=20, blank=True)
    country = models.ForeignKey(
        "catalogue.Region",
        on_delete=models.PROTECT,
        related_name="+",
        limit_choices_to={"level": 0},
        verbose_name=_("country"),
    )
    region = models.ForeignKey(
        "catalogue.Region",
        on_delete=models.PROTECT,
        related_name="organisations",
        null=True,
        blank=True,
        verbose_name=_("region"),
    )
    website = models.URLField(_("website"), blank=True)

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=OrganisationKind.values),
                name="organisation_kind_valid",
            ),
            models.CheckConstraint(
                condition=Q(size_class="") | Q(kind="company"),
                name="organisation_size_class_only_for_companies",
                violation_error_message=_("Only companies have a size class."),
            ),
            models.UniqueConstraint(
                fields=["vat_id"],
                condition=~Q(vat_id=""),
                name="organisation_vat_id_unique",
                violation_error_message=_(
                    "An organisation with this VAT number already exists."
                ),
            ),
        ]
        indexes = [models.Index(fields=["kind"], name="organisation_kind_idx")]

    def __str__(self) -> str:
        return self.name


class MembershipRole(models.TextChoices):
    MANAGER = "manager", _("Manager")
    EDITOR = "editor", _("Editor")


class InfrastructureMembership(TimestampedModel):
    """A user's role on one infrastructure: managers also manage its members."""

    Role = MembershipRole

    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="infrastructure_memberships"
    )
    infrastructure = models.ForeignKey(
        "catalogue.Infrastructure", on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(_("role"), max_length=8, choices=Role, default=Role.EDITOR)

    class Meta:
        verbose_name = _("infrastructure membership")
        verbose_name_plural = _("infrastructure memberships")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "infrastructure"],
                name="membership_unique_per_infrastructure",
            ),
            models.CheckConstraint(
                condition=Q(role__in=MembershipRole.values),
                name="membership_role_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} - {self.get_role_display()} - {self.infrastructure}"


class RegionAdministration(TimestampedModel):
    """A partner admin's responsibility for one region (and every region under it)."""

    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="region_administrations"
    )
    region = models.ForeignKey(
        "catalogue.Region", on_delete=models.PROTECT, related_name="administrations"
    )

    class Meta:
        verbose_name = _("region administration")
        verbose_name_plural = _("region administrations")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "region"], name="region_administration_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} - {self.region}"


class CompanyMembership(TimestampedModel):
    """A user acting for a company (an SME user and their organisation)."""

    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="company_memberships"
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="members"
    )
    job_title = models.CharField(_("role in the company"), max_length=120, blank=True)

    class Meta:
        verbose_name = _("company membership")
        verbose_name_plural = _("company memberships")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "organisation"], name="company_membership_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} - {self.organisation}"


class Invitation(TimestampedModel):
    """An invitation to join an infrastructure's staff, sent by email as a signed link.

    The link carries the invitation's id signed with ``django.core.signing``; the
    invitation itself records whether it has been used and until when it is valid.
    """

    Role = MembershipRole
    EXPIRED = _("This invitation has expired. Ask for a new one.")

    email = models.EmailField(_("email address"))
    infrastructure = models.ForeignKey(
        "catalogue.Infrastructure",
        on_delete=models.CASCADE,
        related_name="invitations",
        verbose_name=_("infrastructure"),
    )
    role = models.CharField(_("role"), max_length=8, choices=Role, default=Role.EDITOR)
    invited_by = models.ForeignKey(
        User,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="invitations_sent",
        verbose_name=_("invited by"),
    )
    accepted_by = models.ForeignKey(
        User,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="invitations_accepted",
        verbose_name=_("accepted by"),
    )
    accepted_at = models.DateTimeField(_("accepted"), null=True, blank=True)
    expires_at = models.DateTimeField(_("expires"))

    objects = InvitationQuerySet.as_manager()

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(role__in=MembershipRole.values),
                name="invitation_role_valid",
            ),
        ]
        indexes = [
            # Invitations are looked up by address, whatever its case.
            models.Index(Upper("email"), name="invitation_email_upper_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.email} - {self.get_role_display()} - {self.infrastructure}"

    def get_absolute_url(self) -> str:
        return reverse("accounts:invitation_accept", kwargs={"token": self.token})

    @property
    def token(self) -> str:
        return signing.dumps(self.pk, salt=INVITATION_SALT)

    @property
    def is_accepted(self) -> bool:
        return self.accepted_at is not None

    @property
    def is_expired(self) -> bool:
        return timezone.now() >= self.expires_at

    def check_acceptable_by(self, user: User) -> None:
        """Raise a ValidationError that explains why ``user`` cannot accept this."""
        if self.is_accepted:
            raise ValidationError(
                _("This invitation has already been used."), code="used"
            )
        if self.is_expired:
            raise ValidationError(self.EXPIRED, code="expired")
        if self.email.lower() not in user.confirmed_email_addresses():
            raise ValidationError(
                _(
                    "This invitation was sent to another email address. Sign in "
                    "with the address it was sent to."
                ),
                code="email_mismatch",
            )
