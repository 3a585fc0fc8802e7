"""/healthz's word on the report summary: when it was last computed and whether that is late.

Informational: a late summary leaves /healthz at 200 (reports are not on any member's path, and
a dead scheduler already turns /healthz to 503 through its heartbeat); `status` "stale" is what a
monitor alerts on when the refresh job runs but keeps failing.
"""

from __future__ import annotations

from flask import current_app

from core.db import utcnow

STALE_AFTER_INTERVALS = 4  # a refresh may take a while at a million referrals (bench/README.md)


def summary_health(body: dict) -> bool:
    """Adds `reports_summary`: {refreshed_at, age_seconds, status: ok | stale | never}."""
    from reports.summary.refresh import as_of, as_of_iso

    refreshed = as_of()
    if refreshed is None:
        body["reports_summary"] = {"refreshed_at": None, "age_seconds": None, "status": "never"}
        return True
    age = max((utcnow() - refreshed).total_seconds(), 0.0)
    limit = STALE_AFTER_INTERVALS * int(current_app.config["REPORT_SUMMARY_SECONDS"])
    body["reports_summary"] = {
        "refreshed_at": as_of_iso(),
        "age_seconds": round(age, 1),
        "status": "ok" if age <= limit else "stale",
    }
    return True
