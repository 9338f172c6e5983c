"""Fuzzing the adapters with hypothesis: random bytes and mutated golden documents either parse or raise an
:class:`adapters.errors.AdapterError` / :class:`schemas.errors.SchemaError` — never another exception, never
a hang (bounded sizes, a bounded example budget, a fixed seed, and pytest-timeout as the hang guard)."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from adapters.errors import AdapterError
from adapters.limits import Limits
from adapters.registry import all_adapters, default_registry
from schemas.errors import SchemaError

GOLDEN = Path(__file__).resolve().parent.parent / "golden"
GOLDEN_FILES = sorted(p for p in GOLDEN.rglob("*") if p.is_file() and not p.name.endswith(".expected.json"))
ADAPTERS = {adapter.format: adapter for adapter in all_adapters()}
LIMITS = Limits(max_bytes=256 * 1024)

FUZZ = settings(
    max_examples=60,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


def parse_or_refuse(format_name: str, raw: bytes) -> None:
    """The contract under test: a Document, or one of the two documented error families."""
    try:
        ADAPTERS[format_name].parse(raw, limits=LIMITS)
    except (AdapterError, SchemaError):
        pass


def identify_or_refuse(raw: bytes) -> None:
    registry = default_registry()
    try:
        adapter = registry.identify(raw)
    except AdapterError:
        return
    try:
        adapter.parse(raw, limits=LIMITS)
    except (AdapterError, SchemaError):
        pass


@st.composite
def mutated(draw: st.DrawFn, original: bytes) -> bytes:
    """``original`` with a few byte-level edits: flips, deletions, insertions, duplicated slices, a cut."""
    data = bytearray(original)
    for _ in range(draw(st.integers(1, 6))):
        if not data:
            break
        at = draw(st.integers(0, len(data) - 1))
        edit = draw(st.sampled_from(["flip", "delete", "insert", "duplicate", "truncate", "byte"]))
        if edit == "flip":
            data[at] ^= 1 << draw(st.integers(0, 7))
        elif edit == "delete":
            del data[at : at + draw(st.integers(1, 64))]
        elif edit == "insert":
            data[at:at] = draw(
                st.sampled_from([b"<", b">", b"&", b'"', b"<x>", b"</", b"&amp;", b"{", b"}", b",", b"\x00"])
                | st.binary(max_size=16)
            )
        elif edit == "duplicate":
            end = min(len(data), at + draw(st.integers(1, 200)))
            data[at:at] = data[at:end]
        elif edit == "truncate":
            del data[at:]
        else:
            data[at] = draw(st.integers(0, 255))
    return bytes(data)


@pytest.mark.timeout(300)
@pytest.mark.parametrize("format_name", sorted(ADAPTERS))
@FUZZ
@given(raw=st.binary(max_size=4096))
def test_random_bytes_never_escape_the_error_families(format_name: str, raw: bytes) -> None:
    parse_or_refuse(format_name, raw)


@pytest.mark.timeout(300)
@FUZZ
@given(raw=st.binary(max_size=4096))
def test_random_bytes_through_identify(raw: bytes) -> None:
    identify_or_refuse(raw)


@pytest.mark.timeout(300)
@pytest.mark.parametrize("golden", GOLDEN_FILES, ids=lambda p: f"{p.parent.name}/{p.name}")
@FUZZ
@given(data=st.data())
def test_mutated_golden_documents_never_escape_the_error_families(golden: Path, data: st.DataObject) -> None:
    raw = data.draw(mutated(golden.read_bytes()))
    identify_or_refuse(raw)
    for format_name in ADAPTERS:
        parse_or_refuse(format_name, raw)
