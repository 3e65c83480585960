matched AS MATERIALIZED (
    SELECT id, rank FROM catalogue_search_match(to_tsquery('rii', %(query)s), %(ranked)s)
),
