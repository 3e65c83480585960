"""Parsing of untrusted request values: integers and ids from query strings and forms.

``str.isdigit()`` is true for "²" and "٣", which ``int()`` refuses or reads as
digits of another script; only ASCII decimals are numbers here.
"""

import re

_ASCII_DECIMAL = re.compile(r"[0-9]{1,18}")
# The largest value of a BigAutoField (PostgreSQL bigint).
MAX_ID = 2**63 - 1


def parse_int(value: object, *, minimum: int = 0, maximum: int = MAX_ID) -> int | None:
    """``value`` as an integer between ``minimum`` and ``maximum``, else None.

    Only plain ASCII digits count: no sign, spaces, underscores or other scripts.
    """
    if not isinstance(value, str) or not _ASCII_DECIMAL.fullmatch(value):
        return None
    number = int(value)
    return number if minimum <= number <= maximum else None


def parse_id(value: object) -> int | None:
    """``value`` as a primary key (a positive bigint), else None."""
    return parse_int(value, minimum=1)


def parse_ids(values: list[str]) -> list[int]:
    """The valid primary keys among ``values``, in order; the others are dropped."""
    return [pk for value in values if (pk := parse_id(value)) is not None]
