-- Ranked matches down to the page's last, with ties; then their names.
SELECT ranked.id, base.sort_name, base.updated_at, ranked.rank FROM (
    SELECT id, rank FROM matched CROSS JOIN results
    WHERE {in_results_id}
    ORDER BY rank DESC
    FETCH FIRST (SELECT page * %(size)s FROM sizes) ROWS WITH TIES
) ranked
JOIN catalogue_searchrecord base ON base.infrastructure_id = ranked.id
ORDER BY {ordering} {limit}
