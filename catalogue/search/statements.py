"""The named SQL statements and fragments of ``sql/``, read once."""

from functools import cache
from pathlib import Path

from psycopg import sql

_DIRECTORY = Path(__file__).with_name("sql")


@cache
def statement(name: str) -> sql.SQL:
    """``sql/<name>.sql``, to be composed with ``.format()``."""
    return sql.SQL(_DIRECTORY.joinpath(f"{name}.sql").read_text().strip())


def text(composed: sql.Composable) -> str:
    """A composed statement as the text to execute with ``%(name)s`` parameters."""
    return composed.as_string(None)
