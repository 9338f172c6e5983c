"""An explicit table of adapters. Identifying a document by its bytes: exactly one adapter must claim it;
two claims are an error, never a guess (beangulp's rule). An XML document whose prolog declares a DOCTYPE is
claimed by no sniffer; it is refused as ``dtd_forbidden`` (never parsed) rather than as an unknown format.
Bytes no adapter claims are an :class:`UnrecognisedFormat` saying why (:mod:`adapters.diagnosis`)."""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache

from adapters._xml import doctype_in_prolog
from adapters.base import Adapter
from adapters.diagnosis import explain
from adapters.errors import AmbiguousFormat, MalformedDocument, UnknownFormat


class AdapterRegistry:
    def __init__(self, adapters: Iterable[Adapter]) -> None:
        self._by_format: dict[str, Adapter] = {}
        for adapter in adapters:
            if adapter.format in self._by_format:
                raise ValueError(f"duplicate adapter format {adapter.format!r}")
            self._by_format[adapter.format] = adapter

    @property
    def formats(self) -> tuple[str, ...]:
        return tuple(sorted(self._by_format))

    def get(self, format_name: str) -> Adapter:
        try:
            return self._by_format[format_name]
        except KeyError:
            known = ", ".join(self.formats)
            raise UnknownFormat(f"no adapter for format {format_name!r} (known: {known})") from None

    def identify(self, raw: bytes) -> Adapter:
        matches = [a for a in self._by_format.values() if a.identify(raw)]
        if len(matches) > 1:
            names = ", ".join(sorted(a.format for a in matches))
            raise AmbiguousFormat(f"document is claimed by more than one adapter: {names}")
        if not matches:
            if doctype_in_prolog(raw):  # no sniffer looks past a DOCTYPE: name the real reason
                raise MalformedDocument("dtd_forbidden", "DOCTYPE / DTD declarations are not accepted")
            raise explain(raw, list(self._by_format.values()))  # why not: empty, binary, root, parse error…
        return matches[0]


def all_adapters() -> list[Adapter]:
    """Every adapter the gateway ships, listed explicitly (one import per format)."""
    from adapters.cfx import CfxAdapter
    from adapters.csv_ledger import CsvLedgerAdapter
    from adapters.evoucher import EVoucherAdapter
    from adapters.mof import MofJsonAdapter, MofXmlAdapter
    from adapters.xlsx_ledger import XlsxLedgerAdapter

    adapters: list[Adapter] = [MofJsonAdapter(), MofXmlAdapter(), CsvLedgerAdapter(), XlsxLedgerAdapter()]
    adapters += [EVoucherAdapter(), CfxAdapter()]
    return adapters


@lru_cache(maxsize=1)
def default_registry() -> AdapterRegistry:
    return AdapterRegistry(all_adapters())
