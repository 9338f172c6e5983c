"""Payment reconciliation: the three-way chain of vouchers, bank payments and clearing lines.

``columns`` and ``documents`` (the inputs' columns and documents), ``files`` (reading them),
``duckdb_engine`` (the columnar engine), ``reference`` (the pure-Python engine with the same semantics)
and ``report`` (the result model).
"""
