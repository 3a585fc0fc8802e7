"""The clinic experience: community feedback per clinic or month (how many reports, and how many
said yes to each question), the median wait, and beside it the referrals made to the clinic in
the range and how many attended (CONTRACT.md), computed by the database.

Feedback counts by the day of the visit (`visited_on`, a local date) in [from, to), read live
from the feedback rows; referrals by their local creation day in the same range, read from the
report summary (reports.summary, as of its last refresh: `as_of` in the answer). Grouped by
clinic, a clinic's answers are shown only from FEEDBACK_MIN_REPORTS reports in the range, as the
directory does (fewer: its question counts and median wait are null for every role, and so is
an answer's total when that clinic alone is held back, admins too). On top of that, the
small-number rule: 1-4 is "<5" for every role but admin, and a total that would give one hidden
group away is withheld.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import sqlalchemy as sa

from clinics.models import Clinic, ClinicFeedback
from clinics.reference import FEEDBACK_MIN_REPORTS, FEEDBACK_QUESTIONS
from core.extensions import db
from core.security import Actor
from reports import tuning
from reports.audit import audit_report
from reports.common import check_group_by, medians
from reports.services import check_range, check_reader
from reports.suppression import SUPPRESSED, protect_single_hidden_cell, small, suppress

NAME = "clinic_experience"
GROUP_BY = ("month", "clinic")
QUESTIONS = ("respectful", "refused_service", *FEEDBACK_QUESTIONS)
FEEDBACK_COUNTS = ("reports", *QUESTIONS)
REFERRAL_COUNTS = ("referred", "attended")
COUNTS = (*FEEDBACK_COUNTS, *REFERRAL_COUNTS)
KEYS = ("reports", *QUESTIONS, "median_waiting_minutes", *REFERRAL_COUNTS)
# What the 5-report rule hides on a clinic's row.
ANSWERS = (*QUESTIONS, "median_waiting_minutes")


def _visit_month(start: date, end: date) -> Any:
    """YYYY-MM of the visit's date, as a CASE over the months' first days (rows in range)."""
    whens, first = [], start.replace(day=1)
    while first < end:
        following = (first + timedelta(days=32)).replace(day=1)
        whens.append((ClinicFeedback.visited_on < following, first.strftime("%Y-%m")))
        first = following
    return sa.case(*whens, else_=sa.null())


def _feedback(group_by: str | None, start: date, end: date) -> sa.Subquery:
    """One row per report in the range: group key and label, the answers, the wait."""
    query = sa.select().select_from(ClinicFeedback)
    key: Any
    label: Any
    if group_by == "clinic":
        query = query.join(Clinic, Clinic.id == ClinicFeedback.clinic_id)
        key, label = Clinic.id, Clinic.name
    elif group_by == "month":
        key = label = _visit_month(start, end)
    else:
        key = label = sa.literal("total")
    answers = [getattr(ClinicFeedback, q).label(q) for q in QUESTIONS]
    return (
        query.add_columns(
            key.label("gkey"),
            label.label("glabel"),
            *answers,
            ClinicFeedback.waiting_minutes.label("value"),
        )
        .where(ClinicFeedback.visited_on >= start, ClinicFeedback.visited_on < end)
        .subquery("feedback")
    )


def _feedback_counts(group_by: str, start: date, end: date) -> list[Any]:
    """Per group: the label, how many reports, and the yes to each question (one GROUP BY)."""
    rows = _feedback(group_by, start, end)
    yes = [sa.func.sum(sa.case((rows.c[q].is_(True), 1), else_=0)).label(q) for q in QUESTIONS]
    query = sa.select(rows.c.gkey, rows.c.glabel, sa.func.count().label("reports"), *yes)
    return list(db.session.execute(query.group_by(rows.c.gkey, rows.c.glabel)).all())


def _waiting_medians(group_by: str | None, start: date, end: date) -> dict[Any, tuple[float, int]]:
    """{group key: (median waiting minutes, how many answered)}."""
    rows = _feedback(group_by, start, end)
    sample = sa.select(rows.c.gkey, rows.c.value).where(rows.c.value.is_not(None))
    return medians(sample.subquery("sample"))


def _referral_counts(group_by: str, start: date, end: date) -> list[Any]:
    """Per group: referrals made in the range, and how many of them attended, from the report
    summary's clinic rows (one GROUP BY of its month and day rows, never of the referrals)."""
    from reports.summary import read
    from reports.summary.models import ReferralCounts
    from reports.summary.periods import month_label

    table = ReferralCounts.__table__
    key: Any
    label: Any
    joins: tuple[tuple[Any, Any], ...] = ()
    if group_by == "clinic":
        joins = ((Clinic, Clinic.id == sa.cast(table.c.gkey, sa.Integer)),)
        key, label = Clinic.id, Clinic.name
    else:
        key = label = month_label(table.c.period)
    return read.sums(
        table,
        start,
        end,
        REFERRAL_COUNTS,
        (key, label),
        where=table.c.dimension == "clinic",
        joins=joins,
    )


