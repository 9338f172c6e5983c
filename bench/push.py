"""Benchmark: client CPU per push, the relay's transport against httpx and a bare ``http.client`` loop.

    .venv/bin/python bench/push.py [--pushes 3000] [--body-bytes 3000]

A keep-alive HTTP/1.1 receiver (the standard library's threading server) runs in a child process on
127.0.0.1, so its CPU is not counted; this process then POSTs ``--pushes`` bodies of ``--body-bytes`` with
the relay's signature-sized headers, one after the other, three ways:

* ``bare``      : one ``http.client.HTTPConnection`` reused by hand — the floor for a Python client;
* ``transport`` : :class:`gateway.delivery.transport.HTTPTransport` (the relay's, issue 14);
* ``httpx``     : ``httpx.Client.post``, what the relay used before.

It prints the CPU of this process (user + system) per push and each way's ratio to ``bare``. Not a test:
it prints.
"""

from __future__ import annotations

import argparse
import http.client
import multiprocessing
import sys
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from multiprocessing.connection import Connection
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from gateway.delivery.transport import HTTPTransport, Push  # noqa: E402  (after the path is set)


class _Sink(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers["Content-Length"]))
        self.send_response(200)
        self.send_header("Content-Length", "15")
        self.end_headers()
        self.wfile.write(b'{"status":"ok"}')

    def log_message(self, format: str, *args: object) -> None:
        pass


def _serve(ready: Connection) -> None:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Sink)
    ready.send(server.server_address[1])
    server.serve_forever()


def _cpu_per_push(pushes: int, send: Callable[[], None]) -> float:
    for _ in range(min(50, pushes)):  # warm up: connect, first-use imports
        send()
    start = time.process_time()
    for _ in range(pushes):
        send()
    return (time.process_time() - start) / pushes * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pushes", type=int, default=3000)
    parser.add_argument("--body-bytes", type=int, default=3000)
    args = parser.parse_args()
    import httpx

    parent, child = multiprocessing.Pipe()
    receiver = multiprocessing.Process(target=_serve, args=(child,), daemon=True)
    receiver.start()
    port = parent.recv()
    url = f"http://127.0.0.1:{port}/v1/push"
    body = b"x" * args.body_bytes
    headers = {
        "Content-Type": "application/json",
        "X-Fiscalgw-Sender": "330000000",
        "X-Fiscalgw-Message-Id": "bench-0001",
        "X-Fiscalgw-Signature": "A" * 132,
    }

    bare_connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)

    def bare() -> None:
        bare_connection.request("POST", "/v1/push", body=body, headers=headers)
        response = bare_connection.getresponse()
        response.read()
        if response.status != 200:
            raise SystemExit(f"bare: HTTP {response.status}")

    transport = HTTPTransport(timeout=10)
    push = Push(url, body, headers)
    client = httpx.Client(timeout=10)

    def with_httpx() -> None:
        if client.post(url, content=body, headers=headers).status_code != 200:
            raise SystemExit("httpx: not 200")

    try:
        results = {
            "bare": _cpu_per_push(args.pushes, bare),
            "transport": _cpu_per_push(args.pushes, lambda: transport.send(push)),
            "httpx": _cpu_per_push(args.pushes, with_httpx),
        }
    finally:
        transport.close()
        client.close()
        bare_connection.close()
        receiver.terminate()
    print(f"{args.pushes} pushes of {args.body_bytes} bytes each way; client CPU (user + system) per push")
    for name, ms in results.items():
        print(f"  {name:<10} {ms:7.3f} ms   {ms / results['bare']:5.2f}x bare")


if __name__ == "__main__":
    main()
