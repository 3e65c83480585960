SELECT infrastructure_id AS id, sort_name, updated_at FROM catalogue_searchrecord
WHERE is_published ORDER BY {ordering} {limit}
