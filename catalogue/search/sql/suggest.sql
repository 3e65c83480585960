-- Each word of the query, or the most similar word of the catalogue.
SELECT coalesce(best.word, w.word)
FROM unnest(%s::text[]) WITH ORDINALITY AS w(word, n)
LEFT JOIN LATERAL (
    SELECT t.word FROM catalogue_searchterm t
    WHERE t.word %% lower(unaccent(w.word))
    ORDER BY similarity(t.word, lower(unaccent(w.word))) DESC,
        t.frequency DESC
    LIMIT 1
) best ON true
ORDER BY w.n
