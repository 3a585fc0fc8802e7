"""Clinic search latency with 10,000 clinics, on SQLite and PostgreSQL, through the WSGI app
(Flask's test client, in process) and through gunicorn, next to `GET /healthz` in the same run.

    .venv/bin/python -m bench.clinics_search [--clinics 10000] [--requests 200] [--workers 2]

Each backend gets a database of its own (an SQLite file in a temporary directory; a private
PostgreSQL database on BENCH_DATABASE_URL's server, default the test server, dropped at the
end). Prints a Markdown table and writes it into bench/README.md between this benchmark's
markers (`--no-readme` to skip), and the raw numbers into bench/results/clinics_search.json.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import platform
import random
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import sqlalchemy as sa
from cryptography.fernet import Fernet
from flask_migrate import upgrade

from bench.common import private_database

ROOT = Path(__file__).resolve().parent.parent
START, END = "<!-- clinics_search:start -->", "<!-- clinics_search:end -->"
DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")

# The searches measured (a Wednesday 11:00 Dhaka time for open_at).
QUERIES = {
    "two services + district + open_at": (
        "/api/v1/clinics?service=hiv_testing&service=prep&district=Dhaka&open_at=2026-12-02T11:00"
    ),
    "near a point": "/api/v1/clinics?near=23.7806,90.4070",
    "near + service + open_at": (
        "/api/v1/clinics?near=22.3419,91.8132&service=sti&open_at=2026-12-05T01:00"
    ),
    "GET /api/v1/me (yardstick)": "/api/v1/me",
    "GET /healthz": "/healthz",
}
YARDSTICK = "GET /api/v1/me (yardstick)"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _hours(rng: random.Random) -> dict:
    kind = rng.randrange(5)
    if kind == 0:
        return {d: [["09:00", "17:00"]] for d in DAYS if d != "fri"}
    if kind == 1:
        return {d: [["09:00", "13:00"], ["15:00", "20:00"]] for d in DAYS if d != "fri"}
    if kind == 2:
        return {d: [["18:00", "02:00"]] for d in DAYS}
    if kind == 3:
        return {d: [["00:00", "24:00"]] for d in DAYS}
    return {d: [["10:00", "16:00"]] for d in ("sat", "sun", "mon", "tue")}


def populate(url: str, env: dict, count: int) -> str:
    """Schema, the catalogue, `count` clinics (bulk inserts) and an admin's API token."""
    sys.path.insert(0, str(ROOT))
    from accounts.services import create_user, issue_token
    from clinics.hours import validate_hours, week_ranges
    from clinics.models import Clinic, ClinicHours, clinic_services
    from clinics.reference import ATTRIBUTES, DISTRICTS, SERVICE_CODES
    from clinics.seed import TOWNS
    from clinics.services import ensure_default_services
    from core import create_app
    from core.extensions import db

    app = create_app({**_app_config(env), "DATABASE_URL": url})
    rng = random.Random(10_000)
    with app.app_context():
        upgrade()  # the schema as production builds it: the migrations
        ensure_default_services()
        towns = list(TOWNS.items())
        clinics, links, ranges = [], [], []
        for n in range(1, count + 1):
            # Half the clinics in the 12 towns of the demo data, half spread over all districts.
            if n % 2:
                district, (lat, lon, _areas) = towns[(n // 2) % len(towns)]
                lat, lon = lat + rng.uniform(-0.15, 0.15), lon + rng.uniform(-0.15, 0.15)
            else:
                district = DISTRICTS[n % len(DISTRICTS)]
                lat, lon = rng.uniform(20.8, 26.4), rng.uniform(88.2, 92.5)
            hours = validate_hours(_hours(rng))
            attrs = set(rng.sample(ATTRIBUTES, rng.randint(0, 4)))
            clinics.append(
                {
                    "id": n,
                    "name": f"Bench Centre {n:05d}",
                    "sms_alias": f"Point {n}",
                    "district": district,
                    "area": "",
                    "address": f"Road {n % 97}",
                    "latitude": round(lat, 5),
                    "longitude": round(lon, 5),
                    "hours": hours,
                    "status": "active" if n % 50 else "inactive",
                    **{code: code in attrs for code in ATTRIBUTES},
                }
            )
            for code in rng.sample(SERVICE_CODES, rng.randint(2, 8)):
                links.append({"clinic_id": n, "service_code": code})
            ranges += [
                {"clinic_id": n, "start_minute": lo, "end_minute": hi}
                for lo, hi in week_ranges(hours)
            ]
        db.session.execute(sa.insert(Clinic), clinics)
        db.session.execute(sa.insert(clinic_services), links)
        db.session.execute(sa.insert(ClinicHours), ranges)
        if db.engine.dialect.name == "postgresql":
            db.session.execute(sa.text("SELECT setval('clinics_id_seq', :n)"), {"n": count})
        admin = create_user(
            email="bench-admin@example.org",
            role="admin",
            password=secrets.token_urlsafe(16),
            display_name="Bench",
        )
        token = issue_token(admin)
        db.session.commit()
        # As autovacuum would have by then: statistics, and the visibility map that lets
        # PostgreSQL answer from the indexes alone.
        statement = "VACUUM ANALYZE" if db.engine.dialect.name == "postgresql" else "ANALYZE"
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(sa.text(statement))
        db.engine.dispose()
    return token


def _app_config(env: dict) -> dict:
    return {
        "DATA_KEYS": env["DATA_KEYS"],
        "INDEX_KEY": env["INDEX_KEY"],
        "SECRET_KEY": env["SECRET_KEY"],
        "SCHEDULER_ENABLED": False,
        "RATELIMIT_ENABLED": False,
        "APP_ENV": "development",
    }


def _stats(latencies: list[float], statuses: set[int]) -> dict:
    ordered = sorted(latencies)
    return {
        "n": len(ordered),
        "p50_ms": round(statistics.median(ordered) * 1000, 2),
        "p95_ms": round(ordered[max(0, int(len(ordered) * 0.95) - 1)] * 1000, 2),
        "statuses": sorted(statuses),
    }


def measure_wsgi(url: str, env: dict, token: str, requests: int) -> dict:
    """Latency through the WSGI app in this process (Flask's test client, no network)."""
    from core import create_app

    app = create_app({**_app_config(env), "DATABASE_URL": url})
    client = app.test_client()
    headers = {"Authorization": f"Bearer {token}"}
    results = {}
    for label, path in QUERIES.items():
        for _ in range(10):  # warm-up: connections, statement caches
            client.get(path, headers=headers)
        queries = _statements(app, lambda p=path: client.get(p, headers=headers))
        latencies, statuses = [], set()
        for _ in range(requests):
            t0 = time.perf_counter()
            response = client.get(path, headers=headers)
            latencies.append(time.perf_counter() - t0)
            statuses.add(response.status_code)
        results[label] = _stats(latencies, statuses) | {
            "total": _total(response),
            "queries": queries,
        }
    with app.app_context():
        from core.extensions import db

        db.engine.dispose()
    return results


def _statements(app, call) -> int:
    """How many SQL statements one request runs (token check and its commit included)."""
    from core.extensions import db

    with app.app_context():
        engine = db.engine
    count = 0

    def listener(*_args):
        nonlocal count
        count += 1

    sa.event.listen(engine, "before_cursor_execute", listener)
    try:
        call()
    finally:
        sa.event.remove(engine, "before_cursor_execute", listener)
    return count


def _total(response) -> int | None:
    body = response.get_json(silent=True) or {}
    return body.get("total")


def measure_gunicorn(url: str, env: dict, token: str, requests: int, workers: int) -> dict:
    """Latency through gunicorn (sync workers), one client, a new connection per request."""
    port = _free_port()
    process = subprocess.Popen(
        [
            str(ROOT / ".venv/bin/gunicorn"),
            "-w",
            str(workers),
            "-b",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
            "wsgi:app",
        ],
        cwd=ROOT,
        env={**env, "DATABASE_URL": url},
    )
    try:
        _wait_for(port)
        headers = {"Authorization": f"Bearer {token}"}
        results = {}
        for label, path in QUERIES.items():
            for _ in range(10):
                _get(port, path, headers)
            latencies, statuses = [], set()
            for _ in range(requests):
                t0 = time.perf_counter()
                status = _get(port, path, headers)
                latencies.append(time.perf_counter() - t0)
                statuses.add(status)
            results[label] = _stats(latencies, statuses)
        return results
    finally:
        process.terminate()
        process.wait(timeout=30)


def _wait_for(port: int) -> None:
    for _ in range(300):
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError("gunicorn did not start")


def _get(port: int, path: str, headers: dict) -> int:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request("GET", path, headers=headers)
        response = conn.getresponse()
        response.read()
        return response.status
    finally:
        conn.close()


def machine() -> str:
    """nproc, the CPU model, Python, SQLite and the date."""
    model = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    import sqlite3

    return (
        f"{os.cpu_count()} CPUs ({model}), Python {platform.python_version()}, "
        f"SQLite {sqlite3.sqlite_version}, {datetime.now(UTC):%Y-%m-%d %H:%M} UTC"
    )


def table(results: dict, args: argparse.Namespace, pg_version: str, loads: list[float]) -> str:
    """The Markdown section for bench/README.md."""
    lines = [
        "## Clinic search (`bench/clinics_search.py`)",
        "",
        f"Machine: {machine()}; PostgreSQL {pg_version}; 1-minute load average "
        f"{loads[0]:.1f} at the start, {loads[1]:.1f} at the end.",
        f"{args.clinics:,} clinics (2 to 8 services each, 5 weekly hour patterns, 2% inactive); "
        f"{args.requests} sequential requests per row after 10 warm-up requests; gunicorn "
        f"{args.workers} sync workers, a new connection per request. Latency in milliseconds.",
        "",
        "| database | path | request | matches | SQL statements | median ms | p95 ms | "
        "× /api/v1/me |",
        "|---|---|---|---:|---:|---:|---:|---:|",
    ]
    for backend, by_path in results.items():
        for path_name, rows in by_path.items():
            yardstick = rows[YARDSTICK]["p50_ms"]
            for label, row in rows.items():
                wsgi = results[backend]["WSGI"][label]
                total, queries = wsgi.get("total"), wsgi.get("queries")
                ratio = round(row["p50_ms"] / yardstick, 1) if yardstick else ""
                lines.append(
                    f"| {backend} | {path_name} | {label} | "
                    f"{'' if total is None else total} | {queries} | {row['p50_ms']} | "
                    f"{row['p95_ms']} | {ratio} |"
                )
    lines += [
        "",
        "How the search stays in the database: two statements per search (`SQL statements` "
        "counts the whole request: three of them are the Bearer token's check and its "
        "`last_used_at` commit, as in `GET /api/v1/me`). The first reads the service catalogue "
        "(it checks the codes asked for); the second is the page, each row carrying the total "
        "(an uncorrelated `count(*)` subquery over an alias: evaluated once, and the page can "
        "still stop at `LIMIT` on an index), the clinic's service codes (`aggregate_strings`) "
        "and its feedback counts (correlated subqueries, computed for the rows returned). "
        "Services and `open_at` are correlated `EXISTS` on indexed tables (`clinic_services` "
        "primary key and (service_code, clinic_id); `clinic_hours` ranges in minutes of the "
        "week, indexed on (clinic_id, start, end)); a district's active clinics come by name "
        "from (status, district, name, id). `near` orders by a haversine computed in SQL; boxes "
        "of 10, 40 and 160 km (on the (latitude, longitude) index) are tried first, and a box "
        "whose clinics fill the page holds exactly the nearest ones, so in a dense place the "
        "page is one statement; the total is counted once. `matches` is the `total` of the "
        "response; tests/clinics/test_search_queries.py holds the statement counts.",
        "",
        "The machine was shared with other sessions' test runs, so the absolute numbers are "
        "noisy; compare each row with `GET /healthz` of the same run. "
        "Every API request also checks the Bearer token and commits its `last_used_at`.",
        "",
        "Run: `.venv/bin/python -m bench.clinics_search` (about 2 minutes on 2 CPUs; "
        "`--only sqlite|postgresql`, `--requests N`, `--no-readme`).",
    ]
    return "\n".join(lines)


def write_readme(section: str) -> None:
    """Replace this benchmark's section of bench/README.md (or add it)."""
    path = ROOT / "bench" / "README.md"
    text = path.read_text() if path.exists() else "# Benchmarks\n"
    block = f"{START}\n{section}\n{END}"
    if START in text and END in text:
        head, rest = text.split(START, 1)
        text = head + block + rest.split(END, 1)[1]
    else:
        text = text.rstrip() + "\n\n" + block + "\n"
    path.write_text(text)


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark on both databases and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clinics", type=int, default=10_000)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--no-readme", action="store_true")
    parser.add_argument("--only", choices=["sqlite", "postgresql"], default=None)
    args = parser.parse_args(argv)
    env = {
        **os.environ,
        "DATA_KEYS": Fernet.generate_key().decode(),
        "INDEX_KEY": "bench-index-key",
        "SECRET_KEY": "bench-secret-key",
        "RATELIMIT_ENABLED": "false",
        "SCHEDULER_ENABLED": "false",
        "APP_ENV": "development",
    }
    results: dict = {}
    pg_version = "not measured"
    load_start = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="harc-bench-") as tmp:
        env["INSTANCE_PATH"] = tmp
        if args.only in (None, "sqlite"):
            url = f"sqlite:///{tmp}/bench.db"
            token = populate(url, env, args.clinics)
            results["SQLite"] = {
                "WSGI": measure_wsgi(url, env, token, args.requests),
                "gunicorn": measure_gunicorn(url, env, token, args.requests, args.workers),
            }
        if args.only in (None, "postgresql"):
            url, admin, name = private_database("harc_bench_clinics")
            try:
                with admin.connect() as conn:
                    pg_version = conn.execute(sa.text("SHOW server_version")).scalar()
                token = populate(url, env, args.clinics)
                results["PostgreSQL"] = {
                    "WSGI": measure_wsgi(url, env, token, args.requests),
                    "gunicorn": measure_gunicorn(url, env, token, args.requests, args.workers),
                }
            finally:
                with admin.connect() as conn:
                    conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
                admin.dispose()
    section = table(results, args, pg_version, [load_start, os.getloadavg()[0]])
    print(section)
    out = ROOT / "bench" / "results"
    out.mkdir(exist_ok=True)
    (out / "clinics_search.json").write_text(
        json.dumps({"machine": machine(), "results": results}, indent=2)
    )
    if not args.no_readme:
        write_readme(section)
    return 0


if __name__ == "__main__":
    sys.exit(main())
