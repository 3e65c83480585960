from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVector, SearchVectorField
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Length, Lower
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from .querysets import (
    ConceptQuerySet,
    InfrastructureQuerySet,
    RegionQuerySet,
    RIS3PriorityQuerySet,
)


class TimestampedModel(models.Model):
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        abstract = True


def place_region_code(code: str, level: int, is_partner: bool) -> str:
    """The region to name after a city in region ``code``: the one above a NUTS 3
    region, unless the region is a partner."""
    return code[:-1] if level == 3 and not is_partner else code


class Region(models.Model):
    """A NUTS 2024 region (level 0 is the country); codes nest by prefix."""

    code = models.CharField(_("NUTS code"), max_length=5, primary_key=True)
    level = models.PositiveSmallIntegerField(_("NUTS level"))
    name = models.CharField(_("name"), max_length=200, help_text=_("Native name."))
    name_en = models.CharField(_("English name"), max_length=200, blank=True)
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("parent region"),
    )
    country_code = models.CharField(
        _("country code"), max_length=2, help_text=_("ISO 3166-1 alpha-2.")
    )
    is_partner = models.BooleanField(_("partner region"), default=False)
    profile = models.TextField(_("profile"), blank=True)

    objects = RegionQuerySet.as_manager()

    class Meta:
        verbose_name = _("region")
        verbose_name_plural = _("regions")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(level__gte=0, level__lte=3), name="region_level_0_to_3"
            ),
            models.CheckConstraint(
                condition=Q(level=Length("code") - 2),
                name="region_code_length_matches_level",
            ),
            models.CheckConstraint(
                condition=Q(level=0, parent__isnull=True)
                | Q(level__gt=0, parent__isnull=False),
                name="region_parent_iff_below_country",
            ),
        ]
        indexes = [
            models.Index(fields=["level"], name="region_level_idx"),
            models.Index(fields=["country_code"], name="region_country_idx"),
            models.Index(
                fields=["is_partner"],
                condition=Q(is_partner=True),
                name="region_partner_idx",
            ),
            models.Index(
                fields=["code"],
                name="region_code_prefix_idx",
                opclasses=["varchar_pattern_ops"],
            ),
        ]

    def __str__(self) -> str:
        return f"{self.display_name} ({self.code})"

    def get_absolute_url(self) -> str:
        return reverse("catalogue:region_detail", kwargs={"code": self.code})

    @property
    def display_name(self) -> str:
        return self.name_en or self.name

    @property
    def place_name(self) -> str:
        """The name to show after a city: a small region is named by the one above."""
        if place_region_code(self.code, self.level, self.is_partner) != self.code:
            return self.parent.display_name
        return self.display_name

    def ancestor_codes(self) -> list[str]:
        """This region's code and those of the regions above it, country first."""
        return [self.code[: n + 2] for n in range(self.level + 1)]


class Concept(models.Model):
    """A term of a controlled vocabulary (SKOS-like): KETs, TRLs, types, domains..."""

    class Scheme(models.TextChoices):
        KET = "ket", _("Key Enabling Technology")
        TRL = "trl", _("Technology readiness level")
        RII_TYPE = "rii_type", _("Infrastructure type")
        STRUCTURE = "structure", _("Structure")
        SCIENTIFIC_DOMAIN = "scientific_domain", _("Scientific domain")
        NABS = "nabs", _("NABS 2007 chapter")
        NACE = "nace", _("NACE Rev.2 section")
        SERVICE_TYPE = "service_type", _("Service type")
        EQUIPMENT_CATEGORY = "equipment_category", _("Equipment category")
        ACCESS_MODE = "access_mode", _("Access mode")
        TARGET_USER = "target_user", _("Target user")
        LANGUAGE = "language", _("Language")

    scheme = models.CharField(_("scheme"), max_length=32, choices=Scheme)
    code = models.CharField(_("code"), max_length=160)
    label = models.CharField(_("label"), max_length=200)
    alt_labels = ArrayField(
        models.CharField(max_length=200),
        verbose_name=_("alternative labels"),
        default=list,
        blank=True,
    )
    description = models.TextField(_("description"), blank=True)
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("broader concept"),
    )
    maps_to = models.ManyToManyField(
        "self",
        symmetrical=False,
        blank=True,
        related_name="mapped_from",
        verbose_name=_("maps to"),
        help_text=_(
            "Equivalent or broader concepts, e.g. a 2012 KET's 2018 successor."
        ),
    )
    collection = models.CharField(
        _("collection"), max_length=32, blank=True, help_text=_("E.g. the KET list.")
    )
    order = models.PositiveIntegerField(_("order"), default=0)
    source = models.CharField(_("source"), max_length=300, blank=True)

    objects = ConceptQuerySet.as_manager()

    class Meta:
        verbose_name = _("concept")
        verbose_name_plural = _("concepts")
        ordering = ["scheme", "order", "label"]
        constraints = [
            models.UniqueConstraint(
                fields=["scheme", "code"], name="concept_code_unique_in_scheme"
            ),
        ]
        indexes = [
            models.Index(fields=["scheme", "order"], name="concept_scheme_order_idx"),
        ]

    def __str__(self) -> str:
        return self.label

    def get_absolute_url(self) -> str:
        if self.scheme == self.Scheme.KET:
            return reverse("catalogue:technology_detail", kwargs={"code": self.code})
        return reverse("catalogue:infrastructure_list") + f"?{self.scheme}={self.code}"


