"""Webhook delivery: events per second from the outbox to a local receiver, with 1 worker and
with 4 (PostgreSQL only: SQLite runs one), against posting the same bodies straight from one
`httpx.Client` with nothing recorded (the baseline), in the same run.

    python bench/delivery_speed.py [--db URL] [--events 4000]

Cases are imported (one `open` event each, a quarter also acknowledged), then one outbox row
per event is written in bulk, all due. Each worker is a process running `engine.outbox.deliver()`
until nothing is due; the clock starts when all are ready. The receiver answers 204 at once
(a `ThreadingHTTPServer` in this process). The database is emptied first (a throw-away one).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import tempfile
import time
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from threading import Thread
from typing import Any
from uuid import uuid4

import httpx
from sqlalchemy import create_engine, insert, select
from together import released_together

from recovery import Engine
from recovery.store.db import empty
from recovery.store.tables import events, outbox

WORKFLOWS = Path(__file__).resolve().parent.parent / "workflows"
AT = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
WORKER = """
import sys
from datetime import datetime
from recovery import Engine
now = datetime.fromisoformat(sys.argv[3])
engine = Engine(sys.argv[1], workflows=sys.argv[2], clock=lambda: now)
print("ready", flush=True)
sys.stdin.readline()
while engine.outbox.deliver():
    pass
"""


class Sink(BaseHTTPRequestHandler):
    """Takes every POST with a 204, keeping the connection open (HTTP/1.1) as a web server
    in front of a helpdesk does."""

    protocol_version = "HTTP/1.1"

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        self.send_response(204)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args: Any) -> None:
        pass


def workflows(folder: Path, url: str) -> Path:
    shutil.copytree(WORKFLOWS, folder)
    flow = folder / "bistro" / "flow.yaml"
    flow.write_text(flow.read_text() + f"webhooks:\n  - {{url: '{url}', secret_env: BENCH_HOOK}}\n")
    return folder


def fill(url: str, folder: Path, count: int) -> None:
    """About `count` events of bistro cases, each with a due outbox row."""
    empty(url)
    engine = Engine(url, workflows=folder)
    cases = count * 4 // 5
    lines = []
    for n in range(cases):
        at = AT + timedelta(minutes=n)
        earlier = ([{"trigger": "acknowledge", "at": (at + timedelta(minutes=5)).isoformat(),
                     "by": "eva"}] if n % 4 == 0 else [])
        lines.append(json.dumps({"external_id": f"b-{n}", "brand": "bistro",
                                 "channel": "instagram", "opened_at": at.isoformat(),
                                 "author": f"@guest{n}", "text": "Cold soup", "language": "en",
                                 "events": earlier}))
    assert not engine.import_cases(lines).bad
    engine.close()
    db = create_engine(url)
    with db.begin() as conn:
        rows = [{"case_id": case_id, "seq": seq, "brand": "bistro", "endpoint": SINK_URL[0],
                 "delivery_id": uuid4().hex, "created_at": at, "next_at": at, "attempts": 0,
                 "status": "pending"}
                for case_id, seq, at in conn.execute(select(events.c.case_id, events.c.seq,
                                                            events.c.at).order_by(events.c.id))]
        conn.execute(insert(outbox), rows)
    db.dispose()


SINK_URL = [""]


def baseline(url: str, bodies: int) -> float:
    """Seconds to POST `bodies` signed bodies from one client, nothing read or recorded."""
    from recovery.delivery.signing import signature

    body = json.dumps({"delivery_id": "x" * 32, "event": {"kind": "opened"}}).encode()
    with httpx.Client() as client:
        began = time.perf_counter()
        for _ in range(bodies):
            sent = int(time.time())
            client.post(url, content=body, headers={
                "webhook-id": "x" * 32, "webhook-timestamp": str(sent),
                "webhook-signature": signature(SECRET, "x" * 32, sent, body),
                "Content-Type": "application/json"}, timeout=5)
        return time.perf_counter() - began


def delivered(url: str, folder: Path, workers: int) -> tuple[int, float]:
    """How many deliveries `workers` processes made, and in how many seconds."""
    env = {**os.environ, "BENCH_HOOK": SECRET}
    now = (AT + timedelta(days=400)).isoformat()
    took = released_together(WORKER, [url, str(folder), now], workers, env)
    engine = Engine(url, workflows=folder)
    stats = engine.outbox.stats()
    engine.close()
    assert stats.pending == 0 and stats.dead == 0, stats
    return stats.delivered, took


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--db", help="a throw-away database (default: a SQLite file)")
    parser.add_argument("--events", type=int, default=4000)
    args = parser.parse_args()
    server = ThreadingHTTPServer(("127.0.0.1", 0), Sink)
    server.daemon_threads = True
    Thread(target=server.serve_forever, daemon=True).start()
    SINK_URL[0] = f"http://127.0.0.1:{server.server_address[1]}/hook"
    with tempfile.TemporaryDirectory() as scratch:
        folder = workflows(Path(scratch) / "wf", SINK_URL[0])
        url = args.db or f"sqlite:///{Path(scratch) / 'bench.db'}"
        counts = [1, 4] if url.startswith("postgresql") else [1]
        results = {}
        for workers in counts:
            fill(url, folder, args.events)
            results[workers] = delivered(url, folder, workers)
        base = baseline(SINK_URL[0], results[1][0])
    server.shutdown()
    count = results[1][0]
    print(f"{count:,} deliveries on {url.split(':')[0]}")
    print(f"  bare httpx posts (baseline)  {count / base:8,.0f}/s  1.00")
    for workers, (done, took) in results.items():
        print(f"  {workers} worker(s)                  {done / took:8,.0f}/s  "
              f"{base * done / count / took:.2f}")


if __name__ == "__main__":
    main()
