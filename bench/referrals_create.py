"""Referral creation throughput through gunicorn on PostgreSQL, next to /healthz in the same run.

    .venv/bin/python -m bench.referrals_create [--workers 4] [--clients 16] [--seconds 10]

Makes a private PostgreSQL database on BENCH_DATABASE_URL's server (default: the test server),
seeds a clinic, a peer educator with an API token and a few hundred members, starts gunicorn,
drives `POST /api/v1/referrals` (each creates the referral, its first event, its audit row and
three outbox rows: referral_created, reminder_24h, reminder_2h) and then `GET /healthz` with the
same number of keep-alive clients, prints a Markdown table and drops the database.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import secrets
import socket
import statistics
import subprocess
import sys
import threading
import time
from datetime import datetime, timedelta
from pathlib import Path

import sqlalchemy as sa
from cryptography.fernet import Fernet
from flask_migrate import upgrade

from bench.common import private_database

ROOT = Path(__file__).resolve().parent.parent


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def seed(env: dict, members: int) -> tuple[str, int, list[int]]:
    """Schema, a clinic open all week, a peer educator's token and her members."""
    sys.path.insert(0, str(ROOT))
    from accounts.services import create_user, issue_token
    from clinics.models import Clinic, Service
    from clinics.services import ensure_default_services, set_hours
    from core import create_app
    from core.extensions import db
    from referrals.services import members as member_service

    app = create_app(
        {
            "DATABASE_URL": env["DATABASE_URL"],
            "DATA_KEYS": env["DATA_KEYS"],
            "INDEX_KEY": env["INDEX_KEY"],
            "SECRET_KEY": env["SECRET_KEY"],
            "SCHEDULER_ENABLED": False,
        }
    )
    with app.app_context():
        upgrade()  # the schema as production builds it: the migrations
        ensure_default_services()
        clinic = Clinic(name="Bench clinic", sms_alias="Bench Point", district="Dhaka")
        db.session.add(clinic)
        set_hours(
            clinic,
            {d: [["00:00", "24:00"]] for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")},
        )
        clinic.services = [db.session.get(Service, "hiv_testing"), db.session.get(Service, "prep")]
        pe = create_user(
            email="bench@example.org",
            role="peer_educator",
            password=secrets.token_urlsafe(16),
            display_name="Bench",
        )
        token = issue_token(pe)
        ids = []
        for i in range(members):
            member = member_service.register_member(
                actor=pe, phone=f"0171{i:07d}", language="bn", sms_consent=True
            )
            ids.append(member.id)
        db.session.commit()
        clinic_id = clinic.id
        db.engine.dispose()
    return token, clinic_id, ids


def drive(port: int, clients: int, seconds: float, make_request) -> dict:
    """`clients` keep-alive connections, each sending requests for `seconds`."""
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    lock = threading.Lock()
    start_at = time.monotonic() + 0.2
    stop_at = start_at + seconds

    def run(n: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        mine, codes = [], {}
        while time.monotonic() < start_at:
            time.sleep(0.001)
        while time.monotonic() < stop_at:
            method, path, body, headers = make_request(n)
            t0 = time.perf_counter()
            try:
                conn.request(method, path, body=body, headers=headers)
                response = conn.getresponse()
                response.read()
                status = response.status
            except (OSError, http.client.HTTPException):
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                status = 0
            mine.append(time.perf_counter() - t0)
            codes[status] = codes.get(status, 0) + 1
        conn.close()
        with lock:
            latencies.extend(mine)
            for k, v in codes.items():
                statuses[k] = statuses.get(k, 0) + v

    threads = [threading.Thread(target=run, args=(i,)) for i in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    ordered = sorted(latencies)
    return {
        "requests": len(latencies),
        "per_second": round(len(latencies) / seconds, 1),
        "p50_ms": round(statistics.median(ordered) * 1000, 1) if ordered else None,
        "p95_ms": round(ordered[int(len(ordered) * 0.95) - 1] * 1000, 1) if ordered else None,
        "statuses": statuses,
    }


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=max(2, (os.cpu_count() or 1) * 2))
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--members", type=int, default=300)
    args = parser.parse_args(argv)

    url, admin, name = private_database("harc_bench")
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "DATA_KEYS": Fernet.generate_key().decode(),
        "INDEX_KEY": "bench-index-key",
        "SECRET_KEY": "bench-secret-key",
        "RATELIMIT_ENABLED": "false",
        "SCHEDULER_ENABLED": "false",
        "APP_ENV": "development",
    }
    gunicorn = None
    try:
        token, clinic_id, member_ids = seed(env, args.members)
        port = _free_port()
        gunicorn = subprocess.Popen(
            [
                str(ROOT / ".venv/bin/gunicorn"),
                "-w",
                str(args.workers),
                "-b",
                f"127.0.0.1:{port}",
                "--log-level",
                "warning",
                "wsgi:app",
            ],
            cwd=ROOT,
            env=env,
        )
        for _ in range(200):
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                    break
            except OSError:
                time.sleep(0.05)
        auth = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
        base = datetime.now().astimezone() + timedelta(days=3)

        def create(n: int):
            when = base + timedelta(minutes=random.randint(0, 60 * 24 * 20))
            body = json.dumps(
                {
                    "member_id": random.choice(member_ids),
                    "clinic_id": clinic_id,
                    "services": ["hiv_testing"],
                    "appointment_at": when.isoformat(),
                    "urgency": "routine",
                }
            )
            return "POST", "/api/v1/referrals", body, auth

        def health(n: int):
            return "GET", "/healthz", None, {}

        drive(port, 2, 1.0, create)  # warm-up: every worker imports and connects
        results = {
            "POST /api/v1/referrals": drive(port, args.clients, args.seconds, create),
            "GET /healthz": drive(port, args.clients, args.seconds, health),
        }
        print(
            f"\ngunicorn {args.workers} workers, {args.clients} keep-alive clients, "
            f"{args.seconds:g} s each, PostgreSQL, {os.cpu_count()} CPUs\n"
        )
        print("| endpoint | requests/s | p50 ms | p95 ms | statuses |")
        print("|---|---:|---:|---:|---|")
        for label, r in results.items():
            print(
                f"| {label} | {r['per_second']} | {r['p50_ms']} | {r['p95_ms']} | {r['statuses']} |"
            )
        out = ROOT / "bench" / "results"
        out.mkdir(exist_ok=True)
        (out / "referrals_create.json").write_text(json.dumps(results, indent=2))
        bad = sum(v for k, v in results["POST /api/v1/referrals"]["statuses"].items() if k != 201)
        return 1 if bad else 0
    finally:
        if gunicorn is not None:
            gunicorn.terminate()
            gunicorn.wait(20)
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


if __name__ == "__main__":
    raise SystemExit(main())
