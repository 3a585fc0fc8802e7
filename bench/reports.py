"""The reports at a million referrals: each report's service function, as the API calls it, timed
next to a plain `SELECT count(*) FROM referrals` in the same run (PostgreSQL, a private database).

`.venv/bin/python -m bench.reports [--referrals 1000000] [--runs 5] [--keep] [--database URL]`

The figures and how to read them: bench/README.md. Raw numbers: bench/results/reports.json.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from datetime import UTC, date, datetime
from pathlib import Path

import sqlalchemy as sa
from cryptography.fernet import Fernet

from bench.common import private_database
from bench.reports_seed import END, START, analyze, seed

ROOT = Path(__file__).resolve().parent.parent
YEAR = date(2025, 12, 1)  # the last twelve months of the data
# (label, start, end): whole months read month rows only; a range from and to the middle of a
# month reads the day rows of its first and last months too.
RANGES = (
    ("24 months", START, END),
    ("12 months", YEAR, END),
    ("15 Dec-19 Nov", date(2025, 12, 15), date(2026, 11, 20)),
)


def machine() -> dict:
    """nproc, the CPU model, the date and the load, for the table."""
    model = "unknown"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            model = line.split(":", 1)[1].strip()
            break
    return {
        "nproc": os.cpu_count(),
        "cpu": model,
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "load": os.getloadavg()[0],
    }


def cases() -> list[tuple[str, str, object]]:
    """(report, group_by, call(start, end, actor)) for every report the API serves."""
    from reports import clinic_experience, incidents, services, sms_delivery, sms_effect
    from reports.dhis2 import dhis2_data_values

    out: list[tuple[str, str, object]] = []
    for module, fn, name in (
        (services, services.cascade, "cascade"),
        (sms_effect, sms_effect.sms_effect, "sms-effect"),
        (sms_delivery, sms_delivery.sms_delivery, "sms-delivery"),
        (clinic_experience, clinic_experience.clinic_experience, "clinic-experience"),
    ):
        for group_by in module.GROUP_BY:
            out.append((name, group_by, _bind(fn, group_by)))
    for group_by in incidents.INCIDENT_GROUP_BY:
        out.append(("incidents", group_by, _bind(incidents.incident_counts, group_by)))
    out.append(("dhis2", "month 2026-11", lambda s, e, a: dhis2_data_values("202611", a)))
    return out


def _bind(fn, group_by: str):
    return lambda start, end, actor: fn(start=start, end=end, group_by=group_by, actor=actor)


def timed(call, runs: int) -> float:
    """The median milliseconds of `runs` calls after a warm-up (each call's audit row rolled
    back)."""
    from core.extensions import db

    call()
    db.session.rollback()
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        call()
        samples.append(time.perf_counter() - started)
        db.session.rollback()
    return statistics.median(samples) * 1000


def measure(app, runs: int, log=print) -> list[dict]:
    """Every case over the whole range and over the last year, and count(*) the same way."""
    from accounts.models import User
    from core.extensions import db

    rows = []
    with app.test_request_context("/api/v1/reports/cascade"):
        viewer = db.session.scalar(sa.select(User).where(User.role == "viewer"))
        count = timed(lambda: db.session.scalar(sa.text("SELECT count(*) FROM referrals")), runs)
        rows.append({"report": "SELECT count(*) FROM referrals", "group_by": "", "range": "",
                     "ms": round(count, 1), "ratio": 1.0})  # fmt: skip
        log(f"  count(*): {count:.1f} ms")
        for label, start, end in RANGES:
            for report, group_by, call in cases():
                if report == "dhis2" and label != "24 months":
                    continue
                ms = timed(lambda c=call, s=start, e=end: c(s, e, viewer), runs)
                rows.append({"report": report, "group_by": group_by, "range": label,
                             "ms": round(ms, 1), "ratio": round(ms / count, 2)})  # fmt: skip
                log(f"  {report} {group_by} {label}: {ms:.1f} ms ({ms / count:.2f}x)")
    return rows


def summarise(db) -> dict:
    """Build the report summary as the nightly job does, then a recent refresh as the job does
    every few minutes: seconds each, and the summary's rows per table and grain."""
    from reports.summary.refresh import refresh
    from reports.summary.sources import TABLES

    out: dict = {}
    for name, rebuild in (("rebuild_seconds", True), ("recent_refresh_seconds", False)):
        started = time.perf_counter()
        months = refresh(rebuild=rebuild)["months"]
        db.session.commit()
        out[name] = round(time.perf_counter() - started, 1)
        out[name.replace("seconds", "months")] = months
    with db.engine.connect() as conn:
        conn.execution_options(isolation_level="AUTOCOMMIT").execute(sa.text("ANALYZE"))
    for model, _group, _sums in TABLES:
        table = model.__table__
        counts = db.session.execute(
            sa.select(table.c.grain, sa.func.count()).group_by(table.c.grain)
        ).all()
        out[table.name] = {grain: n for grain, n in counts}
    return out


def table(rows: list[dict]) -> str:
    """The rows as a Markdown table."""
    lines = ["| report | group_by | range | median ms | × count(*) |", "|---|---|---|---:|---:|"]
    for r in rows:
        mark = "" if r["ratio"] <= 3 else " ⚠"
        lines.append(f"| {r['report']} | {r['group_by']} | {r['range']} | {r['ms']} | "
                     f"{r['ratio']}{mark} |")  # fmt: skip
    return "\n".join(lines)


def build_app(url: str):
    """The app on the bench database (no scheduler, console SMS, one DHIS2 org unit)."""
    sys.path.insert(0, str(ROOT))
    from core import create_app

    return create_app(
        {
            "DATABASE_URL": url,
            "DATA_KEYS": Fernet.generate_key().decode(),
            "INDEX_KEY": "bench-index-key",
            "SECRET_KEY": "bench-secret-key",
            "SCHEDULER_ENABLED": False,
            "SMS_BACKEND": "console",
            "DHIS2_ORG_UNIT": "ImspTQPwCqd",
        }
    )


def main(argv: list[str] | None = None) -> int:
    """Create, fill and measure a private database, print the table, write the results."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--referrals", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--keep", action="store_true", help="leave the database for EXPLAIN")
    parser.add_argument("--database", help="measure a kept database again (migrated to head)")
    args = parser.parse_args(argv)
    from flask_migrate import upgrade

    if args.database:
        url, admin, name = args.database, None, ""
    else:
        url, admin, name = private_database("harc_bench_reports")
    result: dict = {"machine": machine(), "referrals": args.referrals}
    try:
        app = build_app(url)
        with app.app_context():
            from core.extensions import db

            upgrade()  # the schema as production builds it: the migrations
            started = time.perf_counter()
            if args.database:
                result["tables"] = analyze(db.engine)
            else:
                result["tables"] = seed(db.engine, args.referrals)
            result["seed_seconds"] = round(time.perf_counter() - started, 1)
            print(f"ready in {result['seed_seconds']} s: {result['tables']}", flush=True)
            result["summary"] = summarise(db)
            print(f"summary: {result['summary']}", flush=True)
            result["rows"] = measure(app, args.runs)
            db.engine.dispose()
    finally:
        if admin is None:
            pass  # a database given with --database stays
        elif args.keep:
            print(f"kept {url}")
        else:
            with admin.connect() as conn:
                conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        if admin is not None:
            admin.dispose()
    result["machine"]["load_end"] = os.getloadavg()[0]
    print(table(result["rows"]))
    out = Path(__file__).parent / "results" / "reports.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(result, indent=2, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
