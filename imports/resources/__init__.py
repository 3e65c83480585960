"""django-import-export resources: the catalogue's records as spreadsheet rows.

``context`` holds what one import shares, ``base`` the machinery every resource
shares (rows, savepoints, history, exports that start no formula), ``tabular``
the catalogue's own spreadsheets and ``uniquip`` the UNIQUIP standard's.
"""

from .base import (
    FORMULA_STARTS,
    CatalogueResource,
    InfrastructureKeyWidget,
    ListingRows,
    NoDiff,
    Row,
    neutralised,
    record_key,
)
from .context import MAX_REPORTED_ERRORS, ROW_NUMBER, ImportContext
from .tabular import (
    EquipmentResource,
    InfrastructurePartResource,
    InfrastructureResource,
    ServiceResource,
)
from .uniquip import (
    EQUIPMENT,
    FACILITY,
    UNIQUIP_COLUMNS,
    UniquipCatalogueResource,
    UniquipEquipmentResource,
    UniquipFacilityResource,
    UniquipResource,
)

__all__ = [
    "EQUIPMENT",
    "FACILITY",
    "FORMULA_STARTS",
    "MAX_REPORTED_ERRORS",
    "ROW_NUMBER",
    "UNIQUIP_COLUMNS",
    "CatalogueResource",
    "EquipmentResource",
    "ImportContext",
    "InfrastructureKeyWidget",
    "InfrastructurePartResource",
    "InfrastructureResource",
    "ListingRows",
    "NoDiff",
    "Row",
    "ServiceResource",
    "UniquipCatalogueResource",
    "UniquipEquipmentResource",
    "UniquipFacilityResource",
    "UniquipResource",
    "neutralised",
    "record_key",
]
