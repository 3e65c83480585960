from django.db import models
from django.db.models import Prefetch, Q


class RegionQuerySet(models.QuerySet):
    def partners(self) -> "RegionQuerySet":
        return self.filter(is_partner=True)

    def countries(self) -> "RegionQuerySet":
        return self.filter(level=0)

    def within(self, code: str) -> "RegionQuerySet":
        """The region ``code`` and every region under it (NUTS codes nest by prefix)."""
        return self.filter(code__startswith=code)


class ConceptQuerySet(models.QuerySet):
    def in_scheme(self, scheme: str) -> "ConceptQuerySet":
        return self.filter(scheme=scheme)


class RIS3PriorityQuerySet(models.QuerySet):
    def for_region(self, region) -> "RIS3PriorityQuerySet":
        """Priorities of ``region`` and of the regions above it (a RIS3 is regional)."""
        return self.filter(region_id__in=region.ancestor_codes())


class InfrastructureQuerySet(models.QuerySet):
    def published(self) -> "InfrastructureQuerySet":
        return self.filter(status="published")

    def in_region(self, code: str) -> "InfrastructureQuerySet":
        return self.filter(region__code__startswith=code)

    def with_card_relations(self) -> "InfrastructureQuerySet":
        from .models import Concept

        return self.select_related("host", "region").prefetch_related(
            Prefetch("kets", queryset=Concept.objects.order_by("order"))
        )

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
        )

    def needing_verification(self, before) -> "InfrastructureQuerySet":
        return self.published().filter(Q(verified_at__isnull=True) | Q(verified_at__lt=before))
