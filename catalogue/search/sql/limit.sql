LIMIT %(size)s OFFSET (SELECT (page - 1) * %(size)s FROM sizes)
