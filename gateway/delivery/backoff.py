"""Exponential backoff with full jitter: the n-th retry waits uniform(0, min(cap, base · 2^(n-1))) seconds."""

from __future__ import annotations

import random
from datetime import datetime, timedelta


def retry_delay(attempts: int, *, base: float, cap: float, rng: random.Random) -> float:
    """Seconds to wait after ``attempts`` failed attempts (``attempts`` ≥ 1)."""
    if attempts < 1:
        raise ValueError("attempts must be at least 1")
    ceiling = min(cap, base * 2 ** min(attempts - 1, 62))
    return rng.uniform(0.0, ceiling)


def next_attempt_at(now: datetime, attempts: int, *, base: float, cap: float, rng: random.Random) -> datetime:
    return now + timedelta(seconds=retry_delay(attempts, base=base, cap=cap, rng=rng))
