"""Load and faults: gunicorn (4 workers) and two `flask scheduler run` processes on a PostgreSQL
cluster of the bench's own, SMS through the Twilio-compatible fake.

    .venv/bin/python -m bench.load [--seconds 60] [--no-readme]

A: mixed load (clinic searches, referrals created, visits confirmed by the clinic partner, signed
   status callbacks) for --seconds; then drained: every due message sent exactly once.
B: the same while the fake answers 20% of sends with 429 or 500 and PostgreSQL is restarted once
   (pg_ctl restart -m fast) mid-run; failures are counted against the outage; every 201'd referral
   must exist; faults off, drained, every message sent once.
C: due messages, the fake holding each send 1 s; one scheduler SIGKILLed mid-batch; the other
   recovers its expired leases (looked up at the fake, sent only if the fake lacks them).
Prints the tables, writes bench/results/load.json and its section of bench/README.md.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import threading
import time
from datetime import UTC, datetime

import sqlalchemy as sa
from cryptography.fernet import Fernet

from bench.dispatch import machine
from bench.load_cluster import ROOT, Cluster, Processes
from bench.load_data import (
    attempts_of,
    build_app,
    drain,
    insert_due,
    lost_referrals,
    message_check,
    seed,
)
from bench.load_drive import Load, summary
from bench.load_report import render, write_readme
from tests.support.twilio_fake import TwilioFake


class FaultyTwilio(TwilioFake):
    """The fake, answering `fault_rate` of creates with 429 (20429) or 500 (20500)."""

    fault_rate = 0.0
    faults = 0

    def _create(self, form):
        if self.fault_rate and random.random() < self.fault_rate:
            self.faults += 1
            return self._error(20429, 429) if random.random() < 0.5 else self._error(20500, 500)
        return super()._create(form)


def environment(url: str, fake: TwilioFake, port: int) -> dict:
    """The service's environment: the bench cluster, the fake, short intervals and leases."""
    base = {k: v for k, v in os.environ.items() if not k.startswith(("TWILIO_", "SMS", "DATABASE"))}
    return {**base, "DATABASE_URL": url, "DATA_KEYS": Fernet.generate_key().decode(),
            "INDEX_KEY": "bench-index-key", "SECRET_KEY": "bench-secret-key",
            "APP_ENV": "development", "RATELIMIT_ENABLED": "false", "PYTHONPATH": str(ROOT),
            "QUIET_HOURS": "00:00-00:00",  # no quiet hours: the bench may run at night in Dhaka
            "SMS_BACKEND": "twilio", "TWILIO_ACCOUNT_SID": fake.account_sid,
            "TWILIO_AUTH_TOKEN": fake.auth_token, "TWILIO_API_BASE_URL": fake.base_url,
            "TWILIO_FROM_NUMBER": "+15005550006", "PUBLIC_BASE_URL": f"http://127.0.0.1:{port}",
            "SMS_DISPATCH_INTERVAL": "1", "SMS_LEASE_SECONDS": "30",
            "SMS_UNKNOWN_LOOKUP_AFTER": "20", "SMS_RETRY_BASE_SECONDS": "2",
            "SMS_RETRY_MAX_SECONDS": "10", "SMS_MAX_ATTEMPTS": "10",
            "SMS_GATEWAY_COOLDOWN": "5", "SMS_MAX_PER_CONTACT_PER_DAY": "0",
            "HARC_RUN_SCHEDULER": "0"}  # fmt: skip


def outage_split(records, window: tuple[float, float]) -> dict:
    """Failed requests (not the expected status) inside the restart window (+5 s) and outside."""
    from bench.load_drive import EXPECTED

    start, end = window
    failed = [r for r in records if r.status != EXPECTED[r.kind]]
    inside = [r for r in failed if start - 0.5 <= r.at <= end + 5]
    statuses: dict[int, int] = {}
    for r in failed:
        statuses[r.status] = statuses.get(r.status, 0) + 1
    last = max((r.at + r.seconds for r in failed), default=None)
    return {"failed": len(failed), "in_outage": len(inside), "outside": len(failed) - len(inside),
            "statuses": statuses, "restart_s": round(end - start, 2),
            "last_failure_after_restart_s": round(last - end, 2) if last else None}  # fmt: skip


def warm_up(ctx) -> None:
    """Every worker imported and connected, the schedulers ticking: 10 s of load, not counted."""
    Load(ctx["procs"].port, ctx["seeded"], ctx["fake"], ctx["public"]).run(10)
    drain(ctx["app"], 120)


def align(second: float) -> None:
    """Wait for this second of the minute. Messages planned "at once" go at the next whole minute
    (timing works in minutes), so each phase starts at :35: its first burst of sends comes 25 s
    in, before the restart (30 s in) and the end of the load."""
    time.sleep((second - time.time()) % 60)


def next_minute_plus(seconds: float) -> None:
    """Wait until `seconds` after the next whole minute."""
    time.sleep(60 - time.time() % 60 + seconds)


def phase_a(ctx, seconds: float) -> dict:
    align(35)
    load = Load(ctx["procs"].port, ctx["seeded"], ctx["fake"], ctx["public"])
    start, end = load.run(seconds)
    waited, left = drain(ctx["app"], 180)
    return {"load": summary(load.records, end - start), "drain_s": waited, "left": left,
            "messages": message_check(ctx["app"], ctx["fake"]),
            "lost": lost_referrals(ctx["app"], load.created),
            "created": len(load.created)}  # fmt: skip


