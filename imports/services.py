"""Importing spreadsheets into the catalogue: upload, map columns, preview, import."""

import logging
from collections.abc import Callable, Iterator
from itertools import islice
from pathlib import Path
from typing import Any

import tablib
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import permissions
from accounts.models import User
from catalogue.models import Infrastructure, Region
from catalogue.services.changes import IMPORT, listings_changed_in_bulk

from .models import ColumnMapping, ImportJob, ImportKind, NewListingStatus
from .reading import SpreadsheetError, count_rows, file_format, read_spreadsheet
from .resources import (
    FACILITY,
    ROW_NUMBER,
    UNIQUIP_COLUMNS,
    CatalogueResource,
    EquipmentResource,
    ImportContext,
    InfrastructureResource,
    Row,
    ServiceResource,
    UniquipEquipmentResource,
    UniquipFacilityResource,
)
from .widgets import normalise

logger = logging.getLogger(__name__)

MAX_UPLOAD_BYTES = 20 * 1024 * 1024
CHUNK_ROWS = 250
# Above this many listings written, the statistics are refreshed before search.
ANALYZE_AFTER_ROWS = 1000
RESOURCES: dict[str, type[CatalogueResource]] = {
    ImportKind.INFRASTRUCTURES: InfrastructureResource,
    ImportKind.SERVICES: ServiceResource,
    ImportKind.EQUIPMENT: EquipmentResource,
}
# Other names UNIQUIP files use for some columns.
UNIQUIP_ALIASES = {
    "related facility ids": "Related Facility ID",
    "department": "Organisational Unit",
    "open licence": "Open License",
}
# Other names partners' files give some columns of listings.
FIELD_ALIASES = {
    "country": "region",
    "nuts": "region",
    "nuts code": "region",
    "nuts region": "region",
    "title": "name",
    "infrastructure": "name",
    "url": "website",
    "web": "website",
    "homepage": "website",
    "web address": "website",
    "lat": "latitude",
    "lng": "longitude",
    "lon": "longitude",
    "long": "longitude",
    "location": "city",
    "town": "city",
    "organisation": "host",
    "organization": "host",
    "institution": "host",
    "host institution": "host",
    "domain": "scientific_domains",
    "domains": "scientific_domains",
    "scientific domain": "scientific_domains",
    "type": "structure",
    "rii type": "types",
    "status": "lifecycle",
    "stage": "lifecycle",
    "email": "contact_email",
    "e-mail": "contact_email",
    "phone": "contact_phone",
    "telephone": "contact_phone",
}
# UNIQUIP files name an item by Name, or else by their Description.
UNIQUIP_NAME_COLUMNS = ("Name", "Description")
# Rows go through these resources in turn; UNIQUIP facilities come before the
# equipment that refers to them.
Pass = tuple[type[CatalogueResource], Callable[[Row], bool]]
# A row of the file: its number and its cells.
Cells = tuple[int, list[Any]]


def _is_facility(row: Row) -> bool:
    return normalise(row.get("Type", "")) == FACILITY


def _passes(kind: str) -> list[Pass]:
    if kind == ImportKind.UNIQUIP:
        return [
            (UniquipFacilityResource, _is_facility),
            (UniquipEquipmentResource, lambda row: not _is_facility(row)),
        ]
    return [(RESOURCES[kind], lambda row: True)]


def mappable_fields(kind: str) -> list[tuple[str, str]]:
    """The fields a column can fill: (column name of the resource, label)."""
    if kind == ImportKind.UNIQUIP:
        return [(column, column) for column in UNIQUIP_COLUMNS]
    resource_class = RESOURCES[kind]
    model = resource_class._meta.model
    choices = []
    for resource_field in resource_class().get_import_fields():
        if resource_field.readonly:
            continue
        name = resource_field.column_name
        model_field = model._meta.get_field(resource_field.attribute)
        label = str(model_field.verbose_name)
        choices.append((name, f"{label[:1].upper()}{label[1:]}"))
    return choices


def required_fields(kind: str) -> list[str]:
    """The fields every row must fill, so their columns must be mapped: those the
    model requires, but for the region (the import's own by default) and the key
    (made from the name). A UNIQUIP file needs a Name or a Description (see
    ``missing_fields``)."""
    if kind == ImportKind.UNIQUIP:
        return []
    model = RESOURCES[kind]._meta.model
    required = []
    for name, _label in mappable_fields(kind):
        field = model._meta.get_field(name)
        if name in ("region", "slug") or field.many_to_many:
            continue
        if not field.blank and not field.has_default():
            required.append(name)
    return required


def missing_fields(kind: str, chosen: list[str]) -> list[str]:
    """The fields (labels) a mapping that fills ``chosen`` still needs."""
    if kind == ImportKind.UNIQUIP:
        if not set(UNIQUIP_NAME_COLUMNS) & set(chosen):
            return [_("Name (or Description)")]
        return []
    labels = dict(mappable_fields(kind))
    return [str(labels[name]) for name in required_fields(kind) if name not in chosen]