def _scheme(scheme: str) -> dict:
    return {"scheme": scheme}


class RIS3Priority(models.Model):
    """A priority domain of a region's smart-specialisation strategy."""

    region = models.ForeignKey(
        Region,
        on_delete=models.PROTECT,
        related_name="ris3_priorities",
        verbose_name=_("region"),
    )
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    nabs_chapters = models.ManyToManyField(
        Concept,
        blank=True,
        related_name="+",
        limit_choices_to=_scheme("nabs"),
        verbose_name=_("NABS 2007 chapters"),
    )
    nace_sections = models.ManyToManyField(
        Concept,
        blank=True,
        related_name="+",
        limit_choices_to=_scheme("nace"),
        verbose_name=_("NACE Rev.2 sections"),
    )
    kets = models.ManyToManyField(
        Concept,
        blank=True,
        related_name="+",
        limit_choices_to=_scheme("ket"),
        verbose_name=_("KETs"),
    )
    order = models.PositiveIntegerField(_("order"), default=0)

    objects = RIS3PriorityQuerySet.as_manager()

    class Meta:
        verbose_name = _("RIS3 priority")
        verbose_name_plural = _("RIS3 priorities")
        ordering = ["region", "order", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["region", "name"], name="ris3_priority_name_unique_in_region"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.region_id})"

    def get_absolute_url(self) -> str:
        return self.region.get_absolute_url() + f"#ris3-{self.pk}"


class InfrastructureStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PENDING = "pending", _("Pending review")
    CHANGES_REQUESTED = "changes_requested", _("Changes requested")
    PUBLISHED = "published", _("Published")
    ARCHIVED = "archived", _("Archived")


