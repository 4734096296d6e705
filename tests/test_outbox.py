"""The outbox and webhooks: every event is written with its deliveries in one transaction, and
posted signed, retried with backoff on the engine's clock, in order per case, until delivered
or dead; on SQLite and PostgreSQL."""

from __future__ import annotations

import json
import shutil
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

from recovery import Engine, firing
from recovery.cli import app
from recovery.delivery.signing import BadSecret, new_secret, signature, verify
from recovery.flows import load_brands
from tests.conftest import WORKFLOWS, Clock
from tests.receiver import Receiver

SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
OLD = "whsec_2Q3Y1XQ9W4t8fM0rWb4kL0tHk1Jv4c6d"


def hooked(folder: Path, *hooks: str) -> Path:
    """The sample workflows with these `webhooks:` entries (YAML) added to bistro's flow."""
    shutil.copytree(WORKFLOWS, folder, dirs_exist_ok=True)
    flow = folder / "bistro" / "flow.yaml"
    flow.write_text(flow.read_text() + "webhooks:\n" + "".join(hooks))
    return folder


def hook(url: str, extra: str = "") -> str:
    return f"  - {{url: '{url}', secret_env: BISTRO_HOOK_SECRET{extra}}}\n"


@pytest.fixture
def receiver(monkeypatch: pytest.MonkeyPatch) -> Iterator[Receiver]:
    monkeypatch.setenv("BISTRO_HOOK_SECRET", SECRET)
    with Receiver(SECRET) as made:
        yield made


@pytest.fixture
def hooked_engine(db_url: str, clock: Clock, tmp_path: Path,
                  receiver: Receiver) -> Iterator[Engine]:
    """An engine whose bistro posts every event to the receiver, retrying from 1 minute."""
    folder = hooked(tmp_path / "wf", hook(receiver.url, ", backoff: 1m, attempts: 3, "
                                          "timeout: 0.5"))
    made = Engine(db_url, workflows=folder, clock=clock)
    yield made
    made.close()


def drain(engine: Engine) -> list[str]:
    """Deliver rounds until nothing is due; the statuses tried."""
    tried = []
    while batch := engine.outbox.deliver():
        tried += [delivery.status for delivery in batch]
    return tried


def test_every_event_is_delivered_signed_with_the_event_and_the_case(
        hooked_engine: Engine, receiver: Receiver) -> None:
    case = hooked_engine.open_case("bistro", channel="instagram", author="@jana",
                                   text="The soup was cold")
    hooked_engine.fire(case.id, "acknowledge", by="eva")
    assert hooked_engine.outbox.stats().pending == 2
    assert drain(hooked_engine) == ["delivered", "delivered"]
    assert [got.body["event"]["kind"] for got in receiver.got] == ["opened", "fired"]
    assert all(got.signed for got in receiver.got)
    first = receiver.got[0].body
    assert first["delivery_id"] == receiver.got[0].delivery_id
    assert first["event"] | {"payload": None} == {
        "id": first["event"]["id"], "case_id": case.id, "seq": 1, "brand": "bistro",
        "kind": "opened", "trigger": "open", "from": None, "to": "new",
        "at": "2026-12-01T09:00:00+00:00", "by": "@jana", "note": None, "payload": None}
    assert first["case"]["state"] == "acknowledged" and first["case"]["author"] == "@jana"
    stats = hooked_engine.outbox.stats()
    assert (stats.pending, stats.delivered, stats.dead) == (0, 2, 0)


