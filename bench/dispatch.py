"""SMS dispatch throughput through each gateway's real client, and the cost of a pass that finds
nothing.

    .venv/bin/python -m bench.dispatch [--messages 800] [--encrypted 100] [--latency 0.1] [--pool 8]
                                       [--rows 1000000]

1. Throughput: `flask reminders dispatch` processes (one, then three) on PostgreSQL, in one run:
   through the real twilio client to the Twilio-compatible fake (tests/support/twilio_fake.py),
   then (SMS_BACKEND=smsgate) through the real android_sms_gateway client to the SMSGate fake
   relay (tests/support/smsgate_fake.py), plain and end-to-end encrypted (`--encrypted` messages
   per process: each send costs two PBKDF2 derivations), pacing off (SMSGATE_MIN_INTERVAL=0: the
   path is measured, not the phone's 5 s). Each fake holds every request `--latency` seconds.
   Reported next to the bound that the pool and the latency allow (processes x pool / latency).
   Rate = messages / (last accepted - first accepted), measured at the server, so process
   start-up is not counted (the wall time is shown too).
2. An empty pass (bench/dispatch_idle.py): `--rows` outbox rows (final statuses and future pending
   rows, nothing due), the median time of `dispatch_pass` over 20 runs, and EXPLAIN ANALYZE of the
   claim query.

Makes a private database on BENCH_DATABASE_URL's server (default: the test server), prints Markdown
and writes bench/results/dispatch.json, then drops the database.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import sqlalchemy as sa
from cryptography.fernet import Fernet
from flask_migrate import upgrade

from bench.common import private_database
from bench.dispatch_idle import NOW, empty_pass, seed_rows

ROOT = Path(__file__).resolve().parent.parent
ENCRYPTION = "SMSGATE_ENCRYPTION_PASSPHRASE"


def machine() -> dict:
    """nproc, the CPU model and the date, for the table."""
    model = platform.processor() or "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {"nproc": os.cpu_count(), "cpu": model, "date": datetime.now(UTC).strftime("%Y-%m-%d")}


def build_app(env: dict):
    """The app on the bench database (console backend: the throughput runs use processes)."""
    sys.path.insert(0, str(ROOT))
    from core import create_app

    return create_app(
        {
            "DATABASE_URL": env["DATABASE_URL"],
            "DATA_KEYS": env["DATA_KEYS"],
            "INDEX_KEY": env["INDEX_KEY"],
            "SECRET_KEY": env["SECRET_KEY"],
            "SCHEDULER_ENABLED": False,
            "SMS_BACKEND": "console",
        }
    )


def empty_outbox() -> None:
    """No messages, attempts or contacts left (committed)."""
    from core.extensions import db
    from notifications.models import Contact, MessageAttempt, OutboxMessage

    for model in (MessageAttempt, OutboxMessage, Contact):
        db.session.execute(sa.delete(model))
    db.session.commit()


def seed_due(app, count: int) -> None:
    """`count` due messages to count/4 contacts (committed); the outbox is emptied first."""
    from core.crypto import blind_index
    from core.extensions import db
    from notifications.models import Contact, OutboxMessage

    with app.app_context():
        empty_outbox()
        numbers = [f"+8801711{i:06d}" for i in range(max(count // 4, 1))]
        db.session.execute(
            sa.insert(Contact),
            [
                {"phone": n, "phone_index": blind_index(n), "language": "en", "sms_consent": True}
                for n in numbers
            ],
        )
        ids = list(db.session.scalars(sa.select(Contact.id).order_by(Contact.id)))
        appointment = NOW + timedelta(days=1)
        db.session.execute(
            sa.insert(OutboxMessage),
            [
                {
                    "contact_id": ids[i % len(ids)],
                    "kind": "reminder_24h",
                    "subject": f"referral:B{i:07d}",
                    "dedupe_key": f"bench|{i}",
                    "params": {
                        "code": f"B{i:07d}",
                        "place": "Point 3",
                        "appointment_at": appointment.isoformat(),
                    },
                    "target_at": appointment,
                    "send_at": NOW - timedelta(minutes=1),
                }
                for i in range(count)
            ],
        )
        db.session.commit()
        db.engine.dispose()


def throughput(
    app, env: dict, arrivals, processes: int, count: int, pool: int, latency: float
) -> dict:
    """Run `processes` dispatchers over `count` due messages; rates measured at the server, whose
    `arrivals()` lists when each message it accepted arrived."""
    seed_due(app, count)
    before = len(arrivals())
    started = time.monotonic()
    command = [sys.executable, "-m", "flask", "--app", "wsgi", "reminders", "dispatch"]
    command += ["--now", NOW.isoformat()]
    procs = [
        subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        for _ in range(processes)
    ]
    for proc in procs:
        _out, err = proc.communicate(timeout=600)
        if proc.returncode != 0:
            raise SystemExit(f"dispatcher failed: {err[-2000:].decode(errors='replace')}")
    wall = time.monotonic() - started
    times = sorted(arrivals()[before:])
    if len(times) != count:
        raise SystemExit(f"expected {count} messages at the server, got {len(times)}")
    span = times[-1] - times[0] + latency  # the first one also took one latency
    bound = processes * pool / latency
    return {
        "gateway": env["SMS_BACKEND"] + (" encrypted" if env.get(ENCRYPTION) else ""),
        "processes": processes,
        "messages": count,
        "pool": pool,
        "latency_ms": round(latency * 1000),
        "rate": round(count / span, 1),
        "bound": round(bound, 1),
        "efficiency": round(count / span / bound, 3),
        "wall_s": round(wall, 2),
    }


def gateway_runs(app, env: dict, args) -> list[dict]:
    """One and three dispatchers through Twilio, then SMSGate plain, then SMSGate encrypted."""
    from tests.support.smsgate_fake import SMSGateFake, smsgate_config
    from tests.support.twilio_fake import TwilioFake

    runs = []
    with TwilioFake() as twilio:
        twilio.latency = args.latency
        via = {**env, "SMS_BACKEND": "twilio", "TWILIO_ACCOUNT_SID": twilio.account_sid}
        via.update(TWILIO_AUTH_TOKEN=twilio.auth_token, TWILIO_API_BASE_URL=twilio.base_url)
        arrivals = lambda: [m.received_at for m in twilio.messages]  # noqa: E731
        runs += [throughput(app, via, arrivals, n, args.messages * n, args.pool, args.latency)
                 for n in (1, 3)]  # fmt: skip
    for passphrase, per_process in ((None, args.messages), ("bench passphrase", args.encrypted)):
        with SMSGateFake(passphrase=passphrase) as relay:
            relay.latency = args.latency
            via = {**env, **{k: str(v) for k, v in smsgate_config(relay).items()}}
            via["SMSGATE_MIN_INTERVAL"] = "0"  # the path, not the phone's pacing
            runs += [throughput(app, via, relay.arrivals, n, per_process * n, args.pool,
                                args.latency) for n in (1, 3)]  # fmt: skip
    return runs


def main(argv: list[str] | None = None) -> int:
    """Run both parts and print the tables."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=800, help="per dispatcher process")
    parser.add_argument("--encrypted", type=int, default=100, help="per process, encrypted SMSGate")
    parser.add_argument("--latency", type=float, default=0.1)
    parser.add_argument("--pool", type=int, default=8)
    parser.add_argument("--rows", type=int, default=1_000_000)
    args = parser.parse_args(argv)

    sys.path.insert(0, str(ROOT))
    url, admin, name = private_database("harc_bench_dispatch")
    env = {
        **{
            k: v for k, v in os.environ.items() if not k.startswith(("TWILIO_", "SMS_", "SMSGATE_"))
        },
        "DATABASE_URL": url,
        "DATA_KEYS": Fernet.generate_key().decode(),
        "INDEX_KEY": "bench-index-key",
        "SECRET_KEY": "bench-secret-key",
        "APP_ENV": "development",
        "SMS_BACKEND": "twilio",
        "SMS_POOL_SIZE": str(args.pool),
        "SMS_MAX_PER_CONTACT_PER_DAY": "0",  # the bench sends several to one contact
        "TWILIO_FROM_NUMBER": "+15005550006",
        "PUBLIC_BASE_URL": "https://harc.example.org",
        "PYTHONPATH": str(ROOT),
    }
    results: dict = {"machine": machine()}
    try:
        app = build_app(env)
        with app.app_context():
            from core.extensions import db

            upgrade()  # the schema as production builds it: the migrations
            db.engine.dispose()
        results["throughput"] = gateway_runs(app, env, args)
        with app.app_context():
            empty_outbox()
        seed_rows(app, args.rows)
        results["empty_pass"] = empty_pass(app)
        with app.app_context():
            from core.extensions import db

            db.engine.dispose()
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    m = results["machine"]
    print(f"\nMachine: {m['nproc']} CPUs, {m['cpu']}; {m['date']}\n")
    print("| gateway | dispatchers | messages | pool | latency | msg/s "
          "| bound (procs x pool / latency) | of bound | wall s |")  # fmt: skip
    print("|---|---|---|---|---|---|---|---|---|")
    for r in results["throughput"]:
        cells = [r["gateway"], r["processes"], r["messages"], r["pool"], f"{r['latency_ms']} ms"]
        cells.append(r["rate"])
        cells += [r["bound"], f"{r['efficiency']:.0%}", r["wall_s"]]
        print("| " + " | ".join(str(c) for c in cells) + " |")
    e = results["empty_pass"]
    print(f"\nEmpty pass over {e['rows']:,} rows: median {e['median_ms']} ms, p90 {e['p90_ms']} ms")
    print("\n" + e["claim_sql"] + "\n")
    print("\n".join(e["explain"]))
    out = ROOT / "bench" / "results" / "dispatch.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