def guess_mapping(kind: str, columns: list[str]) -> dict[str, str]:
    """Each column whose name is a field's name or label, mapped to that field."""
    if kind == ImportKind.UNIQUIP:
        known = {normalise(name): name for name in UNIQUIP_COLUMNS}
        known.update(UNIQUIP_ALIASES)
    else:
        known = {}
        for name, label in mappable_fields(kind):
            known[normalise(name)] = name
            known[normalise(name.replace("_", " "))] = name
            known[normalise(label)] = name
        targets = set(known.values())
        for alias, target in FIELD_ALIASES.items():
            if target in targets:
                known.setdefault(alias, target)
    mapping: dict[str, str] = {}
    for column in columns:
        target = known.get(normalise(column), "")
        # A field is filled from one column: the first that names it.
        if target and target not in mapping.values():
            mapping[column] = target
    return mapping


def import_job_create(
    *,
    user: User,
    upload: UploadedFile,
    kind: str,
    region: Region,
    new_status: str = NewListingStatus.PENDING,
    infrastructure: Infrastructure | None = None,
) -> ImportJob:
    """Store an uploaded spreadsheet and read its columns; ValidationError if the
    file is not a readable CSV or XLSX, or the region (or the listing equipment
    rows naming none belong to) is not the user's."""
    if not permissions.administers_region(user, region.code):
        raise ValidationError({"region": _("This is not one of your regions.")})
    if infrastructure is not None and not permissions.administers_region(
        user, infrastructure.region_id
    ):
        raise ValidationError(
            {"infrastructure": _("This listing is not in one of your regions.")}
        )
    name = upload.name or ""
    try:
        file_format(name)
    except SpreadsheetError as error:
        raise ValidationError({"file": str(error)}) from error
    if (upload.size or 0) > MAX_UPLOAD_BYTES:
        raise ValidationError(
            {"file": _("The file is larger than 20 MB; use the import command.")}
        )
    with transaction.atomic():
        job = ImportJob(
            kind=kind,
            region=region,
            file_name=Path(name).name[:255],
            new_status=new_status,
            infrastructure=infrastructure,
            created_by=user,
        )
        job.file.save(name, upload, save=False)
        try:
            columns, _rows = read_spreadsheet(Path(job.file.path), job.file_name)
        except SpreadsheetError as error:
            job.file.delete(save=False)
            raise ValidationError({"file": str(error)}) from error
        job.columns = columns
        job.full_clean()
        job.save()
    return job


def column_mapping_save(
    *, user: User, region: Region, kind: str, name: str, columns: dict[str, str]
) -> ColumnMapping:
    """Save (or replace) a region's named column mapping."""
    with transaction.atomic():
        mapping, _created = ColumnMapping.objects.update_or_create(
            region=region,
            name=name,
            defaults={"kind": kind, "columns": columns, "created_by": user},
        )
        mapping.full_clean()
    return mapping


def import_job_start(
    *,
    job: ImportJob,
    dry_run: bool,
    mapped_columns: dict[str, str] | None = None,
    mapping: ColumnMapping | None = None,
    accept_duplicates: bool | None = None,
) -> ImportJob:
    """Queue a preview (``dry_run``) or the import itself of ``job``; with
    ``accept_duplicates``, new rows that look like existing listings are
    imported too."""
    from .tasks import import_job_task

    with transaction.atomic():
        if accept_duplicates is not None:
            job.accept_duplicates = accept_duplicates
        if mapped_columns is not None:
            job.mapped_columns = mapped_columns
            job.mapping = mapping
        job.dry_run = dry_run
        job.status = ImportJob.Status.QUEUED
        job.processed_rows = 0
        job.save()
        transaction.on_commit(lambda: import_job_task.enqueue(job.pk))
    return job


def _chunks(rows: Iterator[Cells], size: int) -> Iterator[list[Cells]]:
    while chunk := list(islice(rows, size)):
        yield chunk


def _dataset(
    job: ImportJob,
    resource_class: type[CatalogueResource],
    chunk: list[Cells],
    wanted: Callable[[Row], bool],
) -> tablib.Dataset:
    index = {column: i for i, column in enumerate(job.columns)}
    targets = {
        target: index[column]
        for column, target in job.mapped_columns.items()
        if column in index and target
    }
    # Equipment rows that name no listing belong to the job's one, if chosen.
    listing_column = resource_class.listing_column
    default_listing = job.infrastructure.slug if job.infrastructure else ""
    headers = [
        *targets,
        ROW_NUMBER,
        *resource_class.key_columns,
        *resource_class.derived_columns,
    ]
    if listing_column and default_listing:
        headers.append(listing_column)
    headers = list(dict.fromkeys(headers))
    dataset = tablib.Dataset(headers=headers)
    for number, cells in chunk:
        row = {target: cells[i] for target, i in targets.items()}
        if not wanted(row):
            continue
        if listing_column and default_listing and not row.get(listing_column):
            row[listing_column] = default_listing
        row[ROW_NUMBER] = number
        row = resource_class.prepare(row)
        dataset.append([row.get(header, "") for header in headers])
    return dataset


