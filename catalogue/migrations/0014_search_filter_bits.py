from importlib import import_module

from django.contrib.postgres.fields import ArrayField
from django.db import migrations, models

bits = import_module("catalogue.migrations.0013_search_facet_bits")

# A search record's tags become every value its listing can be filtered on, not only
# those the search page counts: KETs of both collections, regions at every NUTS level,
# scientific subdomains, technology readiness levels, and "published:true". A search
# then filters by ORing and ANDing the tags' bit strings, as it counts. The tags are a
# function of the record's other columns; the updates below rewrite them, and the
# triggers of migration 0013 set the bits of the new tags.
TAGS = """
UPDATE catalogue_searchrecord SET facet_tags = ARRAY(
    SELECT 'published:true' WHERE is_published
    UNION ALL SELECT 'ket:' || x FROM unnest(kets) x {ket}
    UNION ALL SELECT 'country:' || country
    UNION ALL SELECT 'region:' || x FROM unnest(regions) x {region}
    UNION ALL SELECT 'partner:true' WHERE is_partner
    UNION ALL SELECT 'type:' || x FROM unnest(types) x
    UNION ALL SELECT 'service_type:' || x FROM unnest(service_types) x
    UNION ALL SELECT 'equipment:' || x FROM unnest(equipment_categories) x
    UNION ALL SELECT 'access:' || x FROM unnest(access_modes) x
    UNION ALL SELECT 'price:' || x FROM unnest(price_bands) x
    UNION ALL SELECT 'sme_rate:true' WHERE has_sme_rate
    UNION ALL SELECT 'trl:' || x FROM unnest(trl_levels) x
    UNION ALL SELECT 'language:' || x FROM unnest(languages) x
    UNION ALL SELECT 'domain:' || x FROM unnest(scientific_domains) x {domain}
    UNION ALL SELECT 'nabs:' || x FROM unnest(nabs) x
    UNION ALL SELECT 'nace:' || x FROM unnest(nace) x
);
"""

FILTER_TAGS = TAGS.format(ket="", region="", domain="")

# Before: 2018 KETs, regions at NUTS level 2 and partner regions, top-level domains.
COUNTED_TAGS = (
    TAGS.replace("SELECT 'published:true' WHERE is_published\n    UNION ALL ", "")
    .replace("    UNION ALL SELECT 'trl:' || x FROM unnest(trl_levels) x\n", "")
    .format(
        ket="WHERE x IN (SELECT code FROM catalogue_concept "
        "WHERE scheme = 'ket' AND collection = '2018')",
        region="WHERE x IN (SELECT code FROM catalogue_region "
        "WHERE level = 2 OR is_partner)",
        domain="WHERE x IN (SELECT code FROM catalogue_concept "
        "WHERE scheme = 'scientific_domain' AND parent_id IS NULL)",
    )
    + "DELETE FROM catalogue_searchfacetcount WHERE count = 0;"
)

# The bit string of a set of ids, built 64 bits at a time: about twice as fast as the
# string of 0013 for the thousands of ids a common word matches. Ids at or past
# ``width`` are left out.
FAST_BITS = """
CREATE OR REPLACE FUNCTION catalogue_search_bits(ids bigint[], width int)
RETURNS varbit LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT rpad(
        coalesce(string_agg(
            repeat('0', ((word - previous - 1) * 64)::int) || bits::bit(64)::text, ''
            ORDER BY word), ''),
        width, '0')::varbit
    FROM (
        SELECT word, bits, lag(word, 1, -1::bigint) OVER (ORDER BY word) AS previous
        FROM (
            SELECT id / 64 AS word, bit_or(1::bigint << (63 - id % 64)::int) AS bits
            FROM unnest(ids) id WHERE id >= 0 GROUP BY 1
        ) words
    ) filled
$$;
"""

SLOW_BITS = bits.BITS.replace("CREATE FUNCTION", "CREATE OR REPLACE FUNCTION")


class Migration(migrations.Migration):
    dependencies = [
        ("catalogue", "0013_search_facet_bits"),
    ]

    operations = [
        migrations.AlterField(
            model_name="searchrecord",
            name="facet_tags",
            field=ArrayField(
                base_field=models.CharField(max_length=200),
                default=list,
                help_text="facet:value pairs a search filters on and counts",
                size=None,
            ),
        ),
        migrations.RunSQL(FAST_BITS, SLOW_BITS),
        migrations.RunSQL(FILTER_TAGS, COUNTED_TAGS),
    ]
