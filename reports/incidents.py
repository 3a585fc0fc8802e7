"""The evidence report: incidents the member agreed to count for advocacy, counted in SQL.

Grouped by the month or district of the incident, or by perpetrator or violation (through their
own rows: an incident naming two perpetrators counts in both groups, and once in the totals).
Counts of 1–4 follow the small-number rule of every report (reports/suppression.py): hidden for
every role but admin, and for every role in what leaves the service (the CSV).
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import sqlalchemy as sa

from core.errors import BadInput
from core.extensions import db
from core.i18n import N_
from core.security import Actor
from reports import tuning
from reports.audit import audit_report
from reports.services import check_range, check_reader
from reports.suppression import protect_single_hidden_cell, suppress
from safety.models import (
    PERPETRATORS,
    VIOLATIONS,
    Incident,
    IncidentPerpetrator,
    IncidentViolation,
)

INCIDENT_GROUP_BY = ("month", "district", "perpetrator", "violation")
KEYS = ("incidents",)
# Codes are listed in their vocabulary's order (the words people know the list by).
_ORDER = {"perpetrator": PERPETRATORS, "violation": VIOLATIONS}


def _month_key(start: date, end: date) -> Any:
    """YYYY-MM of the (local) date it happened on, as a CASE over month boundaries: the same
    SQL on both databases, no dialect's date formatting."""
    whens, first = [], start.replace(day=1)
    while first < end:
        following = (first + timedelta(days=32)).replace(day=1)
        whens.append((Incident.occurred_on < following, first.strftime("%Y-%m")))
        first = following
    return sa.case(*whens, else_=sa.null())


def _counted(start: date, end: date) -> Any:
    """The incidents in the report: advocacy consent given, happened in [start, end)."""
    return (
        Incident.consent_advocacy.is_(True),
        Incident.occurred_on >= start,
        Incident.occurred_on < end,
    )


def raw_counts(group_by: str, start: date, end: date) -> list[tuple[str, int]]:
    """Unsuppressed (group, incidents) pairs, only groups with at least one incident."""
    query = sa.select(Incident.id.label("incident_id")).select_from(Incident)
    if group_by == "month":
        key: Any = _month_key(start, end)
    elif group_by == "district":
        key = Incident.district
    elif group_by == "perpetrator":
        query = query.join(IncidentPerpetrator, IncidentPerpetrator.incident_id == Incident.id)
        key = IncidentPerpetrator.code
    else:
        query = query.join(IncidentViolation, IncidentViolation.incident_id == Incident.id)
        key = IncidentViolation.code
    # GROUP BY a subquery's column: PostgreSQL would not match a CASE with bound parameters.
    sub = query.add_columns(key.label("gkey")).where(*_counted(start, end)).subquery("counted")
    rows = db.session.execute(
        sa.select(sub.c.gkey, sa.func.count(sa.distinct(sub.c.incident_id)))
        .where(sub.c.gkey.is_not(None))
        .group_by(sub.c.gkey)
    ).all()
    return [(str(group), int(count)) for group, count in rows]


def raw_total(start: date, end: date) -> int:
    """How many incidents the report covers, each once."""
    query = sa.select(sa.func.count(Incident.id)).where(*_counted(start, end))
    return int(db.session.scalar(query) or 0)


def _sorted(group_by: str, rows: list[tuple[str, int]]) -> list[tuple[str, int]]:
    if group_by in _ORDER:
        order = {code: i for i, code in enumerate(_ORDER[group_by])}
        return sorted(rows, key=lambda row: (order.get(row[0], len(order)), row[0]))
    if group_by == "month":
        return sorted(rows)
    return sorted(rows, key=lambda row: (row[0].casefold(), row[0]))


def incident_counts(
    *, start: date, end: date, group_by: str, actor: Actor, export: bool = False
) -> dict[str, Any]:
    """Incidents with advocacy consent that happened in [start, end) (local dates), grouped, as
    CONTRACT.md shows them; `export` (a download): suppressed for every role, admins too.
    Audited as `report.read` (or `report.export`) with the filters."""
    admin = check_reader(actor) and not export
    if group_by not in INCIDENT_GROUP_BY:
        raise BadInput(
            N_("group_by must be one of %(choices)s."),
            params={"choices": ", ".join(INCIDENT_GROUP_BY)},
            fields={"group_by": N_("One of %(choices)s.")},
        )
    check_range(start, end)
    tuning.for_report()
    rows = [
        {"group": group, "incidents": suppress(count, admin=admin)}
        for group, count in _sorted(group_by, raw_counts(group_by, start, end))
    ]
    totals: dict[str, Any] = {"incidents": suppress(raw_total(start, end), admin=admin)}
    if not admin:
        protect_single_hidden_cell(rows, totals, KEYS)
    audit_report(actor, "incidents", start, end, group_by, export=export)
    return {"rows": rows, "totals": totals}