def test_an_event_rolled_back_takes_its_deliveries_with_it(
        hooked_engine: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    case = hooked_engine.open_case("bistro", channel="instagram", author="@jana",
                                   text="The soup was cold")

    def broken(*args: object) -> None:
        raise RuntimeError("the disk is gone")  # after the event and its delivery were written

    monkeypatch.setattr(firing.keeper, "follow", broken)
    with pytest.raises(RuntimeError):
        hooked_engine.fire(case.id, "acknowledge", by="eva")
    assert [d.trigger for d in hooked_engine.outbox.deliveries()] == ["open"]
    assert len(hooked_engine.history(case.id)) == 1


def test_an_endpoint_gets_only_the_kinds_it_asked_for(db_url: str, clock: Clock,
                                                      tmp_path: Path,
                                                      receiver: Receiver) -> None:
    folder = hooked(tmp_path / "wf", hook(receiver.url, ", events: [breached, replied]"))
    engine = Engine(db_url, workflows=folder, clock=clock)
    case = engine.open_case("bistro", channel="instagram", author="@jana", text="Cold soup")
    clock.advance(hours=3)
    engine.tick()  # the first response's warning and breach
    engine.fire(case.id, "acknowledge", by="eva")
    assert [d.trigger for d in engine.outbox.deliveries()] == ["first_response.breach"]
    engine.close()


def test_a_failing_endpoint_is_retried_with_the_same_id_then_dead_then_retried_by_hand(
        hooked_engine: Engine, receiver: Receiver, clock: Clock) -> None:
    hooked_engine.open_case("bistro", channel="instagram", author="@jana", text="Cold soup")
    receiver.failing = 1.0
    [first] = hooked_engine.outbox.deliver()
    assert (first.status, first.attempts, first.last_error) == ("pending", 1,
                                                               "HTTP 500 Internal Server Error")
    wait = first.next_at - clock.now
    assert timedelta(seconds=48) <= wait <= timedelta(seconds=72)  # 1m give or take a fifth
    assert hooked_engine.outbox.deliver() == []  # not due yet on the engine's clock
    clock.now = first.next_at
    [second] = hooked_engine.outbox.deliver()
    assert second.attempts == 2
    assert timedelta(seconds=96) <= second.next_at - clock.now <= timedelta(seconds=144)
    clock.now = second.next_at
    [third] = hooked_engine.outbox.deliver()
    assert (third.status, third.attempts) == ("dead", 3)  # attempts: 3
    assert [d.id for d in hooked_engine.outbox.deliveries("dead")] == [first.id]
    receiver.failing = 0.0
    assert hooked_engine.outbox.retry([first.id]) == 1
    [fourth] = hooked_engine.outbox.deliver()
    assert (fourth.status, fourth.attempts) == ("delivered", 1)
    assert {got.delivery_id for got in receiver.got} == {first.delivery_id}
    assert receiver.refused == 3


def test_a_later_event_of_a_case_waits_while_an_earlier_one_is_retried(
        hooked_engine: Engine, receiver: Receiver, clock: Clock) -> None:
    one = hooked_engine.open_case("bistro", channel="instagram", author="@jana", text="Cold")
    other = hooked_engine.open_case("bistro", channel="instagram", author="@petr", text="Late")
    receiver.failing = 1.0
    assert len(hooked_engine.outbox.deliver()) == 2  # both openings fail
    receiver.failing = 0.0
    hooked_engine.fire(one.id, "acknowledge", by="eva")
    assert hooked_engine.outbox.deliver() == []  # the acknowledgement waits for the opening
    clock.advance(minutes=2)
    drain(hooked_engine)
    order = [(got.body["event"]["case_id"], got.body["event"]["seq"]) for got in receiver.got]
    assert order.index((one.id, 1)) < order.index((one.id, 2))
    assert sorted(order) == [(one.id, 1), (one.id, 2), (other.id, 1)]


def test_a_missing_secret_or_a_refused_connection_is_a_retry_with_the_reason(
        db_url: str, clock: Clock, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("BISTRO_HOOK_SECRET", raising=False)
    folder = hooked(tmp_path / "wf", hook("http://127.0.0.1:9/closed"))
    engine = Engine(db_url, workflows=folder, clock=clock)
    engine.open_case("bistro", channel="instagram", author="@jana", text="Cold soup")
    [tried] = engine.outbox.deliver()
    assert tried.last_error == "BISTRO_HOOK_SECRET is not set in the worker's environment"
    monkeypatch.setenv("BISTRO_HOOK_SECRET", SECRET)
    clock.advance(hours=1)
    [tried] = engine.outbox.deliver()
    assert tried.status == "pending" and tried.last_error.startswith("ConnectError")
    engine.close()


def test_a_delivery_whose_endpoint_left_the_flow_file_is_dead_with_the_reason(
        db_url: str, clock: Clock, tmp_path: Path, receiver: Receiver) -> None:
    folder = hooked(tmp_path / "wf", hook(receiver.url))
    Engine(db_url, workflows=folder, clock=clock).open_case(
        "bistro", channel="instagram", author="@jana", text="Cold soup")
    [tried] = Engine(db_url, workflows=WORKFLOWS, clock=clock).outbox.deliver()
    assert tried.status == "dead" and "no longer a webhook of bistro" in str(tried.last_error)


def test_a_receiver_verifies_the_signature_and_refuses_a_replay() -> None:
    from standardwebhooks.webhooks import Webhook, WebhookVerificationError

    body = b'{"delivery_id":"x"}'
    now = int(time.time())
    signed = signature(SECRET, "msg_1", now, body)
    assert signed.startswith("v1,") and " " not in signed
    headers = {"webhook-id": "msg_1", "webhook-timestamp": str(now), "webhook-signature": signed}
    assert Webhook(SECRET).verify(body, headers) == {"delivery_id": "x"}  # the receivers' own
    for changed in ({"webhook-id": "msg_2"},  # a captured delivery under another id
                    {"webhook-timestamp": str(now - 301)}):  # a replay of an old one
        with pytest.raises(WebhookVerificationError):
            Webhook(SECRET).verify(body, headers | changed)
    with pytest.raises(WebhookVerificationError):
        Webhook(SECRET).verify(body + b" ", headers)  # a tampered body
    assert verify(SECRET, "msg_1", str(now), signed, body, now=now + 100)  # the ten lines
    assert not verify(SECRET, "msg_2", str(now), signed, body, now=now)
    assert not verify(SECRET, "msg_1", str(now), signed, body, now=now + 301)
    assert not verify(OLD, "msg_1", str(now), signed, body, now=now)


def test_two_secrets_sign_each_delivery_while_one_is_rotated() -> None:
    from standardwebhooks.webhooks import Webhook

    body, now = b"{}", int(time.time())
    both = signature(f"{SECRET} {OLD}", "msg_1", now, body)
    assert len(both.split()) == 2
    headers = {"webhook-id": "msg_1", "webhook-timestamp": str(now), "webhook-signature": both}
    for secret in (SECRET, OLD):  # a receiver on either secret takes it
        assert Webhook(secret).verify(body, headers) == {}
    assert new_secret().startswith("whsec_") and new_secret() != new_secret()
    for bad in ("plain words!", "whsec_c2hvcnQ="):
        with pytest.raises(BadSecret):
            signature(bad, "msg_1", now, body)


@pytest.mark.parametrize(("written", "message"), [
    ("  - {url: 'https://h.example/x', secret_env: S, secret: abc}\n", "secret_env"),
    ("  - {url: 'ftp://h.example/x', secret_env: S}\n", "not an http or https address"),
    ("  - {url: 'https://u:p@h.example/x', secret_env: S}\n", "credentials"),
    ("  - {url: 'https://h.example/x', secret_env: 'my secret'}\n", "environment variable"),
    ("  - {url: 'https://h.example/x', secret_env: S, events: [opened, closed]}\n",
     "unknown event kind 'closed'"),
    ("  - {url: 'https://h.example/x', secret_env: S, timeout: 30}\n", "less than or equal"),
    ("  - {url: 'https://h.example/x', secret_env: S}\n"
     "  - {url: 'https://h.example/x', secret_env: T}\n", "listed twice"),
])
def test_a_bad_webhook_is_a_flow_error_with_its_line(tmp_path: Path, written: str,
                                                     message: str) -> None:
    flows, broken = load_brands(hooked(tmp_path / "wf", written))
    assert "bistro" not in flows
    [problem, *_] = broken["bistro"]
    assert message in str(problem) and problem.line is not None


def test_the_outbox_commands(tmp_path: Path, receiver: Receiver) -> None:
    folder = hooked(tmp_path / "wf", hook(receiver.url, ", attempts: 1"))
    runner = CliRunner()

    def recovery(*args: str):  # type: ignore[no-untyped-def]
        return runner.invoke(app, ["--db", f"sqlite:///{tmp_path / 'cli.db'}", "--workflows",
                                   str(folder), "--now", "2026-12-01T10:30Z", "--drill",
                                   *args],
                             prog_name="recovery")

    assert recovery("case", "open", "bistro", "--channel", "instagram", "--author", "@jana",
                    "--text", "Cold soup").exit_code == 0
    listed = recovery("outbox", "list", "--json")
    [pending] = json.loads(listed.stdout)
    assert pending["status"] == "pending" and pending["trigger"] == "open"
    receiver.failing = 1.0
    receiver.reason = "[bold red]Down" + " for maintenance" * 500  # the receiver's own text
    worked = recovery("worker", "--once", "--log-format", "json")
    assert worked.exit_code == 0, worked.output
    lines = [json.loads(line) for line in worked.stderr.splitlines()]
    assert [line["action"] for line in lines] == ["started", "delivery", "stopped"]
    assert lines[1]["status"] == "dead" and lines[1]["delivery_id"] == pending["delivery_id"]
    assert json.loads(recovery("outbox", "stats", "--json").stdout) == {
        "pending": 0, "delivered": 0, "dead": 1, "oldest_pending_seconds": None, "gone": []}
    [dead] = json.loads(recovery("outbox", "list", "--dead", "--json").stdout)
    assert dead["last_error"].startswith("HTTP 500 [bold red]Down for maintenance")
    assert len(dead["last_error"]) == 300  # kept bounded, and shown as it is, not as markup
    shown = recovery("outbox", "list", "--dead").stdout
    assert "[bold" in shown and "red]Down" in shown  # (the table may wrap between the words)
    assert "1 dead" in recovery("outbox", "list", "--dead").stdout
    refused = recovery("outbox", "retry", "99")
    assert refused.exit_code == 3 and refused.stderr.startswith("error: no delivery 99")
    assert recovery("outbox", "retry").exit_code == 2
    receiver.failing = 0.0
    assert "1 dead deliver(ies)" in recovery("outbox", "retry", "--dead").stdout
    again = recovery("worker", "--once")
    assert again.exit_code == 0 and " delivery " in again.stderr and "delivered" in again.stderr
    assert "pending 0, delivered 1, dead 0" in recovery("outbox", "stats").stdout
    assert {got.delivery_id for got in receiver.got} == {pending["delivery_id"]}


def test_one_call_delivers_everything_due_each_case_in_order(
        hooked_engine: Engine, receiver: Receiver) -> None:
    cases = [hooked_engine.open_case("bistro", channel="instagram", author=f"@guest{n}",
                                     text="Cold soup") for n in range(3)]
    for case in cases:
        for trigger in ("acknowledge", "investigate"):
            hooked_engine.fire(case.id, trigger, by="eva")
    tried = hooked_engine.outbox.deliver()
    assert [d.status for d in tried] == ["delivered"] * 9  # one call, nothing left
    assert hooked_engine.outbox.stats().pending == 0
    for case in cases:
        assert [got.body["event"]["seq"] for got in receiver.got
                if got.body["event"]["case_id"] == case.id] == [1, 2, 3]


def test_a_call_bounded_in_time_leaves_the_rest_for_the_next(
        hooked_engine: Engine, receiver: Receiver) -> None:
    for n in range(4):
        hooked_engine.open_case("bistro", channel="instagram", author=f"@guest{n}",
                                text="Cold soup")
    first = hooked_engine.outbox.deliver(within=0.0)  # the worker's bound, spent at once
    assert [d.status for d in first] == ["delivered"]  # one post, then the call ended
    assert hooked_engine.outbox.stats().pending == 3
    assert drain(hooked_engine) == ["delivered"] * 3


def test_an_endpoint_that_says_gone_stops_until_it_is_retried(
        hooked_engine: Engine, receiver: Receiver, clock: Clock) -> None:
    receiver.status = 410
    for n in range(3):
        hooked_engine.open_case("bistro", channel="instagram", author=f"@guest{n}",
                                text="Cold soup")
    [tried] = hooked_engine.outbox.deliver()  # asked once: the others are stopped with it
    assert tried.status == "dead" and tried.last_error.startswith("gone: HTTP 410 Gone")
    assert receiver.refused == 1
    stats = hooked_engine.outbox.stats()
    assert (stats.pending, stats.dead, stats.gone) == (0, 3, [receiver.url])
    clock.advance(days=2)
    assert hooked_engine.outbox.deliver() == [] and receiver.refused == 1  # not asked again
    receiver.status = None  # it is back
    assert hooked_engine.outbox.retry() == 3
    assert drain(hooked_engine) == ["delivered"] * 3
    assert hooked_engine.outbox.stats().gone == []


@pytest.mark.parametrize(("status", "after", "waited"), [
    (429, "120", timedelta(minutes=2)), (503, "3600", timedelta(hours=1)),
    (429, "Wed, 21 Oct 2015 07:28:00 GMT", timedelta(minutes=1))])  # past: the backoff
def test_retry_after_is_waited_at_least(hooked_engine: Engine, receiver: Receiver,
                                        clock: Clock, status: int, after: str,
                                        waited: timedelta) -> None:
    receiver.status, receiver.headers = status, {"Retry-After": after}
    hooked_engine.open_case("bistro", channel="instagram", author="@jana", text="Cold soup")
    [tried] = hooked_engine.outbox.deliver()
    assert tried.status == "pending" and tried.last_error.startswith(f"HTTP {status}")
    assert tried.next_at - clock.now >= waited * 0.99 if waited > timedelta(minutes=1) \
        else tried.next_at - clock.now <= timedelta(minutes=2)  # 1 minute backoff ± jitter




def test_a_retry_after_of_any_shape_is_read_or_ignored_never_raises() -> None:
    from recovery.delivery.courier import LONGEST_WAIT, _retry_after

    assert _retry_after("120") == timedelta(minutes=2)
    assert _retry_after("99999999999999") == LONGEST_WAIT  # capped
    assert _retry_after("Wed, 21 Oct 2099 07:28:00 -0000") == LONGEST_WAIT  # a date, capped
    assert _retry_after("Wed, 21 Oct 2015 07:28:00 GMT") == timedelta(0)  # past
    for junk in ("²", "x" * 5000, "-5", "1.5", "", None, "Mon, 99 Foo 0000 99:99:99"):
        assert _retry_after(junk) is None
