"""Read a CSV or XLSX spreadsheet row by row.

django-import-export's formats load a whole file into one dataset; a partner's
mapping can have tens of thousands of rows, so rows are streamed here and handed to
the resources in chunks.
"""

import codecs
import csv
import datetime
from collections.abc import Iterator
from pathlib import Path

from django.utils.translation import gettext as _

FORMATS = {".csv": "csv", ".xlsx": "xlsx"}
DELIMITERS = ",;\t|"


class SpreadsheetError(ValueError):
    """The file cannot be read as a spreadsheet; the message says why."""


def file_format(name: str) -> str:
    try:
        return FORMATS[Path(name).suffix.lower()]
    except KeyError:
        raise SpreadsheetError(_("Upload a CSV or an Excel (.xlsx) file.")) from None


def detect_encoding(path: Path) -> str:
    """UTF-8 (with or without a byte-order mark) if the whole file decodes as such,
    else Windows-1252, what Excel writes in western Europe."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    with open(path, "rb") as f:
        try:
            while block := f.read(1024 * 1024):
                decoder.decode(block)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            return "cp1252"
    return "utf-8-sig"


def _csv_rows(path: Path) -> Iterator[list[str]]:
    encoding = detect_encoding(path)
    # Bytes Windows-1252 leaves undefined are kept as replacement characters.
    with open(path, encoding=encoding, errors="replace", newline="") as f:
        # The header names the columns without quoting separators, so its most
        # frequent separator is the file's (Excel writes ";" in much of Europe).
        header = ""
        while not header.strip() and (line := f.readline()):
            header = line
        f.seek(0)
        delimiter = max(DELIMITERS, key=header.count)
        if not header.count(delimiter):
            delimiter = ","
        try:
            yield from csv.reader(f, delimiter=delimiter)
        except csv.Error as error:
            raise SpreadsheetError(
                _("The CSV file could not be read: %(error)s") % {"error": error}
            ) from error


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()
    return str(value)


def _xlsx_rows(path: Path) -> Iterator[list[str]]:
    from openpyxl import load_workbook  # type: ignore[import-untyped]

    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds for a damaged file
        raise SpreadsheetError(
            _("The Excel file could not be read; save it again as .xlsx.")
        ) from error
    try:
        for row in workbook.active.iter_rows(values_only=True):
            yield [_cell(value) for value in row]
    finally:
        workbook.close()


def _raw_rows(path: Path, name: str) -> Iterator[list[str]]:
    if file_format(name) == "csv":
        return _csv_rows(path)
    return _xlsx_rows(path)


Row = tuple[int, list[str]]


def read_spreadsheet(path: Path, name: str) -> tuple[list[str], Iterator[Row]]:
    """The header and an iterator over the data rows of the file at ``path``, each
    with its row number in the spreadsheet (the header is row 1 if it comes first).

    Cells are stripped of stray whitespace; blank rows are left out; every row has
    as many cells as the header.
    """
    rows = enumerate(_raw_rows(path, name), 1)
    header = next(
        (
            [cell.strip() for cell in row]
            for _number, row in rows
            if any(cell.strip() for cell in row)
        ),
        None,
    )
    if header is None:
        raise SpreadsheetError(_("The file has no rows."))
    while header and not header[-1]:
        header.pop()
    header = [name or _("Column %(n)s") % {"n": i} for i, name in enumerate(header, 1)]
    duplicates = sorted({name for name in header if header.count(name) > 1})
    if duplicates:
        raise SpreadsheetError(
            _("Column names must differ; these appear twice: %(names)s")
            % {"names": ", ".join(duplicates)}
        )
    return header, _data_rows(rows, len(header))


def _data_rows(rows: Iterator[Row], width: int) -> Iterator[Row]:
    for number, row in rows:
        cells = [cell.strip() for cell in row[:width]]
        if any(cells):
            yield number, cells + [""] * (width - len(cells))


def count_rows(path: Path, name: str) -> int:
    return sum(1 for _row in read_spreadsheet(path, name)[1])
