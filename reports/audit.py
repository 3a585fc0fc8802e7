"""The audit row of every report read or download (who, which report, which filters)."""

from __future__ import annotations

from datetime import date, timedelta

from core import audit
from core.security import Actor


def audit_report(
    actor: Actor, name: str, start: date, end: date, group_by: str, *, export: bool
) -> None:
    """`report.read` (or `report.export`) with the report's name and filters (flushes nothing;
    the edge commits it with the answer)."""
    details = {
        "report": name,
        "from": start.isoformat(),
        "to": (end - timedelta(days=1)).isoformat(),
        "group_by": group_by,
    }
    action = "report.export" if export else "report.read"
    audit.record(actor, action, "report", name, details)