def _raw(group_by: str, start: date, end: date) -> dict[Any, dict[str, Any]]:
    """{group key: {"group": label, every count}} from the two GROUP BYs, merged by key."""
    groups: dict[Any, dict[str, Any]] = {}

    def group(row: Any) -> dict[str, Any]:
        return groups.setdefault(row.gkey, {"group": row.glabel, **dict.fromkeys(COUNTS, 0)})

    for row in _feedback_counts(group_by, start, end):
        group(row).update({k: int(getattr(row, k) or 0) for k in FEEDBACK_COUNTS})
    for row in _referral_counts(group_by, start, end):
        group(row).update({k: int(getattr(row, k) or 0) for k in REFERRAL_COUNTS})
    return groups


def _present(
    raw: dict[str, Any], median: tuple[float, int] | None, *, admin: bool, enough: bool
) -> dict[str, Any]:
    """One row (or the totals) as the reader sees it; `enough`: the answers may be shown."""
    out: dict[str, Any] = {k: suppress(raw[k], admin=admin) for k in COUNTS}
    value, size = median or (None, 0)
    shown = enough and value is not None and (admin or not small(size))
    out["median_waiting_minutes"] = round(value, 1) if shown and value is not None else None
    if not enough:
        out.update(dict.fromkeys(QUESTIONS))
    return {k: out[k] for k in KEYS}


def _protect_totals(rows: list[dict[str, Any]], totals: dict[str, Any]) -> None:
    """Complementary suppression: a count hidden in one row alone ("<5", or a clinic's answers
    held back under 5 reports) withholds that column's total. For every role: the 5-report
    rule holds for admins too, and the totals minus the other clinics would undo it."""
    # A clinic with no report in the range holds nothing back: its answers are known zeros.
    cells = [
        {k: SUPPRESSED if k in ANSWERS and row[k] is None and row["reports"] != 0 else row[k]
         for k in KEYS}
        for row in rows
    ]  # fmt: skip
    held = {k: totals[k] for k in KEYS}
    protect_single_hidden_cell(cells, held, (*COUNTS,))
    totals.update({k: held[k] for k in COUNTS})


def clinic_experience(
    *, start: date, end: date, group_by: str, actor: Actor, export: bool = False
) -> dict[str, Any]:
    """The clinic experience report for [start, end) (CONTRACT.md's shape); `export` (a
    download): suppressed for every role. Audited as a report read or export."""
    admin = check_reader(actor) and not export
    check_group_by(group_by, GROUP_BY)
    check_range(start, end)
    tuning.for_report()
    groups = _raw(group_by, start, end)
    waits = _waiting_medians(group_by, start, end)
    if group_by == "clinic":
        order = sorted(groups, key=lambda k: (str(groups[k]["group"]).casefold(), str(k)))
    else:
        order = sorted(groups, key=str)
    rows = []
    for k in order:
        enough = group_by != "clinic" or groups[k]["reports"] >= FEEDBACK_MIN_REPORTS
        row = _present(groups[k], waits.get(k), admin=admin, enough=enough)
        rows.append({"group": str(groups[k]["group"]), **row})
    total = {c: sum(g[c] for g in groups.values()) for c in COUNTS}
    overall = _waiting_medians(None, start, end).get("total")
    totals = _present(total, overall, admin=admin, enough=True)
    _protect_totals(rows, totals)  # an admin's counts are never "<5": her answers only
    audit_report(actor, NAME, start, end, group_by, export=export)
    from reports.summary.refresh import as_of_iso  # the summary's modules import reports'

    return {"rows": rows, "totals": totals, "as_of": as_of_iso()}
