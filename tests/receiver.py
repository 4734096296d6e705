"""A real webhook receiver on 127.0.0.1 for the delivery tests: it checks each signature with
the Standard Webhooks package's own verifier (as a receiver would), keeps what it took, and
answers a share of requests with a 500 or too slowly, or every request with a set answer."""

from __future__ import annotations

import json
import random
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from standardwebhooks.webhooks import Webhook, WebhookVerificationError


@dataclass
class Got:
    """One request the receiver took (answered 2xx, at once or too slowly for the sender)."""

    delivery_id: str
    signed: bool
    body: dict[str, Any]


@dataclass
class Receiver:
    """An endpoint that fails `failing` of requests with 500 and answers `slow` of them after
    `delay` seconds (past the sender's timeout)."""

    secret: str
    failing: float = 0.0
    slow: float = 0.0
    delay: float = 1.5
    seed: int = 0
    reason: str | None = None
    """The reason phrase of a refusal (None: the standard one)."""
    status: int | None = None
    """An answer to every request instead (410, 429, 503), with `headers`."""
    headers: dict[str, str] = field(default_factory=dict)
    got: list[Got] = field(default_factory=list)
    refused: int = 0
    _server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        assert self._server is not None
        return f"http://127.0.0.1:{self._server.server_address[1]}/hook"

    def __enter__(self) -> Receiver:
        rng = random.Random(self.seed)
        lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                with lock:
                    roll = rng.random()
                if receiver.status is not None:
                    with lock:
                        receiver.refused += 1
                    self.send_response(receiver.status)
                    for name, value in receiver.headers.items():
                        self.send_header(name, value)
                    self.end_headers()
                    return
                if roll < receiver.failing:
                    with lock:
                        receiver.refused += 1
                    self.send_response(500, receiver.reason)
                    self.end_headers()
                    return
                try:
                    Webhook(receiver.secret).verify(body, dict(self.headers.items()))
                    signed = True
                except WebhookVerificationError:
                    signed = False
                with lock:  # kept in the order they came, before any slow answer
                    receiver.got.append(Got(self.headers.get("webhook-id", ""), signed,
                                            json.loads(body)))
                if roll < receiver.failing + receiver.slow:
                    time.sleep(receiver.delay)
                self.send_response(204)
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        assert self._server is not None
        self._server.shutdown()
        self._server.server_close()
