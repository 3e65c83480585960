-- No text, no filter: the catalogue's totals, and a page read along an index.
WITH sizes AS MATERIALIZED (
    SELECT total, {page_number} AS page FROM (
        SELECT count(*) AS total FROM catalogue_searchrecord
        WHERE is_published
    ) counted
)
{sizes}
UNION ALL SELECT 'tag', tag, count FROM catalogue_searchfacetcount
    WHERE tag = ANY(%(counted)s::text[])
UNION ALL {page}
