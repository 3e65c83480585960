{documents},
texts AS (
    INSERT INTO catalogue_searchtext (infrastructure_id, document, rank_document)
    SELECT id,
        strip(to_tsvector('rii', concat_ws(' ', text_a, text_b, text_c, text_d))),
        setweight(to_tsvector('rii', text_a), 'A')
        || setweight(to_tsvector('rii', tag_words), 'B')
        || setweight(to_tsvector('rii', summary), 'C')
    FROM documents
    ON CONFLICT (infrastructure_id) DO UPDATE SET
        document = EXCLUDED.document, rank_document = EXCLUDED.rank_document
)
INSERT INTO catalogue_searchrecord (
    infrastructure_id, is_published, sort_name, updated_at, shortest_lead_time_days,
    facet_tags, {columns}
)
SELECT id, is_published, sort_name, updated_at, shortest_lead_time_days,
    facet_tags, {values}
FROM (
    SELECT documents.*, {tag_array} AS facet_tags FROM documents
) documents
ON CONFLICT (infrastructure_id) DO UPDATE SET
    is_published = EXCLUDED.is_published,
    sort_name = EXCLUDED.sort_name,
    updated_at = EXCLUDED.updated_at,
    shortest_lead_time_days = EXCLUDED.shortest_lead_time_days,
    facet_tags = EXCLUDED.facet_tags,
    {updates}
