-- The total, the page number, every counted tag's count and the page's ids of a
-- search with a text or filters, as rows (kind, key, number).
WITH {matched}
parts AS MATERIALIZED (
    SELECT {parts} FROM (
        SELECT coalesce(
            (SELECT bits FROM catalogue_searchfacetcount
             WHERE tag = 'published:true'),
            B''
        ) AS bits
    ) published
),
-- The results (key ''), and per active facet every condition but its own.
sets (key, bits) AS MATERIALIZED ({sets}),
results AS MATERIALIZED (SELECT bits FROM sets WHERE key = ''),
sizes AS MATERIALIZED (
    SELECT total, page,
        page * %(size)s * published <= %(walk_limit)s * total AS walk
    FROM (
        SELECT total, published, {page_number} AS page FROM (
            SELECT bit_count(results.bits) AS total,
                bit_count(parts.published) AS published
            FROM results, parts
        ) counted
    ) numbered
)
{sizes}
UNION ALL
SELECT 'tag', facet.tag, bit_count(facet.bits & coalesce(own.bits, results.bits))
FROM catalogue_searchfacetcount facet CROSS JOIN results
LEFT JOIN sets own ON own.key <> '' AND own.key = split_part(facet.tag, ':', 1)
WHERE facet.tag = ANY(%(counted)s::text[])
UNION ALL
{page}
