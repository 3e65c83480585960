"""The catalogue's models, one module per concern, re-exported here."""

from .items import (
    Equipment,
    EquipmentAccess,
    GoodPractice,
    IPDefault,
    PriceBand,
    Service,
)
from .listings import Infrastructure, InfrastructureStatus, Lifecycle, Photo
from .moderation import ModerationAction, ModerationDecision
from .search import (
    SEARCH_FACET_COLUMNS,
    BitStringField,
    SearchFacetCount,
    SearchRecord,
    SearchTerm,
    SearchText,
)
from .vocabularies import Concept, Region, RIS3Priority, place_region_code

__all__ = [
    "SEARCH_FACET_COLUMNS",
    "BitStringField",
    "Concept",
    "Equipment",
    "EquipmentAccess",
    "GoodPractice",
    "IPDefault",
    "Infrastructure",
    "InfrastructureStatus",
    "Lifecycle",
    "ModerationAction",
    "ModerationDecision",
    "Photo",
    "PriceBand",
    "RIS3Priority",
    "Region",
    "SearchFacetCount",
    "SearchRecord",
    "SearchTerm",
    "SearchText",
    "Service",
    "place_region_code",
]
