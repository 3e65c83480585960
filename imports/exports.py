"""Downloads of catalogue records as CSV, XLSX or UNIQUIP CSV."""

from dataclasses import dataclass

from django.db.models import prefetch_related_objects
from import_export.formats.base_formats import CSV, XLSX, Format

from catalogue.models import Infrastructure

from .resources import InfrastructureResource, UniquipCatalogueResource

# Excel reads a UTF-8 CSV correctly only with a byte-order mark.
CSV_ENCODING = "utf-8-sig"


@dataclass(frozen=True)
class ExportFormat:
    resource_class: type
    file_format: type[Format]
    file_name: str


SEARCH_EXPORTS = {
    "csv": ExportFormat(InfrastructureResource, CSV, "infrastructures.csv"),
    "xlsx": ExportFormat(InfrastructureResource, XLSX, "infrastructures.xlsx"),
    "uniquip": ExportFormat(
        UniquipCatalogueResource, CSV, "infrastructures-uniquip.csv"
    ),
}


def infrastructures_export(ids: list[int], export: ExportFormat) -> bytes:
    """The infrastructures ``ids``, in that order, in the format ``export``."""
    by_id = Infrastructure.objects.select_related(
        "host", "region", "structure"
    ).in_bulk(ids)
    listings = [by_id[pk] for pk in ids if pk in by_id]
    prefetch_related_objects(
        listings, "types", "kets", "scientific_domains", "languages"
    )
    file_format = export.file_format()
    # Numbers are written as numbers where the format has them, as the admin's
    # exports do.
    dataset = export.resource_class().export(
        listings, force_native_type=file_format.is_binary()
    )
    data = file_format.export_data(dataset)
    return data.encode(CSV_ENCODING) if isinstance(data, str) else data
