-- A page sorted by name or date walks the sort's index, testing each listing's bit,
-- while that reads fewer listings than the walk limit; otherwise it sorts the results.
(SELECT base.infrastructure_id AS id, base.sort_name, base.updated_at
 FROM catalogue_searchrecord base CROSS JOIN results
 WHERE base.is_published AND (SELECT walk FROM sizes)
    AND {in_results_base}
 ORDER BY {ordering} {limit})
UNION ALL
(SELECT base.infrastructure_id AS id, base.sort_name, base.updated_at
 FROM ({listed}) listed
 JOIN catalogue_searchrecord base ON base.infrastructure_id = listed.id
 WHERE NOT (SELECT walk FROM sizes) AND (SELECT total > 0 FROM sizes)
 ORDER BY {ordering} {limit})
