"""What search reads: per listing its record and text, per facet value its bit string, the catalogue's words."""

from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from .listings import Infrastructure


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
