least(%(page)s, greatest(ceil(total / %(size)s::numeric), 1))::int
