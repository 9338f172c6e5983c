"""Statement reconciliation (凭证对账): the 3501 / 3502 对账单 and 3510 清算额度对账 a counterpart sent,
against what the gateway holds.

``columns`` (the inputs as plain column lists, integer fen), ``duckdb_engine`` (the columnar engine),
``reference`` (the pure-Python engine with the same rules, read its docstring for them) and ``report`` (the
result model).
"""
