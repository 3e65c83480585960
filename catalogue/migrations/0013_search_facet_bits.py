from importlib import import_module

from django.db import migrations

import catalogue.models

counts = import_module("catalogue.migrations.0012_search_text_and_facet_counts")

# Which published listings carry each facet value: bit n of a tag's bits is listing n.
# A search ANDs them with a bit string of its results and counts the bits set, instead
# of reading every result's tags. All rows share one width, a multiple of 8,192 bits,
# grown when a listing's id passes it. Every statement that writes search records
# passes its changes, (tag, id, bit) triples, to one function; writers take turns, so
# that a growth never meets a concurrent change.
SET_BITS = """
CREATE FUNCTION catalogue_searchfacet_set(
    changed_tags text[], changed_ids bigint[], changed_bits int[]
) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    width int;
    needed int;
    change record;
    posting varbit;
    n int;
BEGIN
    IF changed_tags IS NULL THEN
        RETURN;
    END IF;
    LOCK TABLE catalogue_searchfacetcount IN SHARE ROW EXCLUSIVE MODE;
    SELECT coalesce(max(length(f.bits)), 0) INTO width
        FROM catalogue_searchfacetcount f;
    SELECT max(id) + 1 INTO needed FROM unnest(changed_ids) id;
    IF needed > width THEN
        needed := (needed + 8191) / 8192 * 8192;
        UPDATE catalogue_searchfacetcount f
            SET bits = f.bits || repeat('0', needed - width)::varbit;
        width := needed;
    END IF;
    FOR change IN
        SELECT c.tag, array_agg(c.id) AS ids, array_agg(c.bit) AS bits
        FROM unnest(changed_tags, changed_ids, changed_bits) AS c(tag, id, bit)
        GROUP BY c.tag
    LOOP
        SELECT f.bits INTO posting FROM catalogue_searchfacetcount f
            WHERE f.tag = change.tag;
        posting := coalesce(posting, repeat('0', width)::varbit);
        FOR n IN 1 .. cardinality(change.ids) LOOP
            posting := set_bit(posting, change.ids[n]::int, change.bits[n]);
        END LOOP;
        INSERT INTO catalogue_searchfacetcount AS f (tag, count, bits)
            VALUES (change.tag, bit_count(posting), posting)
            ON CONFLICT (tag) DO UPDATE SET count = EXCLUDED.count, bits = EXCLUDED.bits;
    END LOOP;
END $$;
"""

OLD = "SELECT infrastructure_id AS id, unnest(facet_tags) AS tag FROM old_records "
NEW = "SELECT infrastructure_id AS id, unnest(facet_tags) AS tag FROM new_records "
PUBLISHED = "WHERE is_published"
EVENTS = {
    "insert": (
        "REFERENCING NEW TABLE AS new_records",
        f"SELECT *, 1 AS bit FROM ({NEW} {PUBLISHED}) added",
    ),
    "update": (
        "REFERENCING OLD TABLE AS old_records NEW TABLE AS new_records",
        f"""
        SELECT *, 1 AS bit FROM ({NEW} {PUBLISHED} EXCEPT {OLD} {PUBLISHED}) added
        UNION ALL
        SELECT *, 0 FROM ({OLD} {PUBLISHED} EXCEPT {NEW} {PUBLISHED}) removed
        """,
    ),
    "delete": (
        "REFERENCING OLD TABLE AS old_records",
        f"SELECT *, 0 AS bit FROM ({OLD} {PUBLISHED}) removed",
    ),
}


def _set_bits(event: str, transition: str, changes: str) -> str:
    name = f"catalogue_searchrecord_facets_{event}"
    return f"""
CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM catalogue_searchfacet_set(array_agg(tag), array_agg(id), array_agg(bit))
        FROM ({changes}) changes;
    RETURN NULL;
END $$;
CREATE TRIGGER {name} AFTER {event.upper()} ON catalogue_searchrecord {transition}
    FOR EACH STATEMENT EXECUTE FUNCTION {name}();
"""


# A bit string of ``width`` bits with the bits of ``ids`` set: per id, in order, the
# zeros since the previous one and a one. Builds in one pass what a search or the
# filling below needs.
BITS = """
CREATE FUNCTION catalogue_search_bits(ids bigint[], width int) RETURNS varbit
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT rpad(
        coalesce(string_agg(repeat('0', (id - previous - 1)::int) || '1', ''
            ORDER BY id), ''),
        width, '0')::varbit
    FROM (
        SELECT id, lag(id, 1, -1::bigint) OVER (ORDER BY id) AS previous
        FROM (SELECT DISTINCT unnest(ids) AS id) distinct_ids
    ) ids
$$;
"""

FILL = """
DELETE FROM catalogue_searchfacetcount;
INSERT INTO catalogue_searchfacetcount (tag, count, bits)
SELECT tag, bit_count(bits), bits FROM (
    SELECT tag, catalogue_search_bits(array_agg(infrastructure_id), (
        SELECT (max(infrastructure_id)::int + 8192) / 8192 * 8192
        FROM catalogue_searchrecord
    )) AS bits
    FROM catalogue_searchrecord, unnest(facet_tags) tag
    WHERE is_published
    GROUP BY tag
) postings;
"""

SET_FACET_BITS = (
    counts.DROP_COUNT_FACETS
    + SET_BITS
    + BITS
    + "".join(
        _set_bits(event, transition, changes)
        for event, (transition, changes) in EVENTS.items()
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
"""
    + FILL
)

COUNT_FACETS = (
    counts.DROP_COUNT_FACETS
    + "DROP FUNCTION catalogue_searchfacet_set(text[], bigint[], int[]);"
    + "DROP FUNCTION catalogue_search_bits(bigint[], int);"
    # The totals are filled again as migration 0012 did, before the bits are dropped.
    + "DELETE FROM catalogue_searchfacetcount;"
    + "ALTER TABLE catalogue_searchfacetcount ALTER COLUMN bits SET DEFAULT B'';"
    + counts.COUNT_FACETS
)


class Migration(migrations.Migration):
    dependencies = [
        ("catalogue", "0012_search_text_and_facet_counts"),
    ]

    operations = [
        migrations.AddField(
            model_name="searchfacetcount",
            name="bits",
            field=catalogue.models.BitStringField(default="", editable=False),
        ),
        migrations.RunSQL(SET_FACET_BITS, COUNT_FACETS),
    ]
