"""PostgreSQL settings for the transaction of a report (SET LOCAL: they end with it).

Measured at a million referrals (bench/reports.py, bench/README.md): the planner's estimates for
the reports' per-referral lookups pass JIT's thresholds, and compiling took 0.2-1.2 s per query
for queries that run in about one second; the sorts of a grouping over a million rows spilled to
disk with the default 4 MB of work memory. Nothing to do on SQLite.
"""

from __future__ import annotations

import sqlalchemy as sa

from core.extensions import db

REPORT_WORK_MEM = "64MB"


def for_report() -> None:
    """No JIT, and work memory enough to sort a grouping in memory, until the transaction ends."""
    if db.engine.dialect.name != "postgresql":
        return
    db.session.execute(sa.text("SET LOCAL jit = off"))
    db.session.execute(sa.text(f"SET LOCAL work_mem = '{REPORT_WORK_MEM}'"))