class Infrastructure(TimestampedModel):
    """A research and innovation infrastructure (RII): one listing in the catalogue."""

    Status = InfrastructureStatus

    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=220, unique=True)
    acronym = models.CharField(_("acronym"), max_length=40, blank=True)
    host = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.PROTECT,
        related_name="infrastructures",
        verbose_name=_("host organisation"),
    )
    region = models.ForeignKey(
        Region,
        on_delete=models.PROTECT,
        related_name="infrastructures",
        verbose_name=_("region"),
        help_text=_("The NUTS region where it is located, at the most precise level."),
    )
    address = models.CharField(_("address"), max_length=300, blank=True)
    city = models.CharField(_("city"), max_length=120)
    latitude = models.DecimalField(
        _("latitude"), max_digits=8, decimal_places=5, null=True, blank=True
    )
    longitude = models.DecimalField(
        _("longitude"), max_digits=8, decimal_places=5, null=True, blank=True
    )
    website = models.URLField(_("website"), blank=True)
    summary = models.CharField(
        _("summary"), max_length=300, help_text=_("One sentence for result lists.")
    )
    description = models.TextField(_("description"), blank=True)
    types = models.ManyToManyField(
        Concept,
        related_name="+",
        blank=True,
        limit_choices_to=_scheme("rii_type"),
        verbose_name=_("types"),
    )
    structure = models.ForeignKey(
        Concept,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        limit_choices_to=_scheme("structure"),
        verbose_name=_("structure"),
    )
    kets = models.ManyToManyField(
        Concept,
        related_name="infrastructures",
        blank=True,
        limit_choices_to=_scheme("ket"),
        verbose_name=_("Key Enabling Technologies"),
    )
    scientific_domains = models.ManyToManyField(
        Concept,
        related_name="+",
        blank=True,
        limit_choices_to=_scheme("scientific_domain"),
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
        limit_choices_to=_scheme("language"),
        verbose_name=_("languages spoken"),
    )
    access_policy = models.TextField(_("access policy"), blank=True)
    sme_offer = models.TextField(
        _("offer for SMEs"),
        blank=True,
        help_text=_("What the infrastructure offers small and medium-sized companies."),
    )
    contact_email = models.EmailField(
        _("contact email"), help_text=_("A role address, e.g. access@example.org.")
    )
    contact_name = models.CharField(_("contact person"), max_length=200, blank=True)
    contact_phone = models.CharField(_("contact telephone"), max_length=40, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=Status, default=Status.DRAFT
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


class PriceBand(models.TextChoices):
    ON_REQUEST = "on_request", _("On request")
    UNDER_1K = "under_1k", _("Under EUR 1,000")
    FROM_1K_TO_5K = "1k_5k", _("EUR 1,000-5,000")
    FROM_5K_TO_20K = "5k_20k", _("EUR 5,000-20,000")
    OVER_20K = "over_20k", _("Over EUR 20,000")


class IPDefault(models.TextChoices):
    CLIENT_OWNS = "client_owns", _("Client owns the results")
    SHARED = "shared", _("Shared ownership")
    PROVIDER_OWNS = "provider_owns", _("Infrastructure owns, client gets a licence")
    NEGOTIABLE = "negotiable", _("Negotiated case by case")


class Service(TimestampedModel):
    """What an infrastructure offers its users, with comparable access terms."""

    PriceBand = PriceBand

    IPDefault = IPDefault

    infrastructure = models.ForeignKey(
        Infrastructure,
        on_delete=models.CASCADE,
        related_name="services",
        verbose_name=_("infrastructure"),
    )
    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=220)
    description = models.TextField(_("description"), blank=True)
    service_type = models.ForeignKey(
        Concept,
        on_delete=models.PROTECT,
        related_name="+",
        limit_choices_to=_scheme("service_type"),
        verbose_name=_("service type"),
    )
    kets = models.ManyToManyField(
        Concept,
        related_name="+",
        blank=True,
        limit_choices_to=_scheme("ket"),
        verbose_name=_("Key Enabling Technologies"),
    )
    trl_from = models.PositiveSmallIntegerField(
        _("TRL from"), validators=[MinValueValidator(1), MaxValueValidator(9)]
    )
    trl_to = models.PositiveSmallIntegerField(
        _("TRL to"), validators=[MinValueValidator(1), MaxValueValidator(9)]
    )
    access_mode = models.ForeignKey(
        Concept,
        on_delete=models.PROTECT,
        related_name="+",
        limit_choices_to=_scheme("access_mode"),
        verbose_name=_("access mode"),
    )
    price_band = models.CharField(
        _("price band"), max_length=12, choices=PriceBand, default=PriceBand.ON_REQUEST
    )
    sme_rate_available = models.BooleanField(_("SME rate available"), default=False)
    lead_time_days = models.PositiveSmallIntegerField(
        _("typical lead time (days)"), null=True, blank=True
    )
    ip_default = models.CharField(
        _("intellectual property by default"),
        max_length=16,
        choices=IPDefault,
        default=IPDefault.NEGOTIABLE,
    )
    nda_available = models.BooleanField(_("NDA available"), default=True)
    languages = models.ManyToManyField(
        Concept,
        related_name="+",
        blank=True,
        limit_choices_to=_scheme("language"),
        verbose_name=_("languages"),
    )
    booking_url = models.URLField(_("booking link"), blank=True)
    target_users = models.ManyToManyField(
        Concept,
        related_name="+",
        blank=True,
        limit_choices_to=_scheme("target_user"),
        verbose_name=_("target users"),
    )
    order = models.PositiveIntegerField(_("order"), default=0)
    document = models.GeneratedField(
        expression=SearchVector("name", "description", config="rii"),
        output_field=SearchVectorField(),
        db_persist=True,
    )

    history = HistoricalRecords(
        m2m_fields=[kets, languages, target_users],
        excluded_fields=["document"],
    )

    class Meta:
        verbose_name = _("service")
        verbose_name_plural = _("services")
        ordering = ["infrastructure", "order", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["infrastructure", "slug"], name="service_slug_unique_in_rii"
            ),
            models.CheckConstraint(
                condition=Q(trl_from__gte=1, trl_to__lte=9, trl_from__lte=F("trl_to")),
                name="service_trl_range_valid",
                violation_error_message=_(
                    "The TRL range must lie between 1 and 9, and start at or below its end."
                ),
            ),
            models.CheckConstraint(
                condition=Q(price_band__in=PriceBand.values),
                name="service_price_band_valid",
            ),
            models.CheckConstraint(
                condition=Q(ip_default__in=IPDefault.values),
                name="service_ip_default_valid",
            ),
        ]
        indexes = [
            models.Index(fields=["price_band"], name="service_price_band_idx"),
            models.Index(fields=["trl_from", "trl_to"], name="service_trl_idx"),
            models.Index(
                fields=["sme_rate_available"],
                condition=Q(sme_rate_available=True),
                name="service_sme_rate_idx",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return self.infrastructure.get_absolute_url() + f"#{self.anchor}"

    @property
    def anchor(self) -> str:
        return f"service-{self.slug}"


class EquipmentAccess(models.TextChoices):
    STAFF = "staff", _("Operated by staff")
    TRAINED_USER = "trained_user", _("Operated by users after training")


class Equipment(TimestampedModel):
    """An instrument or installation of an infrastructure (UNIQUIP-compatible)."""

    Access = EquipmentAccess

    infrastructure = models.ForeignKey(
        Infrastructure,
        on_delete=models.CASCADE,
        related_name="equipment",
        verbose_name=_("infrastructure"),
    )
    services = models.ManyToManyField(
        Service, related_name="equipment", blank=True, verbose_name=_("services")
    )
    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=220)
    description = models.TextField(_("description"), blank=True)
    category = models.ForeignKey(
        Concept,
        on_delete=models.PROTECT,
        related_name="+",
        limit_choices_to=_scheme("equipment_category"),
        verbose_name=_("category"),
    )
    technique = models.CharField(_("technique"), max_length=300, blank=True)
    manufacturer = models.CharField(_("manufacturer"), max_length=120, blank=True)
    model = models.CharField(_("model"), max_length=120, blank=True)
    year_commissioned = models.PositiveSmallIntegerField(
        _("year commissioned"), null=True, blank=True
    )
    quantity = models.PositiveSmallIntegerField(_("quantity"), default=1)
    training_required = models.BooleanField(_("training required"), default=True)
    access = models.CharField(
        _("access"), max_length=16, choices=Access, default=Access.STAFF
    )
    # UNIQUIP identifiers and location fields (UK equipment data standard).
    uniquip_id = models.CharField(
        _("UNIQUIP ID"),
        max_length=100,
        blank=True,
        help_text=_("The stable identifier used in UNIQUIP exports and imports."),
    )
    organisational_unit = models.CharField(
        _("organisational unit"), max_length=200, blank=True
    )
    site_location = models.CharField(_("site location"), max_length=200, blank=True)
    building = models.CharField(_("building"), max_length=200, blank=True)
    service_level = models.CharField(_("service level"), max_length=200, blank=True)
    web_address = models.URLField(_("web address"), blank=True)
    open_licence = models.CharField(
        _("open licence"), max_length=100, blank=True, help_text=_("E.g. CC BY 4.0.")
    )
    order = models.PositiveIntegerField(_("order"), default=0)
    document = models.GeneratedField(
        expression=SearchVector(
            "name", "technique", "manufacturer", "model", "description", config="rii"
        ),
        output_field=SearchVectorField(),
        db_persist=True,
    )

    history = HistoricalRecords(m2m_fields=[services], excluded_fields=["document"])

    class Meta:
        verbose_name = _("equipment item")
        verbose_name_plural = _("equipment")
        ordering = ["infrastructure", "order", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["infrastructure", "slug"], name="equipment_slug_unique_in_rii"
            ),
            models.UniqueConstraint(
                fields=["uniquip_id"],
                condition=~Q(uniquip_id=""),
                name="equipment_uniquip_id_unique",
                violation_error_message=_(
                    "An equipment item with this UNIQUIP ID already exists."
                ),
            ),
            models.CheckConstraint(
                condition=Q(quantity__gte=1), name="equipment_quantity_positive"
            ),
            models.CheckConstraint(
                condition=Q(year_commissioned__isnull=True)
                | Q(year_commissioned__gte=1900, year_commissioned__lte=2100),
                name="equipment_year_plausible",
                violation_error_message=_("The year must lie between 1900 and 2100."),
            ),
            models.CheckConstraint(
                condition=Q(access__in=EquipmentAccess.values),
                name="equipment_access_valid",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return self.infrastructure.get_absolute_url() + f"#{self.anchor}"

    @property
    def anchor(self) -> str:
        return f"equipment-{self.slug}"


class GoodPractice(TimestampedModel):
    """A practice worth learning from, collected across the partner regions."""

    title = models.CharField(_("title"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=220, unique=True)
    region = models.ForeignKey(
        Region,
        on_delete=models.PROTECT,
        related_name="good_practices",
        verbose_name=_("region"),
    )
    infrastructure = models.ForeignKey(
        Infrastructure,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="good_practices",
        verbose_name=_("infrastructure"),
    )
    summary = models.TextField(_("summary"))
    what_worked = models.TextField(_("what worked and why"))
    source_url = models.URLField(_("source"), blank=True)

    class Meta:
        verbose_name = _("good practice")
        verbose_name_plural = _("good practices")
        ordering = ["title"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return self.region.get_absolute_url() + f"#practice-{self.slug}"


class ModerationAction(models.TextChoices):
    APPROVE = "approve", _("Approve")
    REQUEST_CHANGES = "request_changes", _("Request changes")
    REJECT = "reject", _("Reject")
    ARCHIVE = "archive", _("Archive")
    REVERT = "revert", _("Revert to the last approved version")


class ModerationDecision(models.Model):
    """A partner admin's decision on a listing, with the message sent to its staff."""

    Action = ModerationAction

    infrastructure = models.ForeignKey(
        Infrastructure,
        on_delete=models.CASCADE,
        related_name="moderation_decisions",
        verbose_name=_("infrastructure"),
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    action = models.CharField(_("decision"), max_length=20, choices=Action)
    from_status = models.CharField(
        _("from"), max_length=20, choices=InfrastructureStatus
    )
    to_status = models.CharField(_("to"), max_length=20, choices=InfrastructureStatus)
    message = models.TextField(_("message to the staff"), blank=True)
    created_at = models.DateTimeField(_("when"), auto_now_add=True)

    class Meta:
        verbose_name = _("moderation decision")
        verbose_name_plural = _("moderation decisions")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(action__in=ModerationAction.values),
                name="moderation_decision_action_valid",
            ),
        ]
        indexes = [
            models.Index(
                fields=["infrastructure", "-created_at"],
                name="moderation_decision_rii_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_action_display()}: {self.infrastructure_id}"


def _codes(verbose_name: str) -> ArrayField:
    return ArrayField(
        models.CharField(max_length=160), default=list, verbose_name=verbose_name
    )


# The array columns of SearchRecord that filters read.
SEARCH_FACET_COLUMNS = (
    "regions",
    "kets",
    "scientific_domains",
    "nabs",
    "nace",
    "types",
    "service_types",
    "equipment_categories",
    "access_modes",
    "price_bands",
    "languages",
    "trl_levels",
)


class SearchRecord(models.Model):
    """What search reads about one infrastructure, kept current by ``search.refresh``.

    Every facet is stored per infrastructure so that a search page filters and counts
    over one row per listing, with GIN indexes; its words are in ``SearchText``.
    """

    infrastructure = models.OneToOneField(
        Infrastructure,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="search",
    )
    is_published = models.BooleanField(default=False)
    sort_name = models.CharField(max_length=200, default="")
    updated_at = models.DateTimeField(null=True)
    country = models.CharField(max_length=2)
    regions = _codes("NUTS codes, the region and those above it")
    is_partner = models.BooleanField(default=False)
    kets = _codes("KETs, with the 2018 successors of 2012 ones")
    scientific_domains = _codes("scientific domains, with their parents")
    nabs = _codes("NABS chapters of its RIS3 priorities")
    nace = _codes("NACE sections of its RIS3 priorities")
    types = _codes("infrastructure types")
    service_types = _codes("service types")
    equipment_categories = _codes("equipment categories")
    access_modes = _codes("access modes")
    price_bands = _codes("price bands")
    languages = _codes("languages")
    trl_levels = ArrayField(models.PositiveSmallIntegerField(), default=list)
    has_sme_rate = models.BooleanField(default=False)
    shortest_lead_time_days = models.PositiveSmallIntegerField(null=True)
    facet_tags = ArrayField(
        models.CharField(max_length=200),
        default=list,
        help_text="facet:value pairs a search filters on and counts",
    )

    class Meta:
        verbose_name = _("search record")
        verbose_name_plural = _("search records")
        indexes = [
            models.Index(
                fields=["is_published"],
                condition=Q(is_published=True),
                name="search_published_idx",
            ),
            models.Index(fields=["country"], name="search_country_idx"),
            models.Index(
                fields=["sort_name", "infrastructure"],
                condition=Q(is_published=True),
                name="search_sort_name_idx",
            ),
            models.Index(
                F("updated_at").desc(),
                "infrastructure",
                condition=Q(is_published=True),
                name="search_updated_idx",
            ),
            *(
                GinIndex(fields=[name], name=f"search_{name[:16]}_gin")
                for name in SEARCH_FACET_COLUMNS
            ),
        ]

    def __str__(self) -> str:
        return f"Search record of {self.infrastructure_id}"


class SearchText(models.Model):
    """The words of one infrastructure: for matching, and for ranking the matches.

    Apart from ``SearchRecord`` so that filtering and counting read narrow rows, and
    so that the ranking vector stays in the row (storage MAIN, migration 0012):
    ranking a common word reads thousands of them, and fetching each from TOAST
    storage would cost more than the ranking itself.
    """

    infrastructure = models.OneToOneField(
        Infrastructure,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="search_text",
    )
    # Every word, without positions: matched through the GIN index only.
    document = SearchVectorField()
    # Names (A), tags (B) and summary (C), with positions: what relevance ranks.
    rank_document = SearchVectorField()

    class Meta:
        verbose_name = _("search text")
        verbose_name_plural = _("search texts")
        indexes = [GinIndex(fields=["document"], name="search_text_document_gin")]

    def __str__(self) -> str:
        return f"Search text of {self.infrastructure_id}"


class BitStringField(models.Field):
    """A PostgreSQL ``bit varying`` column, read and written as a string of 0 and 1."""

    description = _("Bit string")

    def db_type(self, connection) -> str:
        return "bit varying"


class SearchFacetCount(models.Model):
    """How many, and which, published listings carry one facet value.

    ``bits`` has bit *n* set when the published listing with id *n* carries the value;
    every row's bits have the same length, a multiple of 8,192. Statement-level
    triggers on ``SearchRecord`` keep both exact (migration 0013). A search builds the
    same kind of bit string of its results, and counts each facet value by the bits
    the two share.
    """

    tag = models.CharField(max_length=200, primary_key=True)
    count = models.IntegerField(default=0)
    bits = BitStringField(default="", editable=False)

    class Meta:
        verbose_name = _("search facet count")
        verbose_name_plural = _("search facet counts")

    def __str__(self) -> str:
        return f"{self.tag}: {self.count}"


class SearchTerm(models.Model):
    """A word of the catalogue, for "did you mean" suggestions by trigram similarity."""

    word = models.CharField(max_length=100, primary_key=True)
    frequency = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("search term")
        verbose_name_plural = _("search terms")
        indexes = [
            GinIndex(
                fields=["word"], name="search_term_trgm", opclasses=["gin_trgm_ops"]
            ),
        ]

    def __str__(self) -> str:
        return self.word
