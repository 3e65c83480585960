SELECT 'total', NULL, total FROM sizes
UNION ALL SELECT 'page_number', NULL, page FROM sizes
