"""What a listing offers: its services and equipment; and good practices."""

from django.contrib.postgres.search import SearchVector, SearchVectorField
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.models import TimestampedModel

from .listings import Infrastructure
from .vocabularies import Concept, Region, scheme_terms


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
        limit_choices_to=scheme_terms("service_type"),
        verbose_name=_("service type"),
    )
    kets = models.ManyToManyField(
        Concept,
        related_name="+",
        blank=True,
        limit_choices_to=scheme_terms("ket"),
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
        limit_choices_to=scheme_terms("access_mode"),
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
        limit_choices_to=scheme_terms("language"),
        verbose_name=_("languages"),
    )
    booking_url = models.URLField(_("booking link"), blank=True)
    target_users = models.ManyToManyField(
        Concept,
        related_name="+",
        blank=True,
        limit_choices_to=scheme_terms("target_user"),
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
        limit_choices_to=scheme_terms("equipment_category"),
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
