"""Where and what: NUTS regions, the vocabularies' terms and regions' RIS3 priorities."""

from typing import TYPE_CHECKING

from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import Q
from django.db.models.functions import Length
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from ..querysets import ConceptQuerySet, RegionQuerySet, RIS3PriorityQuerySet


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

    if TYPE_CHECKING:
        # Annotated by ``RegionQuerySet.with_counts_among``.
        infrastructure_count: int

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
            assert self.parent is not None  # a NUTS 3 region lies in another
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
        from ..search.facets import term_search_url  # the search imports the models

        return term_search_url(self.scheme, self.code, self.label)


def scheme_terms(scheme: str) -> dict:
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
        limit_choices_to=scheme_terms("nabs"),
        verbose_name=_("NABS 2007 chapters"),
    )
    nace_sections = models.ManyToManyField(
        Concept,
        blank=True,
        related_name="+",
        limit_choices_to=scheme_terms("nace"),
        verbose_name=_("NACE Rev.2 sections"),
    )
    kets = models.ManyToManyField(
        Concept,
        blank=True,
        related_name="+",
        limit_choices_to=scheme_terms("ket"),
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
