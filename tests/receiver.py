"""A real webhook receiver on 127.0.0.1 for the delivery tests: it checks each signature, keeps
what it took, and answers a share of requests with a 500 or too slowly."""

from __future__ import annotations

import json
import random
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from recovery.delivery.signing import verify


@dataclass
class Got:
    """One request the receiver answered 2xx."""

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
                if roll < receiver.failing:
                    with lock:
                        receiver.refused += 1
                    self.send_response(500, receiver.reason)
                    self.end_headers()
                    return
                if roll < receiver.failing + receiver.slow:
                    time.sleep(receiver.delay)
                signed = verify(receiver.secret, body,
                                self.headers.get("X-Recovery-Timestamp", ""),
                                self.headers.get("X-Recovery-Signature", ""), time.time(),
                                tolerance=10 ** 9)  # tests run at a fixed --now
                with lock:
                    receiver.got.append(Got(self.headers.get("X-Recovery-Delivery", ""),
                                            signed, json.loads(body)))
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
