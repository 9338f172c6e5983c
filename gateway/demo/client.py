"""The demo's HTTP client: signed party requests (``/v1/messages``, ``/v1/inbox``) with each party's key from
the demo directory, and people's requests (Bearer token) for reconciliation runs and breaks."""

from __future__ import annotations

import base64
import time
import uuid
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
from pydantic import BaseModel

from adapters.registry import default_registry
from gateway.errors import GatewayError
from gateway.wire_signature import signed_headers
from signing import DEFAULT_PROFILE, SM2PrivateKey, load_private_key

TIMEOUT = 30.0


class DemoFailed(GatewayError):
    """The scripted day could not go on: a refused request, or something that never arrived."""


def read_tokens(config_dir: Path) -> dict[str, str]:
    """``DIR/tokens.txt`` (``role token`` per line, written by ``fiscalgw init``) as role → token."""
    lines = (config_dir / "tokens.txt").read_text(encoding="utf-8").splitlines()
    return dict(line.split(" ", 1) for line in lines if " " in line)


@dataclass
class Inbox:
    """What one pull party has taken from its inbox so far (every item 签收'd)."""

    party: str
    messages: list[BaseModel] = field(default_factory=list)

    def counts(self) -> Counter[str]:
        return Counter(str(getattr(m, "message_type", "")) for m in self.messages)


class DemoClient:
    def __init__(self, base: str, config_dir: Path) -> None:
        self.base = base
        self.config_dir = config_dir
        self.http = httpx.Client(base_url=base, timeout=TIMEOUT)
        self._keys: dict[str, SM2PrivateKey] = {}
        self.tokens = read_tokens(config_dir)

    def close(self) -> None:
        self.http.close()

    def _key(self, party: str) -> SM2PrivateKey:
        if party not in self._keys:
            path = self.config_dir / "keys" / f"{party}.key.pem"
            self._keys[party] = load_private_key(path.read_bytes())
        return self._keys[party]

    def _signed(self, party: str, method: str, path: str, body: bytes = b"") -> dict[str, str]:
        headers = signed_headers(
            key=self._key(party),
            profile=DEFAULT_PROFILE,
            method=method,
            path=path,
            sender=party,
            message_id=f"demo-{uuid.uuid4().hex}",
            at=datetime.now(UTC),
            body=body,
        )
        return {**headers, "Content-Type": "application/json"}

    def send(self, party: str, body: bytes, what: str) -> dict[str, Any]:
        """POST a signed document as ``party``; :class:`DemoFailed` unless the gateway accepts it (202)."""
        response = self.http.post(
            "/v1/messages", content=body, headers=self._signed(party, "POST", "/v1/messages", body)
        )
        if response.status_code != 202:
            raise DemoFailed(
                f"the gateway refused {what} from {party}: {response.status_code} {response.text[:300]}"
            )
        answer: dict[str, Any] = response.json()
        return answer

    def send_refused(self, party: str, body: bytes, code: str, what: str) -> dict[str, Any]:
        """POST a document the gateway must refuse (422 ``code``); :class:`DemoFailed` otherwise."""
        response = self.http.post(
            "/v1/messages", content=body, headers=self._signed(party, "POST", "/v1/messages", body)
        )
        answer: dict[str, Any] = response.json() if response.content else {}
        if response.status_code != 422 or answer.get("error") != code:
            raise DemoFailed(
                f"the gateway should have refused {what} from {party} with {code}: "
                f"{response.status_code} {response.text[:300]}"
            )
        return answer

    def pull(self, inbox: Inbox) -> None:
        """Take and 签收 everything waiting in ``inbox.party``'s inbox."""
        response = self.http.get("/v1/inbox", headers=self._signed(inbox.party, "GET", "/v1/inbox"))
        if response.status_code != 200:
            raise DemoFailed(
                f"{inbox.party} could not read its inbox: {response.status_code} {response.text[:200]}"
            )
        registry = default_registry()
        for item in response.json()["items"]:
            body = base64.b64decode(item["body_base64"])
            inbox.messages += [r.message for r in registry.identify(body).parse(body).records]
            ack = f"/v1/inbox/{item['id']}/ack"
            answer = self.http.post(ack, headers=self._signed(inbox.party, "POST", ack))
            if answer.status_code != 200:
                raise DemoFailed(
                    f"{inbox.party} could not 签收 inbox item {item['id']}: {answer.status_code}"
                )

    def wait_for(self, inbox: Inbox, wanted: Mapping[str, int], timeout: float, why: str) -> None:
        """Pull until ``inbox`` holds at least ``wanted`` (message type → count); :class:`DemoFailed` naming
        what did not arrive after ``timeout`` seconds."""
        deadline = time.monotonic() + timeout
        while True:
            self.pull(inbox)
            have = inbox.counts()
            missing = {kind: n - have[kind] for kind, n in wanted.items() if have[kind] < n}
            if not missing:
                return
            if time.monotonic() >= deadline:
                shown = ", ".join(f"{n} × {kind}" for kind, n in missing.items())
                raise DemoFailed(f"{inbox.party} did not receive {shown} within {timeout:.0f} s ({why})")
            time.sleep(0.2)

    # ---- people's endpoints ----------------------------------------------------------------------------

    def _person(self, role: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[role]}"}

    def person_get(self, path: str, params: Mapping[str, Any] | None = None) -> Any:
        response = self.http.get(path, params=dict(params or {}), headers=self._person("viewer"))
        if response.status_code != 200:
            raise DemoFailed(f"GET {path}: {response.status_code} {response.text[:300]}")
        return response.json()

    def reconcile(self, body: Mapping[str, Any]) -> dict[str, Any]:
        """``POST /v1/reconciliations`` as ops; :class:`DemoFailed` with the gateway's answer otherwise."""
        response = self.http.post("/v1/reconciliations", json=dict(body), headers=self._person("ops"))
        if response.status_code != 201:
            raise DemoFailed(
                f"the {body.get('kind')} reconciliation was refused: "
                f"{response.status_code} {response.text[:300]}"
            )
        run: dict[str, Any] = response.json()
        return run

    def breaks_open(self) -> list[dict[str, Any]]:
        """Every open break, of every kind."""
        page = self.person_get("/v1/breaks", {"status": "open", "limit": 500})
        items: list[dict[str, Any]] = page["items"]
        return items
