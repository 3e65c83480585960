"""Spreadsheets for the import tests, and a helper to run an import to the end."""

import csv
import io
from collections.abc import Sequence
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook  # type: ignore[import-untyped]

from accounts.models import User
from catalogue.models import Infrastructure, Region
from imports.models import ImportJob
from imports.services import (
    guess_mapping,
    import_job_create,
    import_job_run,
)

CSV_TYPE = "text/csv"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def csv_file(
    rows: list[list[str]],
    *,
    name: str = "riis.csv",
    delimiter: str = ",",
    encoding: str = "utf-8",
) -> SimpleUploadedFile:
    text = io.StringIO()
    csv.writer(text, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
    return SimpleUploadedFile(name, text.getvalue().encode(encoding), CSV_TYPE)


def xlsx_file(rows: Sequence[Any], *, name: str = "riis.xlsx") -> SimpleUploadedFile:
    workbook = Workbook()
    for row in rows:
        workbook.active.append(row)
    content = io.BytesIO()
    workbook.save(content)
    return SimpleUploadedFile(name, content.getvalue(), XLSX_TYPE)


def run_import(
    upload: SimpleUploadedFile,
    *,
    user: User,
    kind: str = "infrastructures",
    region: str = "ITH5",
    mapping: dict[str, str] | None = None,
    dry_run: bool = False,
    new_status: str = "pending",
    infrastructure: Infrastructure | None = None,
    accept_duplicates: bool = False,
) -> ImportJob:
    """Upload, map (by the column names unless ``mapping`` is given) and run."""
    job = import_job_create(
        user=user,
        upload=upload,
        kind=kind,
        region=Region.objects.get(code=region),
        new_status=new_status,
        infrastructure=infrastructure,
    )
    job.mapped_columns = mapping or guess_mapping(kind, job.columns)
    job.accept_duplicates = accept_duplicates
    job.dry_run = dry_run
    job.save()
    return import_job_run(job=job)


def parse_csv(content: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(content.decode("utf-8-sig"))))
