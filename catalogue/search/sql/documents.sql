-- What the search records and texts of the target infrastructures are made of: one
-- row per infrastructure, its facet columns named as SearchRecord's.
WITH target AS (
    SELECT id FROM catalogue_infrastructure WHERE %(all)s OR id = ANY(%(ids)s)
),
tags AS (
    SELECT id,
        string_agg(DISTINCT words, ' ') AS words,
        {concept_arrays}
    FROM ({tags}) tag
    WHERE id IN (SELECT id FROM target)
    GROUP BY id
),
services AS (
    SELECT infrastructure_id AS id,
        string_agg(name, ' ') AS names,
        string_agg(description, ' ') AS descriptions,
        array_agg(DISTINCT price_band) AS price_bands,
        bool_or(sme_rate_available) AS has_sme_rate,
        min(lead_time_days) AS shortest_lead_time_days,
        (SELECT array_agg(DISTINCT level ORDER BY level)
         FROM catalogue_service s2, generate_series(s2.trl_from::int, s2.trl_to::int) level
         WHERE s2.infrastructure_id = s.infrastructure_id) AS trl_levels
    FROM catalogue_service s
    WHERE infrastructure_id IN (SELECT id FROM target)
    GROUP BY infrastructure_id
),
equipment AS (
    SELECT infrastructure_id AS id,
        string_agg(name, ' ') AS names,
        string_agg(concat_ws(' ', technique, manufacturer, model), ' ') AS details,
        string_agg(description, ' ') AS descriptions
    FROM catalogue_equipment
    WHERE infrastructure_id IN (SELECT id FROM target)
    GROUP BY infrastructure_id
),
documents AS (
    SELECT i.id,
        i.status = 'published' AS is_published,
        lower(i.name) AS sort_name,
        i.updated_at,
        concat_ws(' ', i.name, i.acronym, s.names, e.names) AS text_a,
        concat_ws(' ', t.words, e.details, h.name, i.city, regions.names) AS text_b,
        concat_ws(' ', i.summary, s.descriptions) AS text_c,
        i.summary,
        coalesce(t.words, '') AS tag_words,
        concat_ws(' ', i.description, i.sme_offer, e.descriptions) AS text_d,
        region.country_code AS country,
        regions.codes AS regions,
        regions.is_partner,
        {concept_columns},
        s.price_bands, s.trl_levels, s.has_sme_rate, s.shortest_lead_time_days
    FROM catalogue_infrastructure i
    LEFT JOIN accounts_organisation h ON h.id = i.host_id
    JOIN catalogue_region region ON region.code = i.region_id
    CROSS JOIN LATERAL (
        SELECT array_agg(r.code ORDER BY r.level) AS codes,
               string_agg(concat_ws(' ', r.name, r.name_en), ' ') AS names,
               bool_or(r.is_partner) AS is_partner
        FROM catalogue_region r
        WHERE r.code IN (
            SELECT left(i.region_id, n) FROM generate_series(2, length(i.region_id)) n
        )
    ) regions
    LEFT JOIN tags t ON t.id = i.id
    LEFT JOIN services s ON s.id = i.id
    LEFT JOIN equipment e ON e.id = i.id
    WHERE i.id IN (SELECT id FROM target)
)
