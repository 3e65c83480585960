-- Words of names and tags of published listings feed the "did you mean" suggestions.
{documents}
INSERT INTO catalogue_searchterm (word, frequency)
SELECT word, count(DISTINCT id) FROM documents,
    regexp_split_to_table(lower(unaccent(text_a || ' ' || text_b)), '[^[:alnum:]]+') word
WHERE is_published AND length(word) BETWEEN 3 AND 100 AND word !~ '^[0-9]+$'
GROUP BY word
ON CONFLICT (word) DO UPDATE SET frequency = EXCLUDED.frequency
