-- The ids of the page's rows (already in order and limited), with their positions.
SELECT 'page', id::text, row_number() OVER (ORDER BY {ordering})
FROM ({rows}) page
