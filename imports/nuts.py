"""NUTS 2021 codes in partners' spreadsheets, read as the NUTS 2024 codes we store.

Eurostat's changes table lists each 2021 code that changed: a new code, or a boundary
shift followed by the new region that replaces it (same name), or a split or merger,
which has no single successor.
"""

import csv
from functools import cache

from django.utils.translation import gettext as _

from catalogue.reference import REFERENCE_DIR

_CHANGES = REFERENCE_DIR / "nuts2021_to_2024_changes.csv"


def _label(row: dict) -> str:
    return row["nuts1_label"] or row["nuts2_label"] or row["nuts3_label"]


@cache
def nuts2021_successors() -> dict[str, str | None]:
    """Each NUTS 2021 code that changed and its NUTS 2024 code (None: no single one)."""
    with open(_CHANGES, encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    successors: dict[str, str | None] = {}
    for i, row in enumerate(rows):
        old, new, change = row["code_2021"], row["code_2024"], row["change"]
        if not old or old == new:
            continue
        if change == "Code change":
            successors[old] = new
            continue
        successors[old] = None
        if change == "Boundary shift":
            for following in rows[i + 1 :]:
                if following["change"] != "New region":
                    break
                if _label(following) == _label(row):
                    successors[old] = following["code_2024"]
    return successors


def to_nuts2024(code: str, known: set[str]) -> str:
    """The NUTS 2024 code for ``code`` (2021 or 2024); ValueError if there is none.

    ``known`` holds the NUTS 2024 codes of the catalogue's regions.
    """
    code = "".join(code.split()).upper()
    if code in known:
        return code
    successors = nuts2021_successors()
    if code in successors:
        successor = successors[code]
        if successor is None:
            raise ValueError(
                _(
                    "The NUTS 2021 region %(code)s was split or merged in NUTS 2024; "
                    "give its NUTS 2024 code."
                )
                % {"code": code}
            )
        return successor
    raise ValueError(_("Unknown NUTS region code “%(code)s”.") % {"code": code})
