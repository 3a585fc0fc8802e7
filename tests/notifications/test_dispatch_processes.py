"""Several dispatcher processes at once, and one killed mid-batch: each message goes once."""

from __future__ import annotations

import re
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from core.extensions import db
from notifications.models import OutboxMessage
from tests.support.clock import NOW
from tests.support.factories import bulk_messages, statuses
from tests.support.sms import dispatcher_env, spawn_dispatch
from tests.support.twilio_fake import TwilioFake


@pytest.fixture
def fake():
    with TwilioFake() as server:
        yield server
        assert not server.errors, server.errors


def _sent(output: str) -> int:
    match = re.search(r"sent=(\d+)", output)
    assert match, output
    return int(match.group(1))


def _assert_each_sent_exactly_once(fake: TwilioFake, total: int) -> None:
    assert statuses() == {"sent": total}
    counts = fake.counts()
    assert len(fake.messages) == total
    assert max(counts.values()) == 1, [k for k, v in counts.items() if v > 1][:3]
    sids = db.session.scalars(sa.select(OutboxMessage.provider_sid)).all()
    assert len(set(sids)) == total and None not in sids
    assert {m.sid for m in fake.messages} == set(sids)


@pytest.mark.slow
def test_three_dispatcher_processes_share_2000_messages_on_postgresql(app, database_url, fake):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("SQLite runs one dispatcher; SKIP LOCKED sharing is PostgreSQL's")
    total = bulk_messages(2000)
    fake.latency = 0.01
    env = dispatcher_env(app, database_url, fake, SMS_BATCH_SIZE="20")
    processes = [spawn_dispatch(env, NOW) for _ in range(3)]
    outputs = []
    for process in processes:
        out, err = process.communicate(timeout=90)
        assert process.returncode == 0, err[-2000:]
        outputs.append(out)
    shares = [_sent(out) for out in outputs]
    assert sum(shares) == total, shares
    assert sum(1 for share in shares if share > 0) >= 2, shares  # the work was shared
    db.session.expire_all()
    _assert_each_sent_exactly_once(fake, total)


@pytest.mark.slow
def test_a_dispatcher_killed_mid_batch_loses_nothing_and_sends_nothing_twice(
    app, database_url, fake
):
    total = bulk_messages(120, per_contact=3)
    fake.latency = 0.3  # so that sends are in flight when the process dies
    env = dispatcher_env(app, database_url, fake, SMS_BATCH_SIZE="16", SMS_POOL_SIZE="8")
    victim = spawn_dispatch(env, NOW)
    assert fake.wait_for_messages(12, timeout=60), victim.stderr.read() if victim.poll() else ""
    victim.send_signal(signal.SIGKILL)
    victim.wait(timeout=10)
    # Requests that were in flight still land at the provider after the client is gone.
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and any(r.status is None for r in fake.requests):
        time.sleep(0.05)
    accepted_before = len(fake.messages)
    db.session.expire_all()
    left = statuses()
    assert left.get("sending", 0) > 0, left  # claimed rows died with it
    assert accepted_before < total

    # After the lease (5 minutes) expired, a second pass recovers the dead dispatcher's rows.
    fake.latency = 0.0
    rescuer = spawn_dispatch(env, NOW + timedelta(minutes=6))
    out, err = rescuer.communicate(timeout=60)
    assert rescuer.returncode == 0, err[-2000:]
    recovered = int(re.search(r"recovered=(\d+)", out).group(1))
    assert recovered == left["sending"], out
    # The provider had accepted some that the dead process never recorded: none went twice.
    assert accepted_before > left.get("sent", 0)
    assert _sent(out) == total - accepted_before, out
    db.session.expire_all()
    _assert_each_sent_exactly_once(fake, total)


@pytest.mark.slow
def test_sigterm_mid_dispatch_stops_the_scheduler_cleanly_and_loses_nothing(
    app, database_url, fake
):
    from tests.support.factories import make_contact, make_message

    contact = make_contact(window_start="00:00", window_end="00:00")  # any hour: real clock
    appointment = datetime.now(UTC) + timedelta(days=2)
    params = {"code": "K7P2QX9M", "place": "Point 3", "appointment_at": appointment.isoformat()}
    due = datetime.now(UTC) - timedelta(minutes=1)
    for _ in range(40):
        make_message(contact, send_at=due, target_at=appointment, params=params)
    fake.latency = 1.0
    env = dispatcher_env(app, database_url, fake, SMS_DISPATCH_INTERVAL="1", SMS_POOL_SIZE="8")
    scheduler = subprocess.Popen(
        [sys.executable, "-m", "flask", "--app", "wsgi", "scheduler", "run"],
        cwd=env["PYTHONPATH"], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    try:
        assert fake.wait_for_messages(1, timeout=30)  # a dispatch tick is mid-flight
        scheduler.send_signal(signal.SIGTERM)
        started = time.monotonic()
        code = scheduler.wait(timeout=15)
        output = scheduler.stdout.read()
        assert code == 0, output
        assert time.monotonic() - started < 8, output  # in-flight sends finish, nothing new starts
    finally:
        if scheduler.poll() is None:
            scheduler.kill()
            scheduler.wait()
    db.session.expire_all()
    counts = statuses()
    assert "sending" not in counts, counts  # every claimed row recorded or handed back
    assert counts.get("sent", 0) == len(fake.messages) < 40
    assert counts["pending"] == 40 - counts.get("sent", 0)
