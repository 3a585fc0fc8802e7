"""The scheduler: registered ticks, advisory locks, and a clean stop on SIGTERM."""

from __future__ import annotations

import logging
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from core.extensions import db
from core.registry import registry
from core.scheduler import _lock_id, build_scheduler, run_job, stopping
from tests.support.sms import process_env

REPO = Path(__file__).resolve().parents[2]


def test_dispatch_tick_is_registered_shared_and_carries_no_data(app):
    job = registry(app).jobs["reminders.dispatch"]
    assert job.exclusive is False  # dispatch shares rows through SKIP LOCKED
    assert 1 <= job.seconds <= 10
    scheduler = build_scheduler(app, blocking=False)
    aps_job = scheduler.get_job("reminders.dispatch")
    assert aps_job.args == (app, "reminders.dispatch")  # a name, never personal data
    assert scheduler.get_job("heartbeat") is not None


def test_a_built_scheduler_logs_its_routine_lines_at_debug(app, caplog):
    build_scheduler(app, blocking=False)
    caplog.set_level(logging.INFO)
    logging.getLogger("apscheduler.executors.default").info('Job "%s" executed successfully', "x")
    assert caplog.records == []


def test_an_exclusive_job_runs_once_per_tick_on_postgresql(app):
    calls = []
    from core.scheduler import Job

    job = Job("test.exclusive", lambda: calls.append(1), 60, exclusive=True)
    if db.engine.dialect.name != "postgresql":
        run_job(app, job)
        assert calls == [1]
        return
    with db.engine.connect() as other:  # another scheduler process holds the lock
        assert other.execute(
            sa.text("SELECT pg_try_advisory_lock(:k)"), {"k": _lock_id(job.name)}
        ).scalar()
        run_job(app, job)
        assert calls == []
        other.execute(sa.text("SELECT pg_advisory_unlock(:k)"), {"k": _lock_id(job.name)})
        other.commit()
    run_job(app, job)
    assert calls == [1]


def test_not_stopping_outside_a_shutdown():
    assert stopping() is False


@pytest.mark.slow
def test_scheduler_run_dispatches_and_stops_cleanly_on_sigterm(app, database_url):
    """A subprocess on the test's own database (a file for SQLite), data committed first."""
    from core.crypto import blind_index
    from notifications.models import Contact, OutboxMessage

    # Any hour is allowed for her, so the real clock's time of day does not matter.
    number = "+8801711000777"
    contact = Contact(phone=number, phone_index=blind_index(number), language="en",
                      sms_consent=True, window_start="00:00", window_end="00:00")  # fmt: skip
    db.session.add(contact)
    db.session.flush()
    appointment = datetime.now(UTC) + timedelta(days=2)
    db.session.add(
        OutboxMessage(contact_id=contact.id, kind="reminder_24h", subject="referral:K7P2QX9M",
                      dedupe_key="k1", send_at=datetime.now(UTC) - timedelta(minutes=1),
                      target_at=appointment,
                      params={"code": "K7P2QX9M", "place": "Point 1",
                              "appointment_at": appointment.isoformat()})
    )  # fmt: skip
    db.session.commit()
    process = subprocess.Popen(
        [sys.executable, "-m", "flask", "--app", "wsgi", "scheduler", "run"],
        cwd=REPO,
        env=process_env(app, database_url, SMS_BACKEND="console", SMS_DISPATCH_INTERVAL="1"),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        engine = sa.create_engine(database_url)
        deadline = time.monotonic() + 20
        beat = status = None
        while time.monotonic() < deadline and (beat is None or status != "sent"):
            time.sleep(0.2)
            with engine.connect() as conn:
                beat = conn.execute(
                    sa.text("SELECT max(beat_at) FROM scheduler_heartbeats")
                ).scalar()
                status = conn.execute(sa.text("SELECT status FROM outbox_messages")).scalar()
            assert process.poll() is None, process.stdout.read()
        assert beat is not None, "no heartbeat"
        assert status == "sent", "the dispatch tick did not send the due message"
        started = time.monotonic()
        process.send_signal(signal.SIGTERM)
        code = process.wait(timeout=10)
        output = process.stdout.read()
        assert code == 0, output
        assert time.monotonic() - started < 8
        assert "scheduler stopped" in output
        engine.dispose()
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
