"""Runs the periodic jobs that packages register; APScheduler ticks, never one job per message."""

from __future__ import annotations

import hashlib
import logging
import os
import signal
import socket
import threading
from datetime import datetime

import sqlalchemy as sa
from flask import Flask
from sqlalchemy.orm import Mapped, mapped_column

from core.db import UTCDateTime, utcnow
from core.extensions import Model, db
from core.logging import quiet_scheduler_routine
from core.registry import Job, registry

log = logging.getLogger(__name__)


class SchedulerHeartbeat(Model):
    """The last time each scheduler process ticked; /healthz reports the newest."""

    __tablename__ = "scheduler_heartbeats"

    process: Mapped[str] = mapped_column(sa.String(120), primary_key=True)
    beat_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


def _lock_id(name: str) -> int:
    return int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big", signed=True)


def run_job(app: Flask, job: Job) -> None:
    """Run one job in its own app context; on PostgreSQL an exclusive job takes an advisory lock."""
    with app.app_context():
        try:
            if job.exclusive and db.engine.dialect.name == "postgresql":
                with db.engine.connect() as lock_conn:
                    got = lock_conn.execute(
                        sa.text("SELECT pg_try_advisory_lock(:k)"), {"k": _lock_id(job.name)}
                    ).scalar()
                    if not got:
                        return
                    try:
                        job.func()
                    finally:
                        lock_conn.execute(
                            sa.text("SELECT pg_advisory_unlock(:k)"), {"k": _lock_id(job.name)}
                        )
                        lock_conn.commit()
            else:
                job.func()
        except Exception:
            db.session.rollback()
            log.exception("scheduler job %s failed", job.name)
        finally:
            db.session.remove()


def beat(app: Flask, process: str) -> None:
    """Record this process's heartbeat."""
    with app.app_context():
        row = db.session.get(SchedulerHeartbeat, process)
        if row is None:
            db.session.add(SchedulerHeartbeat(process=process, beat_at=utcnow()))
        else:
            row.beat_at = utcnow()
        db.session.commit()
        db.session.remove()


def last_heartbeat() -> datetime | None:
    """The newest heartbeat of any scheduler process."""
    return db.session.scalar(sa.select(sa.func.max(SchedulerHeartbeat.beat_at)))


def build_scheduler(app: Flask, *, blocking: bool, executor=None):
    """An APScheduler with one interval job per registered job, plus the heartbeat."""
    from apscheduler.schedulers.background import BackgroundScheduler
    from apscheduler.schedulers.blocking import BlockingScheduler

    cls = BlockingScheduler if blocking else BackgroundScheduler
    quiet_scheduler_routine()
    options: dict = {"timezone": "UTC", "job_defaults": {"coalesce": True, "max_instances": 1}}
    if executor is not None:
        options["executors"] = {"default": executor}
    scheduler = cls(**options)
    process = f"{socket.gethostname()}:{os.getpid()}"
    scheduler.add_job(
        beat, "interval", seconds=15, args=[app, process], id="heartbeat", next_run_time=utcnow()
    )
    for job in registry(app).jobs.values():
        # Only the job's name travels as an argument: job stores pickle arguments.
        scheduler.add_job(
            _run_named,
            "interval",
            seconds=job.seconds,
            args=[app, job.name],
            id=job.name,
            next_run_time=utcnow(),
        )
    return scheduler


def _run_named(app: Flask, name: str) -> None:
    run_job(app, registry(app).jobs[name])


_stop = threading.Event()


def stopping() -> bool:
    """True once the scheduler is shutting down: long jobs (dispatch) stop taking new work."""
    return _stop.is_set()


def run_forever(app: Flask) -> None:
    """`flask scheduler run`: block until SIGTERM or SIGINT, then stop cleanly (exit status 0).

    The signal handler only flags the stop and wakes the scheduler's loop; running jobs see
    `stopping()`, finish what is in flight, and are waited for before the process exits.
    """
    from apscheduler.executors.pool import ThreadPoolExecutor

    _stop.clear()
    executor = ThreadPoolExecutor(max_workers=10)
    scheduler = build_scheduler(app, blocking=True, executor=executor)

    def stop(signum, _frame):
        if _stop.is_set():
            return
        log.info("scheduler stopping on signal %s", signum)
        _stop.set()
        # wait=False: the handler runs on the main thread, inside the scheduler's own loop.
        scheduler.shutdown(wait=False)

    previous = {sig: signal.signal(sig, stop) for sig in (signal.SIGTERM, signal.SIGINT)}
    log.info("scheduler running %d jobs", len(registry(app).jobs))
    try:
        scheduler.start()
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        # Let jobs that were running when the signal came finish (they check stopping()).
        executor.shutdown(wait=True)
        log.info("scheduler stopped")


_background_started = threading.Event()


def start_background(app: Flask) -> None:
    """`make run`: the scheduler beside the development server, once (not in the reloader)."""
    if _background_started.is_set():
        return
    _background_started.set()
    build_scheduler(app, blocking=False).start()


def daily_retention() -> None:
    """The `retention.daily` job: looked at hourly, it purges once a local day (core/retention.py
    keeps the count across processes and restarts)."""
    from core.retention import daily_purge

    daily_purge()
