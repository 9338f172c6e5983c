"""Full-jitter exponential backoff stays inside its envelope."""

from __future__ import annotations

import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gateway.delivery.backoff import retry_delay


@settings(max_examples=200)
@given(attempts=st.integers(1, 200), seed=st.integers(0, 2**32))
def test_delay_is_within_zero_and_the_capped_exponential(attempts: int, seed: int) -> None:
    delay = retry_delay(attempts, base=2.0, cap=600.0, rng=random.Random(seed))
    assert 0.0 <= delay <= min(600.0, 2.0 * 2 ** (attempts - 1))


def test_delays_are_jittered_not_fixed() -> None:
    rng = random.Random(7)
    delays = {retry_delay(5, base=2.0, cap=600.0, rng=rng) for _ in range(20)}
    assert len(delays) == 20
    assert max(delays) <= 32.0


def test_zero_attempts_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="at least 1"):
        retry_delay(0, base=1.0, cap=1.0, rng=random.Random())
