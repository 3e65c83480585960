CASE WHEN {id} < length(results.bits)
THEN get_bit(results.bits, {id}::int) = 1 ELSE false END
