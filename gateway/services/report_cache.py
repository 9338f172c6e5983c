"""Rendered report files of finished runs, kept in memory (bounded, least recently used first out).

A run's report is written once, when the run finishes (:meth:`gateway.store.reconciliations.RunRepository.
finish`), and never changes afterwards, so its CSV / XLSX / JSON rendering can be reused: rendering the XLSX
of a run with ~1,600 breaks costs ~0.2 s of openpyxl, serving it again costs one primary-key read. Each
lookup still reads the run's row (without its report) and keys on its id, status and finish time, so a file
is only ever reused for the very run row it was rendered from. Kept per store (the gateway's
:class:`~gateway.services.ports.Store`).
"""

from __future__ import annotations

import threading
import weakref
from collections import OrderedDict
from dataclasses import dataclass
from datetime import datetime

from gateway.services.ports import ServiceContext, Store
from gateway.services.reconciliation import runs
from gateway.services.reconciliation.kinds import ReconciliationContext

MAX_BYTES = 32 * 1024 * 1024
"""The most bytes kept per store; a single larger file is served but not kept."""

_Key = tuple[int, str, datetime]
"""(run id, format, finished at)."""


@dataclass
class _Files:
    lock: threading.Lock
    files: OrderedDict[_Key, tuple[bytes, str, str]]
    size: int = 0


_BY_STORE: weakref.WeakKeyDictionary[Store, _Files] = weakref.WeakKeyDictionary()
_GUARD = threading.Lock()


def _files(gw: ServiceContext) -> _Files:
    with _GUARD:
        found = _BY_STORE.get(gw.database)
        if found is None:
            found = _BY_STORE[gw.database] = _Files(threading.Lock(), OrderedDict())
        return found


def report_file(gw: ReconciliationContext, run_id: int, fmt: str) -> tuple[bytes, str, str]:
    """As :func:`gateway.services.reconciliation.runs.report_file` (same content, media type and file name,
    same errors), reusing an earlier rendering of the same finished run."""
    with gw.database.unit_of_work() as uow:
        row = uow.runs.get(run_id)
    if row is None or row.status != "succeeded" or row.finished_at is None:
        return runs.report_file(gw, run_id, fmt)  # its BadRequest / NotFound, never kept
    key = (run_id, fmt, row.finished_at)
    cache = _files(gw)
    with cache.lock:
        hit = cache.files.get(key)
        if hit is not None:
            cache.files.move_to_end(key)
            return hit
    made = runs.report_file(gw, run_id, fmt)
    size = len(made[0])
    if size <= MAX_BYTES:
        with cache.lock:
            if key not in cache.files:
                cache.files[key] = made
                cache.size += size
            while cache.size > MAX_BYTES:
                _old, (content, _media, _name) = cache.files.popitem(last=False)
                cache.size -= len(content)
    return made
