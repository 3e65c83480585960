SELECT n AS id FROM results, generate_series(0, length(results.bits) - 1) n
WHERE get_bit(results.bits, n) = 1
