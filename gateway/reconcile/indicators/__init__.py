"""Indicator reconciliation: upper- vs lower-level BA_BGT_INFO snapshots.

``ledger_columns`` (the columns and their cell rules), ``duckdb_engine`` (the columnar engine), ``reference``
(the pure-Python engine with the same semantics) and ``report`` (the result model).
"""
