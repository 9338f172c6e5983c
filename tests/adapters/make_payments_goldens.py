"""Rewrite tests/golden/evoucher and tests/golden/cfx from tests/adapters/payments_samples.py.

Run from the repository root: ``.venv/bin/python -m tests.adapters.make_payments_goldens``. Review the diff
before committing: the golden files are the contract."""

from __future__ import annotations

from pathlib import Path

from adapters.cfx import CfxAdapter
from adapters.evoucher import EVoucherAdapter
from schemas.messages import canonical_json
from tests.adapters.payments_samples import CFX_SAMPLES, EVOUCHER_SAMPLES, cfx_document, evoucher_document

GOLDEN = Path(__file__).resolve().parent.parent / "golden"


def main() -> None:
    for name in EVOUCHER_SAMPLES:
        doc = evoucher_document(name)
        (GOLDEN / "evoucher" / f"{name}.xml").write_bytes(EVoucherAdapter().render(doc))
        (GOLDEN / "evoucher" / f"{name}.expected.json").write_bytes(canonical_json(doc.messages))
    for name in CFX_SAMPLES:
        doc = cfx_document(name)
        (GOLDEN / "cfx" / f"{name}.xml").write_bytes(CfxAdapter().render(doc))
        (GOLDEN / "cfx" / f"{name}.expected.json").write_bytes(canonical_json(doc.messages))


if __name__ == "__main__":
    main()