def phase_b(ctx, seconds: float) -> dict:
    fake, window = ctx["fake"], []
    fake.fault_rate, before = 0.2, fake.faults

    def restart_midway(start: float) -> None:
        def go() -> None:
            time.sleep(max(0.0, start + seconds / 2 - time.monotonic()))
            t0 = time.monotonic()
            ctx["cluster"].restart()
            window.extend([t0, time.monotonic()])

        threading.Thread(target=go).start()

    load = Load(ctx["procs"].port, ctx["seeded"], fake, ctx["public"])
    align(35)
    began = datetime.now()
    start, end = load.run(seconds, during=restart_midway)
    next_minute_plus(15)  # the last referrals' first sends meet the faults too
    fake.fault_rate = 0.0
    waited, left = drain(ctx["app"], 240)
    return {"load": summary(load.records, end - start), "drain_s": waited, "left": left,
            "faults_injected": fake.faults - before,
            "recovered": recovered_since(ctx["procs"], began),
            "outage": outage_split(load.records, window),
            "messages": message_check(ctx["app"], fake),
            "lost": lost_referrals(ctx["app"], load.created),
            "created": len(load.created)}  # fmt: skip


def recovered_since(procs, since: datetime) -> int:
    """Rows the schedulers recovered from expired leases since `since` (their logs, local time)."""
    total = 0
    for i in range(len(procs.schedulers)):
        for line in procs.log_tail(f"scheduler{i}", 100000).splitlines():
            if "from expired leases" in line:
                at = datetime.strptime(line[:19], "%Y-%m-%d %H:%M:%S")
                total += int(line.split("recovered ")[1].split()[0]) if at >= since else 0
    return total


def sending_now(app) -> list[int]:
    """Ids of the rows claimed and not settled."""
    with app.app_context():
        from core.extensions import db

        query = sa.text("SELECT id FROM outbox_messages WHERE status = 'sending'")
        ids = list(db.session.scalars(query))
        db.session.remove()
        db.engine.dispose()
    return ids


def phase_c(ctx, count: int) -> dict:
    fake, procs, app = ctx["fake"], ctx["procs"], ctx["app"]
    fake.latency = 1.0
    at_fake_before = len(fake.messages)
    insert_due(app, count)
    t0 = time.monotonic()
    # More than one batch (50) sending: both schedulers hold claimed rows.
    while len(sending_now(app)) <= 60 and time.monotonic() - t0 < 30:
        time.sleep(0.1)
    procs.kill(procs.schedulers[0])
    in_flight = sending_now(app)
    killed_at, killed_wall = time.monotonic(), datetime.now()
    waited, left = drain(app, 240)
    fake.latency = 0.0
    recovered = recovered_since(procs, killed_wall)
    return {"messages_due": count, "sending_at_kill": len(in_flight),
            "fate_of_those": attempts_of(app, in_flight),
            "sent_during_phase": len(fake.messages) - at_fake_before,
            "recovered_by_survivor": recovered, "drain_s": waited,
            "killed_after_s": round(killed_at - t0, 1), "left": left,
            "messages": message_check(app, fake)}  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    """Run the three phases and report."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--members", type=int, default=300)
    parser.add_argument("--clinics", type=int, default=200)
    parser.add_argument("--kill-batch", type=int, default=400)
    parser.add_argument("--no-readme", action="store_true")
    parser.add_argument(
        "--render", action="store_true", help="only re-render bench/results/load.json"
    )
    args = parser.parse_args(argv)
    out = ROOT / "bench" / "results" / "load.json"
    if args.render:
        write_readme(render(json.loads(out.read_text())))
        return 0

    results: dict = {"machine": machine(), "load_before": os.getloadavg()[0]}
    results["seconds"] = args.seconds
    results["machine"]["started"] = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    cluster, procs, fake = Cluster(), None, FaultyTwilio().start()
    try:
        cluster.start()
        admin = sa.create_engine(cluster.url, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(sa.text("CREATE DATABASE harc"))
        admin.dispose()
        url = cluster.url.rsplit("/", 1)[0] + "/harc"
        procs = Processes({}, workers=4)
        procs.env = environment(url, fake, procs.port)
        app = build_app(procs.env)
        ctx = {"cluster": cluster, "procs": procs, "fake": fake, "app": app,
               "public": procs.env["PUBLIC_BASE_URL"],
               "seeded": seed(app, args.members, args.clinics)}  # fmt: skip
        procs.start_web()
        procs.start_scheduler(), procs.start_scheduler()
        results["postgres"] = cluster.version
        warm_up(ctx)
        results["A"] = phase_a(ctx, args.seconds)
        print(json.dumps(results["A"], indent=1), flush=True)
        results["B"] = phase_b(ctx, args.seconds)
        print(json.dumps(results["B"], indent=1), flush=True)
        results["C"] = phase_c(ctx, args.kill_batch)
        print(json.dumps(results["C"], indent=1), flush=True)
        results["load_after"] = os.getloadavg()[0]
        results["fake_errors"] = [repr(e) for e in fake.errors]
    finally:
        if procs is not None:
            procs.stop()
            print(f"process logs: {procs.logs}")
        fake.stop()
        cluster.stop()
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=2) + "\n")
    section = render(results)
    print("\n" + section)
    if not args.no_readme:
        write_readme(section)
    bad = [results[p]["messages"]["duplicates"] for p in "ABC"]
    return 1 if any(bad) or results["A"]["load"]["create"]["errors"] else 0


if __name__ == "__main__":
    raise SystemExit(main())
