from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.core.cache import cache
from django.db import models
from django.db.models import (
    Count,
    Exists,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce

from accounts import permissions
from accounts.permissions import AnyUser
from core.pagecache import GENERATION_KEY

if TYPE_CHECKING:
    # Also the models of the QuerySets' type arguments, which ruff does not read.
    from .models import Concept, Infrastructure, Region, RIS3Priority  # noqa: F401


def _scoped[QS: models.QuerySet](queryset: QS, condition: Q | None) -> QS:
    """``queryset`` limited by a permission scope (None: no limit)."""
    return queryset if condition is None else queryset.filter(condition)


def once_per_change[T](key: str, compute: Callable[[], T]) -> T:
    """``compute()``, kept in the cache under ``key`` until the catalogue changes:
    with the generation of the page cache it was computed in, which publishing or
    changing a listing moves on (``core.pagecache.pages_changed``). For the
    catalogue-wide counts of the home and index pages, which read every listing.
    The generation is read before computing, so a change during it is not missed."""
    stored = cache.get_many([GENERATION_KEY, key])
    generation = stored.get(GENERATION_KEY, 0)
    cached = stored.get(key)
    if cached is not None and cached[0] == generation:
        return cached[1]
    value = compute()
    cache.set(key, (generation, value), None)
    return value


def with_counts[T](
    items: Iterable[T], counts: Mapping[Any, int], *, key: str
) -> list[T]:
    """``items`` as a list, each with ``infrastructure_count`` read from ``counts``
    by its attribute ``key`` (0 when absent), as ``with_counts_among`` annotates."""
    listed = list(items)
    for item in listed:
        item.infrastructure_count = counts.get(getattr(item, key), 0)  # type: ignore[attr-defined]
    return listed


def total_of(region_counts: Counter[str]) -> int:
    """The number of RIIs counted by ``counts_by_region()``: those of the countries."""
    return sum(n for code, n in region_counts.items() if len(code) == 2)


def _count(queryset: models.QuerySet[Any]) -> Coalesce:
    """A correlated count of the distinct rows of ``queryset``, as an annotation."""
    counted = (
        queryset.order_by()
        .values(group=Value(1))
        .annotate(n=Count("pk", distinct=True))
    )
    return Coalesce(Subquery(counted.values("n")), 0, output_field=IntegerField())


class RegionQuerySet(models.QuerySet["Region"]):
    def partners(self) -> "RegionQuerySet":
        return self.filter(is_partner=True)

    def within(self, code: str) -> "RegionQuerySet":
        """The region ``code`` and every region under it (NUTS codes nest by prefix)."""
        return self.filter(code__startswith=code)

    def with_counts_among(
        self, infrastructures: models.QuerySet[Any]
    ) -> "RegionQuerySet":
        """Count the RIIs of ``infrastructures`` located in each region or below it."""
        within = infrastructures.filter(region__code__startswith=OuterRef("code"))
        return self.annotate(infrastructure_count=_count(within))


class ConceptQuerySet(models.QuerySet["Concept"]):
    def in_scheme(self, scheme: str) -> "ConceptQuerySet":
        return self.filter(scheme=scheme)

    def kets_current(self) -> "ConceptQuerySet":
        """The 2018 list of Key Enabling Technologies."""
        return self.filter(scheme="ket", collection="2018").order_by("order")

    def with_counts_among(
        self, infrastructures: models.QuerySet[Any], *, tag: str
    ) -> "ConceptQuerySet":
        """Count the RIIs of ``infrastructures`` tagged, through their many-to-many
        field ``tag``, with each concept or with one that maps to it (a 2012 KET
        counts for its 2018 successor)."""
        tagged = infrastructures.filter(
            Q(**{tag: OuterRef("pk")}) | Q(**{f"{tag}__maps_to": OuterRef("pk")})
        )
        return self.annotate(infrastructure_count=_count(tagged))


class RIS3PriorityQuerySet(models.QuerySet["RIS3Priority"]):
    def for_region(self, region: "Region") -> "RIS3PriorityQuerySet":
        """Priorities of ``region`` and of the regions above it (a RIS3 is regional)."""
        return self.filter(region_id__in=region.ancestor_codes())

    def with_tag_relations(self) -> "RIS3PriorityQuerySet":
        from .models import Concept

        ordered = Concept.objects.order_by("order")
        return self.select_related("region").prefetch_related(
            Prefetch("nabs_chapters", queryset=ordered),
            Prefetch("nace_sections", queryset=ordered),
            Prefetch("kets", queryset=ordered),
        )


class InfrastructureQuerySet(models.QuerySet["Infrastructure"]):
    def published(self) -> "InfrastructureQuerySet":
        return self.filter(status="published")

    def editable_by(self, user: AnyUser) -> "InfrastructureQuerySet":
        """The listings ``user`` may edit: those they are a member of (manager or
        editor); a superuser may edit every listing."""
        return _scoped(self, permissions.editable_q(user))

    def moderated_by(self, user: AnyUser) -> "InfrastructureQuerySet":
        """The listings of the regions ``user`` administers."""
        return self.filter(permissions.administered_q(user))

    def with_role_of(self, user: AnyUser) -> "InfrastructureQuerySet":
        """Annotate ``member_role``: the role of ``user`` on each listing, or None."""
        return self.annotate(member_role=Subquery(permissions.role_subquery(user)))

    def with_completeness_counts(self) -> "InfrastructureQuerySet":
        """Annotate the counts the workspace's completeness score needs."""
        from .models import Equipment, Service

        def tagged(field: str) -> Exists:
            tags = self.model._meta.get_field(field)
            assert isinstance(tags, models.ManyToManyField)
            through = tags.remote_field.through
            assert through is not None  # set once the models are loaded
            return Exists(
                through._default_manager.filter(infrastructure_id=OuterRef("pk"))
            )

        return self.annotate(
            service_count=_count(Service.objects.filter(infrastructure=OuterRef("pk"))),
            equipment_count=_count(
                Equipment.objects.filter(infrastructure=OuterRef("pk"))
            ),
            has_kets=tagged("kets"),
            has_types=tagged("types"),
            has_languages=tagged("languages"),
        )

    def in_region(self, code: str) -> "InfrastructureQuerySet":
        return self.filter(region__code__startswith=code)

    def counts_by_region(self) -> Counter[str]:
        """How many of these RIIs each region holds, itself or below it, by code.

        One grouped statement over the listings' own regions, summed up to every
        region above them in Python (NUTS codes nest by prefix, as ``in_region``
        reads them): the same numbers as a count per region, whatever the number
        of regions asked about. Regions without any are left out (a Counter reads
        them as 0); ``total_of()`` adds up the whole."""
        rows = self.order_by().values_list("region_id").annotate(n=Count("pk"))
        counts: Counter[str] = Counter()
        for code, n in rows:
            for end in range(2, len(code) + 1):
                counts[code[:end]] += n
        return counts

    def counts_by_concept(self, tag: str, *, mapped: bool = True) -> Counter[int]:
        """How many of these RIIs are tagged, through their many-to-many field
        ``tag``, with each concept (by id), each RII once.

        ``mapped``: a concept that maps to others counts for them instead (a 2012
        KET for its 2018 successors), for the lists of current terms (the 2018
        KETs, the types), which map to none; otherwise each concept for itself.
        One grouped statement over the tags, for every concept at once."""
        field = self.model._meta.get_field(tag)
        assert isinstance(field, models.ManyToManyField)
        through = field.remote_field.through
        assert through is not None  # set once the models are loaded
        column = field.m2m_reverse_field_name()
        tags = through._default_manager.filter(
            infrastructure_id__in=self.order_by().values("pk")
        )
        if not mapped:
            # A listing has a concept once: no need to count distinct listings.
            own = tags.values_list(column).annotate(n=Count("infrastructure_id"))
            return Counter(dict(own))
        rows = tags.values_list(Coalesce(f"{column}__maps_to", column)).annotate(
            n=Count("infrastructure_id", distinct=True)
        )
        return Counter(dict(rows))

    def awaiting_review(self) -> "InfrastructureQuerySet":
        """Listings their staff submitted for review."""
        return self.filter(status="pending")

    def changed_after_review(self) -> "InfrastructureQuerySet":
        """Published listings their staff edited after the last review."""
        return self.filter(status="published", changed_since_review=True)

    def unverified_since(self, moment: datetime) -> "InfrastructureQuerySet":
        """Published listings nobody confirmed or reviewed since ``moment``."""
        return self.filter(
            Q(verified_at__lt=moment) | Q(verified_at__isnull=True),
            status="published",
        )

    def with_latest_feedback(self) -> "InfrastructureQuerySet":
        """Annotate ``feedback``: the message of the last partner admin's decision
        that asked its staff to act, when that is why the listing is in its status."""
        from .models import ModerationDecision

        last = ModerationDecision.objects.filter(infrastructure=OuterRef("pk"))
        return self.annotate(
            feedback=Subquery(
                last.filter(to_status=OuterRef("status"))
                .exclude(message="")
                .order_by("-created_at", "-pk")
                .values("message")[:1]
            )
        )

    def naming_concepts(self, concept_ids: list[int]) -> "InfrastructureQuerySet":
        """Listings whose search record shows one of these vocabulary terms: tagged
        with it (themselves, through a service, an equipment item or a RIS3
        priority), or with a term it is the parent or 2018 successor of."""
        from .models import Concept

        terms = Concept.objects.filter(
            Q(pk__in=concept_ids)
            | Q(parent__in=concept_ids)
            | Q(maps_to__in=concept_ids)
        ).values("pk")
        paths = [
            "types",
            "structure",
            "kets",
            "scientific_domains",
            "languages",
            "services__service_type",
            "services__access_mode",
            "services__kets",
            "services__languages",
            "equipment__category",
            "ris3_priorities__nabs_chapters",
            "ris3_priorities__nace_sections",
        ]
        condition = Q(pk__in=[])
        for path in paths:
            condition |= Q(
                pk__in=self.model.objects.filter(**{f"{path}__in": terms}).values("pk")
            )
        return self.filter(condition)

    def tagged_with(self, ket: "Concept") -> "InfrastructureQuerySet":
        """RIIs tagged with the KET ``ket`` or with a 2012 KET that maps to it."""
        tagged = self.model.objects.filter(Q(kets=ket) | Q(kets__maps_to=ket))
        return self.filter(pk__in=tagged.values("pk"))

    def with_detail_relations(self) -> "InfrastructureQuerySet":
        from .models import Concept, Equipment, Service

        ordered = Concept.objects.order_by("order")
        return self.select_related(
            "host", "region__parent__parent__parent", "structure"
        ).prefetch_related(
            Prefetch("kets", queryset=ordered),
            Prefetch("types", queryset=ordered),
            Prefetch("languages", queryset=ordered),
            Prefetch("scientific_domains", queryset=ordered),
            Prefetch(
                "services",
                queryset=Service.objects.select_related(
                    "service_type", "access_mode"
                ).prefetch_related(
                    Prefetch("languages", queryset=ordered),
                    Prefetch("kets", queryset=ordered),
                ),
            ),
            Prefetch(
                "equipment",
                queryset=Equipment.objects.select_related("category"),
            ),
            "photos",
            # Which of its region's priorities the listing names, in bold.
            "ris3_priorities",
        )
