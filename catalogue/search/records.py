"""Rebuilding the search records and texts of listings from the catalogue."""

from collections.abc import Iterable
from functools import cache

from django.db import connection, transaction
from psycopg import sql

from .facets import FACETS, tag_array
from .statements import statement, text


@cache
def _statements() -> tuple[str, str]:
    concepts = [f for f in FACETS.values() if f.source == "concepts"]
    documents = statement("documents").format(
        tags=statement("tags"),
        concept_arrays=sql.SQL(",\n        ").join(
            sql.SQL("array_agg(DISTINCT code) FILTER (WHERE scheme = {}) AS {}").format(
                sql.Literal(f.scheme), sql.Identifier(f.column)
            )
            for f in concepts
        ),
        concept_columns=sql.SQL(", ").join(
            sql.Identifier("t", f.column) for f in concepts
        ),
    )
    columns = [sql.Identifier(f.column) for f in FACETS.values()]
    defaults = {"codes": "'{}'", "levels": "'{}'", "flag": "false"}
    values = [
        sql.SQL("coalesce({}, {})").format(column, sql.SQL(defaults[f.kind]))
        if f.kind in defaults
        else column
        for f, column in zip(FACETS.values(), columns, strict=True)
    ]
    records = statement("upsert_records").format(
        documents=documents,
        tag_array=tag_array(),
        columns=sql.SQL(", ").join(columns),
        values=sql.SQL(", ").join(values),
        updates=sql.SQL(",\n    ").join(
            sql.SQL("{} = EXCLUDED.{}").format(column, column) for column in columns
        ),
    )
    terms = statement("upsert_terms").format(documents=documents)
    return text(records), text(terms)


def refresh(infrastructure_ids: Iterable[int] | None = None) -> None:
    """Rebuild the search records of the given infrastructures, or of all of them."""
    ids = None if infrastructure_ids is None else list(infrastructure_ids)
    params: dict[str, bool | list[int]] = {"all": ids is None, "ids": ids or []}
    records, terms = _statements()
    with transaction.atomic(), connection.cursor() as cursor:
        if ids is None:
            cursor.execute("TRUNCATE catalogue_searchterm")
        cursor.execute(records, params)
        cursor.execute(terms, params)
