-- Up to per_listing services or equipment items per infrastructure that match,
-- best first, their names with the matched words between markers.
SELECT kind, infrastructure_id, slug,
       ts_headline('rii', name, q, %(options)s) AS name
FROM (
    SELECT *, row_number() OVER (
        PARTITION BY infrastructure_id ORDER BY rank DESC, name
    ) AS position
    FROM (
        SELECT 'service' AS kind, infrastructure_id, slug, name,
               ts_rank(document, q) AS rank, q
        FROM catalogue_service, to_tsquery('rii', %(query)s) q
        WHERE infrastructure_id = ANY(%(ids)s) AND document @@ q
        UNION ALL
        SELECT 'equipment', infrastructure_id, slug,
               concat_ws(' · ', name, nullif(technique, '')),
               ts_rank(document, q), q
        FROM catalogue_equipment, to_tsquery('rii', %(query)s) q
        WHERE infrastructure_id = ANY(%(ids)s) AND document @@ q
    ) found
) ranked
WHERE position <= %(per_listing)s
ORDER BY infrastructure_id, position
