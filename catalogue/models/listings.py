"""An infrastructure (a listing) and its photos."""

from typing import TYPE_CHECKING

from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.models import TimestampedModel

from ..querysets import InfrastructureQuerySet
from .vocabularies import Concept, Region, RIS3Priority, scheme_terms


class InfrastructureStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PENDING = "pending", _("Pending review")
    CHANGES_REQUESTED = "changes_requested", _("Changes requested")
    PUBLISHED = "published", _("Published")
    ARCHIVED = "archived", _("Archived")


class Lifecycle(models.TextChoices):
    """Where the infrastructure stands in its own life, as inventories record it."""

    OPERATIONAL = "operational", _("Operational")
    UNDER_CONSTRUCTION = "under_construction", _("Under construction")
    PLANNED = "planned", _("Planned")
    DECOMMISSIONED = "decommissioned", _("Decommissioned")


class Infrastructure(TimestampedModel):
    """A research and innovation infrastructure (RII): one listing in the catalogue."""

    Status = InfrastructureStatus
    Lifecycle = Lifecycle

    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=220, unique=True)
    acronym = models.CharField(_("acronym"), max_length=40, blank=True)
    host = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.PROTECT,
        related_name="infrastructures",
        null=True,
        blank=True,
        verbose_name=_("host organisation"),
        help_text=_("Required to publish; an imported draft may not have one yet."),
    )
    region = models.ForeignKey(
        Region,
        on_delete=models.PROTECT,
        related_name="infrastructures",
        verbose_name=_("region"),
        help_text=_("The NUTS region where it is located, at the most precise level."),
    )
    address = models.CharField(_("address"), max_length=300, blank=True)
    city = models.CharField(_("city"), max_length=120, blank=True)
    latitude = models.DecimalField(
        _("latitude"), max_digits=8, decimal_places=5, null=True, blank=True
    )
    longitude = models.DecimalField(
        _("longitude"), max_digits=8, decimal_places=5, null=True, blank=True
    )
    website = models.URLField(_("website"), blank=True)
    summary = models.CharField(
        _("summary"),
        max_length=300,
        blank=True,
        help_text=_("One sentence for result lists."),
    )
    summary_from_description = models.BooleanField(
        _("summary taken from the description"),
        default=False,
        help_text=_(
            "An import took the summary from the description's first sentence; "
            "its staff should check it."
        ),
    )
    description = models.TextField(_("description"), blank=True)
    types = models.ManyToManyField(
        Concept,
        related_name="+",
        blank=True,
        limit_choices_to=scheme_terms("rii_type"),
        verbose_name=_("types"),
    )
    structure = models.ForeignKey(
        Concept,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        limit_choices_to=scheme_terms("structure"),
        verbose_name=_("structure"),
    )
    kets = models.ManyToManyField(
        Concept,
        related_name="infrastructures",
        blank=True,
        limit_choices_to=scheme_terms("ket"),
        verbose_name=_("Key Enabling Technologies"),
    )
    scientific_domains = models.ManyToManyField(
        Concept,
        related_name="+",
        blank=True,
        limit_choices_to=scheme_terms("scientific_domain"),
        verbose_name=_("scientific domains"),
    )
    ris3_priorities = models.ManyToManyField(
        RIS3Priority,
        related_name="infrastructures",
        blank=True,
        verbose_name=_("RIS3 priorities"),
    )
    languages = models.ManyToManyField(
        Concept,
        related_name="+",
        blank=True,
        limit_choices_to=scheme_terms("language"),
        verbose_name=_("languages spoken"),
    )
    access_policy = models.TextField(_("access policy"), blank=True)
    sme_offer = models.TextField(
        _("offer for SMEs"),
        blank=True,
        help_text=_("What the infrastructure offers small and medium-sized companies."),
    )
    contact_email = models.EmailField(
        _("contact email"),
        blank=True,
        help_text=_("A role address, e.g. access@example.org."),
    )
    contact_name = models.CharField(_("contact person"), max_length=200, blank=True)
    contact_phone = models.CharField(_("contact telephone"), max_length=40, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=Status, default=Status.DRAFT
    )
    lifecycle = models.CharField(
        _("lifecycle"),
        max_length=20,
        choices=Lifecycle,
        default=Lifecycle.OPERATIONAL,
    )
    lifecycle_note = models.CharField(
        _("lifecycle note"),
        max_length=120,
        blank=True,
        help_text=_("As the source put it, e.g. “Under construction from 2014”."),
    )
    verified_at = models.DateTimeField(_("last verified"), null=True, blank=True)
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    logo = models.ImageField(_("logo"), upload_to="logos/", blank=True)
    brochure = models.FileField(_("brochure (PDF)"), upload_to="brochures/", blank=True)
    changed_since_review = models.BooleanField(
        _("changed since review"),
        default=False,
        help_text=_(
            "Its staff edited the published listing after a partner admin reviewed it."
        ),
    )

    objects = InfrastructureQuerySet.as_manager()
    history = HistoricalRecords(
        m2m_fields=[types, kets, scientific_domains, ris3_priorities, languages]
    )

    if TYPE_CHECKING:
        # Annotations of InfrastructureQuerySet, on the listings of querysets
        # that ask for them: ``with_role_of``...
        member_role: str | None
        # ... and ``with_completeness_counts``.
        service_count: int
        equipment_count: int
        has_kets: bool
        has_types: bool
        has_languages: bool

    class Meta:
        verbose_name = _("infrastructure")
        verbose_name_plural = _("infrastructures")
        ordering = [Lower("name")]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=InfrastructureStatus.values),
                name="infrastructure_status_valid",
            ),
            models.CheckConstraint(
                condition=~Q(status="published") | Q(published_at__isnull=False),
                name="infrastructure_published_has_date",
                violation_error_message=_(
                    "A published listing needs a publication date."
                ),
            ),
            models.CheckConstraint(
                condition=Q(latitude__isnull=True, longitude__isnull=True)
                | Q(
                    latitude__isnull=False,
                    longitude__isnull=False,
                    latitude__gte=-90,
                    latitude__lte=90,
                    longitude__gte=-180,
                    longitude__lte=180,
                ),
                name="infrastructure_coordinates_valid",
                violation_error_message=_(
                    "Give both latitude (-90 to 90) and longitude (-180 to 180), or neither."
                ),
            ),
            models.CheckConstraint(
                condition=~Q(name=""), name="infrastructure_name_not_empty"
            ),
            models.CheckConstraint(
                condition=~Q(status="published")
                | (
                    Q(host__isnull=False)
                    & ~Q(city="")
                    & ~Q(summary="")
                    & ~Q(contact_email="")
                ),
                name="infrastructure_published_is_complete",
                violation_error_message=_(
                    "A published listing needs a host organisation, a city, a summary "
                    "and a contact email."
                ),
            ),
            models.CheckConstraint(
                condition=Q(lifecycle__in=Lifecycle.values),
                name="infrastructure_lifecycle_valid",
            ),
        ]
        indexes = [
            models.Index(fields=["status"], name="rii_status_idx"),
            models.Index(fields=["updated_at"], name="rii_updated_idx"),
            models.Index(fields=["verified_at"], name="rii_verified_idx"),
            models.Index(
                fields=["changed_since_review"],
                condition=Q(changed_since_review=True),
                name="rii_changed_since_review_idx",
            ),
            models.Index(fields=["city"], name="rii_city_idx"),
            models.Index(Lower("name"), "id", name="rii_name_lower_idx"),
            models.Index(
                fields=["region"],
                name="rii_region_prefix_idx",
                opclasses=["varchar_pattern_ops"],
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("catalogue:infrastructure_detail", kwargs={"slug": self.slug})

    @property
    def display_name(self) -> str:
        if self.acronym and self.acronym.lower() not in self.name.lower():
            return f"{self.name} ({self.acronym})"
        return self.name

    @property
    def is_published(self) -> bool:
        return self.status == self.Status.PUBLISHED


class Photo(TimestampedModel):
    """A photo of an infrastructure, shown on its public page in ``order``."""

    infrastructure = models.ForeignKey(
        Infrastructure,
        on_delete=models.CASCADE,
        related_name="photos",
        verbose_name=_("infrastructure"),
    )
    image = models.ImageField(_("image"), upload_to="photos/")
    alt_text = models.CharField(
        _("alternative text"),
        max_length=250,
        help_text=_("What the photo shows, for people who cannot see it."),
    )
    caption = models.CharField(_("caption"), max_length=250, blank=True)
    order = models.PositiveIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("photo")
        verbose_name_plural = _("photos")
        ordering = ["order", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(alt_text=""), name="photo_alt_text_not_empty"
            ),
        ]

    def __str__(self) -> str:
        return self.alt_text
