"""Reconciliation runs from the store: :mod:`.runs` (the bookkeeping every kind shares), :mod:`.kinds` (what a
kind supplies, the table's type) and one strategy module per kind (:mod:`.indicators`, :mod:`.payments`,
:mod:`.statements`)."""