def import_job_run(
    *,
    job: ImportJob,
    path: Path | None = None,
    progress: Callable[[ImportJob], None] | None = None,
) -> ImportJob:
    """Run the preview or import of ``job`` chunk by chunk, saving its progress and
    report; rows outside the importer's regions are reported as errors.

    ``path`` is the file to read when it is not the job's upload (the command)."""
    job.status, job.started_at = ImportJob.Status.RUNNING, timezone.now()
    job.processed_rows = 0
    path = path or Path(job.file.path)
    # Listings of the chunks committed so far, told to the catalogue at the end.
    written: set[int] = set()
    try:
        job.total_rows = count_rows(path, job.file_name)
        job.save()
        context = ImportContext.load(
            default_region=job.region_id,
            new_status=job.new_status,
            user=job.created_by,
            accept_duplicates=job.accept_duplicates,
        )
        for resource_class, wanted in _passes(job.kind):
            _header, rows = read_spreadsheet(path, job.file_name)
            for chunk in _chunks(rows, CHUNK_ROWS):
                dataset = _dataset(job, resource_class, chunk, wanted)
                resource_class(context=context).import_data(
                    dataset, dry_run=job.dry_run, use_transactions=True
                )
                if not job.dry_run:
                    written |= context.touched
                job.processed_rows += len(dataset)
                job.save(update_fields=["processed_rows", "updated_at"])
                if progress:
                    progress(job)
    except SpreadsheetError as error:
        return _finish(job, status=ImportJob.Status.FAILED, message=str(error))
    except Exception:
        logger.exception("Import %s failed", job.pk)
        _listings_written(job, written)
        _finish(
            job,
            status=ImportJob.Status.FAILED,
            message=_(
                "The import stopped on an unexpected error; nothing more was "
                "written. Rows imported before it are kept."
            ),
        )
        raise
    _report(job, context)
    if job.dry_run:
        return _finish(job, status=ImportJob.Status.PREVIEWED)
    _listings_written(job, written)
    if job.file:
        # The listings now hold what the import needed of the file.
        job.file.delete(save=False)
    return _finish(job, status=ImportJob.Status.DONE)


def _listings_written(job: ImportJob, ids: set[int]) -> None:
    """Tell the catalogue which listings the import wrote, which decides what
    follows (their review, their search records), and keep them with the job."""
    if len(ids) > ANALYZE_AFTER_ROWS:
        # Fresh statistics, or the planner may rebuild the search records of
        # thousands of new rows with a plan made for a few (minutes instead of
        # seconds).
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    listings_changed_in_bulk(infrastructure_ids=ids, source=IMPORT)
    job.infrastructures.add(*ids)


def _report(job: ImportJob, context: ImportContext) -> None:
    job.new_count = context.counts["new"]
    job.updated_count = context.counts["updated"]
    job.unchanged_count = context.counts["unchanged"]
    job.error_count = context.counts["error"]
    job.errors = sorted(context.errors, key=lambda error: error["row"])
    job.unmatched_tags = context.unmatched_report()
    job.report = {
        "duplicates": context.duplicates,
        "incomplete": context.incomplete,
        "incomplete_count": context.incomplete_count,
        "cleaned": {what: len(rows) for what, rows in sorted(context.cleaned.items())},
    }


def _finish(job: ImportJob, *, status: str, message: str = "") -> ImportJob:
    job.status, job.message, job.finished_at = status, message, timezone.now()
    job.save()
    return job


def import_job_preview(
    *,
    job: ImportJob,
    user: User,
    mapped_columns: dict[str, str],
    save_as: str = "",
) -> ImportJob:
    """Queue the preview of ``job`` with these columns, saving them under
    ``save_as`` for the region's next import if a name is given."""
    mapping = None
    if save_as:
        mapping = column_mapping_save(
            user=user,
            region=job.region,
            kind=job.kind,
            name=save_as,
            columns=mapped_columns,
        )
    return import_job_start(
        job=job, dry_run=True, mapped_columns=mapped_columns, mapping=mapping
    )


def import_job_sample(job: ImportJob) -> list[str]:
    """The first data row of the job's file, to show beside its column names."""
    try:
        _header, rows = read_spreadsheet(Path(job.file.path), job.file_name)
        return next(rows, (0, [""] * len(job.columns)))[1]
    except (SpreadsheetError, OSError):
        return [""] * len(job.columns)


def import_job_left_out(
    job: ImportJob, path: Path | None = None
) -> Iterator[list[Any]]:
    """The rows of the job's file that its last run left out, as they were in the
    file, with their row number and reasons in front: the header first. Empty if
    the file is gone (an import that ran to the end keeps no copy)."""
    reasons: dict[int, list[str]] = {}
    for error in job.errors:
        column = f"{error['column']}: " if error["column"] else ""
        reasons.setdefault(error["row"], []).append(f"{column}{error['message']}")
    path = path or (Path(job.file.path) if job.file else None)
    if path is None or not reasons:
        return
    try:
        columns, rows = read_spreadsheet(path, job.file_name)
    except (SpreadsheetError, OSError):
        return
    yield [_("Row"), _("Reason"), *columns]
    for number, cells in rows:
        if number in reasons:
            yield [number, " ".join(reasons[number]), *cells]
