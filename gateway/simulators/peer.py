"""The simulated party's HTTP side: verifies each push's gateway signature (401 if it does not verify),
answers 2xx (签收), and posts its replies to the gateway signed with its own key, from a worker thread."""

from __future__ import annotations

import logging
import queue
import threading
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from adapters.base import Document
from adapters.registry import AdapterRegistry, default_registry
from gateway.delivery.errors import DeliveryFailed
from gateway.delivery.transport import HTTPTransport, Push
from gateway.keyring import Keyring
from gateway.simulators.behaviour import BEIJING, Behaviour, Context, Role, lost, replies
from gateway.wire_signature import signed_headers, signing_string_of
from signing import SM2PrivateKey, load_private_key
from signing.errors import InvalidSignature, SigningError

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class PeerConfig:
    role: Role
    party_id: str
    key: SM2PrivateKey
    keyring: Keyring
    gateway_id: str
    gateway_url: str
    behaviour: Behaviour = field(default_factory=Behaviour)
    fin_org_codes: Mapping[str, str] = field(default_factory=dict)
    """bank: AdmDivCode → MOF_DIV_CODE, for the 财政机关代码 of its 2301s."""
    tre_code: str | None = None
    """bank: the treasury (TreCode) its 2301s go to."""


class SimulatedParty:
    def __init__(self, config: PeerConfig, *, adapters: AdapterRegistry | None = None) -> None:
        self.config = config
        self.adapters = adapters or default_registry()
        self.outbox: queue.Queue[Document | None] = queue.Queue()
        self.received: list[str] = []
        self.lost: list[str] = []
        """finance: indicator ids taken and dropped (the ``lose`` rule)."""
        self.replied: list[tuple[str, int | None]] = []
        """(message id, HTTP status or None if unreachable) of every reply sent."""
        self._worker = threading.Thread(target=self._send_loop, name="simulator-sender", daemon=True)

    def verify(self, path: str, headers: dict[str, str], body: bytes) -> bool:
        """The push's gateway signature over the one signing string (ADR 0006): path and query, sender,
        message id, timestamp, original sender, wire format and body. ``path`` is the request target."""
        keyring = self.config.keyring
        try:
            text = signing_string_of("POST", path, headers, body)
            keyring.gateway_profile.verify(
                keyring.gateway_certificate.public_key, text, headers["x-signature"]
            )
        except (KeyError, ValueError, InvalidSignature):
            return False
        return headers.get("x-sender") == self.config.gateway_id

    def accept(self, message_id: str, body: bytes) -> None:
        """Parse a verified push and queue the party's replies."""
        document = self.adapters.identify(body).parse(body)
        self.received.append(message_id)
        config = self.config
        now = datetime.now(UTC)
        context = Context(
            today=now.astimezone(BEIJING).date(),  # the business day is Beijing's
            reference=message_id,
            party_id=config.party_id,
            fin_org_codes=config.fin_org_codes,
            tre_code=config.tre_code,
            now=now,
        )
        if config.role == "finance":
            for bgt_id in lost(document, config.behaviour):
                log.info("indicator %s lost on the way (rule lose)", bgt_id)
                self.lost.append(bgt_id)
        answers = replies(
            config.role,
            document,
            today=context.today,
            reference=message_id,
            behaviour=config.behaviour,
            context=context,
        )
        for reply in answers:
            self.outbox.put(reply)

    def _send_loop(self) -> None:
        transport = HTTPTransport()
        try:
            while True:
                document = self.outbox.get()
                if document is None:
                    return
                body = self.adapters.get(document.format).render(document)
                message_id = f"sim-{uuid.uuid4().hex}"
                headers = signed_headers(
                    key=self.config.key,
                    profile=self.config.keyring.parties[self.config.party_id].profile,
                    method="POST",
                    path="/v1/messages",
                    sender=self.config.party_id,
                    message_id=message_id,
                    at=datetime.now(UTC),
                    body=body,
                )
                try:
                    transport.send(Push(f"{self.config.gateway_url}/v1/messages", body, headers))
                    log.info("reply %s accepted", message_id)
                    self.replied.append((message_id, 202))
                except DeliveryFailed as exc:
                    log.warning("reply %s refused: %s", message_id, exc.detail)
                    self.replied.append((message_id, None))
        finally:
            transport.close()

    def serve(self, host: str, port: int, stop: threading.Event | None = None) -> ThreadingHTTPServer:
        party = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", "0"))
                body = self.rfile.read(length)
                headers = {k.lower(): v for k, v in self.headers.items()}
                if not party.verify(self.path, headers, body):
                    self._answer(401, b'{"error":"invalid_signature"}')
                    return
                try:
                    party.accept(headers.get("x-message-id", ""), body)
                except Exception as exc:  # a push we cannot read is refused, the relay will retry
                    log.warning("push refused: %s", exc)
                    self._answer(422, b'{"error":"unreadable"}')
                    return
                self._answer(200, b'{"status":"acknowledged"}')

            def _answer(self, status: int, body: bytes) -> None:
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: object) -> None:
                log.debug(format, *args)

        server = ThreadingHTTPServer((host, port), Handler)
        self._worker.start()
        return server

    def close(self) -> None:
        self.outbox.put(None)
        self._worker.join(timeout=10)


def load_party_key(config_dir: Path, party_id: str, key_path: str | None) -> SM2PrivateKey:
    path = Path(key_path) if key_path else config_dir / "keys" / f"{party_id}.key.pem"
    try:
        return load_private_key(path.read_bytes())
    except (OSError, SigningError) as exc:
        raise ValueError(f"cannot load the key of {party_id} from {path}: {exc}") from None
