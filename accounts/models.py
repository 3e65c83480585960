from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from catalogue.models import TimestampedModel


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **extra_fields):
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email: str, password: str | None = None, **extra_fields):
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra_fields)


class User(AbstractUser):
    """A person with an account; signs in with their email address."""

    username = None
    email = models.EmailField(_("email address"), unique=True)
    preferred_language = models.CharField(
        _("preferred language"), max_length=8, blank=True
    )

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    objects = UserManager()

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["email"]

    def __str__(self) -> str:
        return self.get_full_name() or self.email


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
