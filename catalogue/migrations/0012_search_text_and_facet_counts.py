import django.contrib.postgres.indexes
import django.contrib.postgres.search
import django.db.models.deletion
from django.db import migrations, models

# The facet totals of the whole published catalogue, adjusted by every statement that
# writes search records from its transition tables, so that a refresh of 20,000 records
# is one set-based update. Tags are upserted in order: concurrent writers lock them in
# the same order and cannot deadlock. One function per event, since each event has its
# own transition tables.
OLD = "SELECT unnest(facet_tags) AS tag, -1 AS n FROM old_records WHERE is_published"
NEW = "SELECT unnest(facet_tags) AS tag, 1 AS n FROM new_records WHERE is_published"
EVENTS = {
    "insert": ("REFERENCING NEW TABLE AS new_records", NEW),
    "update": (
        "REFERENCING OLD TABLE AS old_records NEW TABLE AS new_records",
        f"{OLD} UNION ALL {NEW}",
    ),
    "delete": ("REFERENCING OLD TABLE AS old_records", OLD),
}


def _count_facets(event: str, transition: str, delta: str) -> str:
    name = f"catalogue_searchrecord_facets_{event}"
    return f"""
CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO catalogue_searchfacetcount AS total (tag, count)
        SELECT tag, sum(n) FROM ({delta}) delta
        GROUP BY tag HAVING sum(n) <> 0 ORDER BY tag
        ON CONFLICT (tag) DO UPDATE SET count = total.count + EXCLUDED.count;
    RETURN NULL;
END $$;
CREATE TRIGGER {name} AFTER {event.upper()} ON catalogue_searchrecord {transition}
    FOR EACH STATEMENT EXECUTE FUNCTION {name}();
"""


COUNT_FACETS = (
    "".join(
        _count_facets(event, transition, delta)
        for event, (transition, delta) in EVENTS.items()
    )
    + """
CREATE FUNCTION catalogue_searchrecord_facets_truncate() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM catalogue_searchfacetcount;
    RETURN NULL;
END $$;
CREATE TRIGGER catalogue_searchrecord_facets_truncate
    AFTER TRUNCATE ON catalogue_searchrecord
    FOR EACH STATEMENT EXECUTE FUNCTION catalogue_searchrecord_facets_truncate();

INSERT INTO catalogue_searchfacetcount (tag, count)
    SELECT tag, count(*) FROM catalogue_searchrecord, unnest(facet_tags) tag
    WHERE is_published GROUP BY tag;
"""
)

DROP_COUNT_FACETS = "".join(
    f"DROP TRIGGER catalogue_searchrecord_facets_{event} ON catalogue_searchrecord;"
    f"DROP FUNCTION catalogue_searchrecord_facets_{event}();"
    for event in [*EVENTS, "truncate"]
)

# The infrastructures whose text matches a query, through the GIN index, with their
# rank when asked. The planner prefers a sequential scan when most texts match, but
# that reads every document from TOAST storage (about four times slower than the
# index on a 20,000-listing catalogue); the function's own setting keeps the index for
# the one statement it runs.
MATCH = """
CREATE FUNCTION catalogue_search_match(query tsquery, ranked boolean)
RETURNS TABLE (id bigint, rank real)
LANGUAGE sql STABLE PARALLEL SAFE
SET enable_seqscan = off
AS $$
    SELECT infrastructure_id,
        CASE WHEN ranked THEN ts_rank(rank_document, query) END
    FROM catalogue_searchtext WHERE document @@ query
$$;
"""

DROP_MATCH = "DROP FUNCTION catalogue_search_match(tsquery, boolean);"

# Ranking reads the rank vector of every match: keep it in the row. The texts are
# copied from the search records, which lose them. Without the texts a search record
# is about 1.5 kB: let it reach 4 kB before its arrays are compressed, since counting
# reads them for thousands of records at a time.
SEARCH_TEXT = """
ALTER TABLE catalogue_searchtext ALTER COLUMN rank_document SET STORAGE MAIN;
ALTER TABLE catalogue_searchrecord SET (toast_tuple_target = 4080);
INSERT INTO catalogue_searchtext (infrastructure_id, document, rank_document)
    SELECT infrastructure_id, document, coalesce(rank_document, ''::tsvector)
    FROM catalogue_searchrecord;
"""


class Migration(migrations.Migration):
    dependencies = [
        ("catalogue", "0011_history_and_moderation_decisions"),
    ]

    operations = [
        migrations.CreateModel(
            name="SearchFacetCount",
            fields=[
                (
                    "tag",
                    models.CharField(max_length=200, primary_key=True, serialize=False),
                ),
                ("count", models.IntegerField(default=0)),
            ],
            options={
                "verbose_name": "search facet count",
                "verbose_name_plural": "search facet counts",
            },
        ),
        migrations.CreateModel(
            name="SearchText",
            fields=[
                (
                    "infrastructure",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="search_text",
                        serialize=False,
                        to="catalogue.infrastructure",
                    ),
                ),
                ("document", django.contrib.postgres.search.SearchVectorField()),
                ("rank_document", django.contrib.postgres.search.SearchVectorField()),
            ],
            options={
                "verbose_name": "search text",
                "verbose_name_plural": "search texts",
            },
        ),
        migrations.RunSQL(SEARCH_TEXT, migrations.RunSQL.noop),
        migrations.RemoveIndex(
            model_name="searchrecord",
            name="search_document_gin",
        ),
        migrations.AddIndex(
            model_name="searchtext",
            index=django.contrib.postgres.indexes.GinIndex(
                fields=["document"], name="search_text_document_gin"
            ),
        ),
        migrations.RemoveField(
            model_name="searchrecord",
            name="document",
        ),
        migrations.RemoveField(
            model_name="searchrecord",
            name="rank_document",
        ),
        migrations.RunSQL(COUNT_FACETS, DROP_COUNT_FACETS),
        migrations.RunSQL(MATCH, DROP_MATCH),
    ]
