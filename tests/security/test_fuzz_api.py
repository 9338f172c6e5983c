"""Fuzzing the HTTP API: schemathesis against the app's own OpenAPI (every operation, unsigned and with
random parameters) and hypothesis against ``POST /v1/messages`` with correctly signed random and mutated
documents. No answer may be a 5xx; example budgets are bounded and the seed is fixed."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.openapi import from_asgi

from gateway import audit
from tests.gateway.conftest import Harness
from tests.security.helpers import PROVINCE, post
from tests.security.test_fuzz_adapters import GOLDEN_FILES, mutated

FIXED = settings(
    max_examples=25,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)


@pytest.mark.timeout(600)
def test_no_operation_answers_5xx(harness: Harness) -> None:
    """Every operation of the OpenAPI document, with schemathesis-generated parameters and bodies, sent
    once without credentials and once with the demo's ops bearer token (to get past authentication)."""
    tokens = dict(line.split() for line in (harness.config_dir / "tokens.txt").read_text().splitlines())
    ops = {"Authorization": f"Bearer {tokens['ops']}"}
    api = from_asgi("/openapi.json", harness.client.app)
    operations = [result.ok() for result in api.get_all_operations()]
    assert len(operations) >= 5
    failures: list[str] = []

    for operation in operations:

        @FIXED
        @given(case=operation.as_strategy())
        def call(case: schemathesis.Case) -> None:
            for headers in ({}, ops):
                response = case.call(headers=headers)
                if response.status_code >= 500:
                    failures.append(f"{case.method} {case.formatted_path}: {response.status_code}")
                assert response.status_code < 500, response.text[:300]

        call()
    assert not failures


def test_the_openapi_document_lists_the_party_endpoints(harness: Harness) -> None:
    paths = harness.client.get("/openapi.json").json()["paths"]
    assert {"/v1/messages", "/v1/inbox"} <= set(paths)


SAMPLES = [p.read_bytes() for p in GOLDEN_FILES if p.suffix in (".json", ".xml", ".csv")]
ACCEPTED_CODES = {202, 400, 403, 409, 413, 415, 422}


@pytest.mark.timeout(600)
@FIXED
@given(
    body=st.binary(max_size=2048)
    | st.sampled_from(range(len(SAMPLES))).flatmap(lambda i: mutated(SAMPLES[i]))
)
def test_signed_random_documents_never_cause_a_5xx(harness: Harness, body: bytes) -> None:
    response = post(harness, PROVINCE, body, f"fuzz-{uuid.uuid4().hex}")
    assert response.status_code in ACCEPTED_CODES, (response.status_code, response.text[:300])
    if response.status_code != 202:
        assert set(response.json()) == {"error", "detail"}
    with harness.gateway.database.unit_of_work() as uow:
        audit.verify(uow.audit)


def test_fuzz_sample_corpus_is_not_empty() -> None:
    assert len(SAMPLES) >= 10 and all(isinstance(Path(p), Path) for p in GOLDEN_FILES)


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("POST", "/v1/ops/outbox/9223372036854775808/retry"),
        ("POST", "/v1/ops/outbox/9223372036854775808/cancel"),
        ("POST", "/v1/ops/outbox/-1/retry"),
    ],
)
def test_out_of_range_ids_are_refused_not_5xx(harness: Harness, method: str, path: str) -> None:
    """What schemathesis found: an id beyond BIGINT reached the database (OverflowError / DataError)."""
    tokens = dict(line.split() for line in (harness.config_dir / "tokens.txt").read_text().splitlines())
    response = harness.client.request(method, path, headers={"Authorization": f"Bearer {tokens['ops']}"})
    assert response.status_code < 500, response.text[:300]
