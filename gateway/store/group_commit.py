"""Group commit (issue 14, ADR 0009): concurrent writes share one transaction, each answered after it commits.

A request thread does its computation (parsing, validation, signatures, rendering) in parallel with the
others and hands the writing to :meth:`GroupCommitter.write`: a function of a :class:`UnitOfWork`. A few
writer threads per process (1 on SQLite, whose writers queue on one lock anyway; 2 on PostgreSQL) take what
is queued — at most ``max_batch`` writes, waiting at most ``max_wait`` seconds for more — run the writes one
after the other in one unit of work and commit once. ``write`` returns (or raises) only after that commit:
a 2xx still means committed.

One write must not fail its neighbours:

1. the optimistic pass runs every write with no savepoint (the common case: nothing fails);
2. if a write raises, the pass is rolled back and the batch runs again with a savepoint around each write:
   the failing ones are undone alone and get their exception, the others commit;
3. if the database itself fails the batch (a deadlock between two writer threads' batches, a lost
   connection, a failed commit), every write of a batch of several runs again alone, in its own unit of
   work, and gets its own outcome.

A write may ask to be undone and still answer (:class:`Discard`: the answer to a repeat is given, the
reservations it made are rolled back). Writes must therefore be safe to run again: everything they do is in
the database, and what they compute is from their inputs.
"""

from __future__ import annotations

import os
import queue
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass, field
from typing import Any, TypeVar, cast

from gateway.model import Discard
from gateway.store.unit_of_work import UnitOfWork, translated

T = TypeVar("T")

MAX_BATCH = 64
"""At most this many writes per transaction."""

MAX_WAIT_SECONDS = 0.0
"""How long a writer waits for more writes once it holds one. Zero: while a batch commits the next one
queues up by itself, and a lone request is not made to wait (a wait shows in its latency, not its CPU)."""


@dataclass
class _Job:
    write: Callable[[UnitOfWork], Any]
    future: Future[Any] = field(default_factory=Future)


_STOP = object()


class GroupCommitter:
    """See the module docstring. ``unit_of_work`` makes a fresh (writing) unit of work."""

    def __init__(
        self,
        unit_of_work: Callable[[], UnitOfWork],
        *,
        writers: int,
        max_batch: int = MAX_BATCH,
        max_wait: float = MAX_WAIT_SECONDS,
    ) -> None:
        self._unit_of_work = unit_of_work
        self._writers = writers
        self.max_batch = max_batch
        self.max_wait = max_wait
        self._queue: queue.SimpleQueue[_Job | object] = queue.SimpleQueue()
        self._threads: list[threading.Thread] = []
        self._pid = 0
        self._lock = threading.Lock()
        self.batches = 0
        """Transactions committed so far (a measure; tests read it)."""

    def write(self, write: Callable[[UnitOfWork], T]) -> T:
        """Run ``write`` in the next batch; its result (or exception) once that batch has committed."""
        self._start()
        job = _Job(write)
        self._queue.put(job)
        return cast(T, job.future.result())

    def close(self) -> None:
        """Finish what is queued and stop the writer threads."""
        with self._lock:
            threads, self._threads = self._threads, []
            if self._pid != os.getpid():
                return  # threads of the parent process do not exist in a forked child
            for _ in threads:
                self._queue.put(_STOP)
        for thread in threads:
            thread.join(timeout=30)

    def _start(self) -> None:
        if self._threads and self._pid == os.getpid():
            return
        with self._lock:
            if self._threads and self._pid == os.getpid():
                return
            self._pid = os.getpid()
            self._queue = queue.SimpleQueue()  # after a fork, nothing of the parent's queue is ours
            self._threads = [
                threading.Thread(target=self._run, name=f"fiscalgw-commit-{n}", daemon=True)
                for n in range(self._writers)
            ]
            for thread in self._threads:
                thread.start()

    def _run(self) -> None:
        while True:
            first = self._queue.get()
            if first is _STOP:
                return
            batch = [cast(_Job, first)]
            stop = self._gather(batch)
            self._commit(batch)
            if stop:
                return

    def _gather(self, batch: list[_Job]) -> bool:
        """Add what is queued (up to the bounds) to ``batch``; True when a stop signal was taken."""
        deadline = time.monotonic() + self.max_wait
        while len(batch) < self.max_batch:
            try:
                remaining = deadline - time.monotonic()
                item = self._queue.get(timeout=remaining) if remaining > 0 else self._queue.get_nowait()
            except queue.Empty:
                return False
            if item is _STOP:
                return True
            batch.append(cast(_Job, item))
        return False

    def _commit(self, batch: list[_Job]) -> None:
        try:
            outcomes = self._optimistic(batch)
            if outcomes is None:
                outcomes = self._one_by_one(batch)
        except Exception as failure:  # the database failed the batch as a whole
            if len(batch) > 1:
                for job in batch:
                    self._commit([job])
                return
            batch[0].future.set_exception(failure)
            return
        except BaseException as failure:
            for job in batch:
                job.future.set_exception(failure)
            raise
        self.batches += 1
        for job, (ok, value) in zip(batch, outcomes, strict=True):
            if ok:
                job.future.set_result(value)
            else:
                job.future.set_exception(value)

    def _optimistic(self, batch: list[_Job]) -> list[tuple[bool, Any]] | None:
        """Every write, no savepoints, one commit; None if a write raised (then nothing was committed)."""
        with self._unit_of_work() as uow:
            results: list[tuple[bool, Any]] = []
            for job in batch:
                try:
                    results.append((True, job.write(uow)))
                except Exception as exc:
                    if len(batch) > 1:
                        return None
                    results.append(_failed(exc))
                    return results  # one write alone: its failure is its outcome, nothing to commit
            uow.commit()
            return results

    def _one_by_one(self, batch: list[_Job]) -> list[tuple[bool, Any]]:
        """Every write inside its own savepoint, one commit: a failing write is undone alone."""
        with self._unit_of_work() as uow:
            results: list[tuple[bool, Any]] = []
            for job in batch:
                try:
                    with uow.savepoint():
                        value = job.write(uow)
                except Exception as exc:
                    results.append(_failed(exc))
                else:
                    results.append((True, value))
            uow.commit()
            return results


def _failed(exc: Exception) -> tuple[bool, Any]:
    if isinstance(exc, Discard):
        return True, exc.result
    return False, translated(exc)
