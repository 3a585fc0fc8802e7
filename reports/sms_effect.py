"""The SMS effect: attendance of referrals whose member got a reminder, next to those whose
reminders were never confirmed delivered or never sent (CONTRACT.md), computed by the database.

The cohort: referrals created in [from, to) (local dates) with an appointment and a known
outcome (attended, missed or expired; cancelled and open ones are left out). A referral is
"with reminders" when at least one `reminder_24h` or `reminder_2h` of its subject was delivered,
"unconfirmed" when one reached a provider (sent, or reported undelivered or failed after being
sent) but none was confirmed delivered, and "without reminders" when none reached a provider (no
consent, no phone, opted out, held, skipped or failed at once). The outbox is read through
`notifications.services.outbox_table()` only.

The report reads the materialised summary (reports.summary): the arms' counts per local day (or
month) and clinic from `report_reminder_arms`, and the median from `report_value_counts`'s
histogram of WHOLE hours (the floor) from the last reminder delivered before the visit to the
visit, so the median is one of those whole hours or the mean of the two middle ones. `_cohort`
and `_hours` are the detail queries the summary is filled from (reports.summary.sources); the
figures are as of the summary's last refresh (`as_of`).

The difference is "with" minus "without", with Newcombe's hybrid score interval (method 10 of
Newcombe 1998, built from the two Wilson score intervals). This is an observational comparison,
not a trial: members who can receive reminders may differ in other ways too.
"""

from __future__ import annotations

import math
from datetime import date
from typing import Any

import sqlalchemy as sa

from clinics.models import Clinic
from core.security import Actor
from notifications import services as notifications
from referrals.models import Referral
from referrals.services.messaging import REMINDER_KINDS, subject_for
from reports import tuning
from reports.audit import audit_report
from reports.common import (
    RATE_DECIMALS,
    check_group_by,
    in_range,
    month_key,
    rate,
)
from reports.services import check_range, check_reader, seconds_between
from reports.summary import read
from reports.summary.models import ReminderArmCounts, ValueCounts
from reports.summary.periods import month_label
from reports.suppression import protect_single_hidden_cell, small, suppress

NAME = "sms_effect"
GROUP_BY = ("month", "clinic")
ARMS = ("with_reminders", "unconfirmed", "without_reminders")
OUTCOMES = ("attended", "missed", "expired")
Z95 = 1.959963984540054  # the standard normal's 97.5th percentile
# The message reached a provider: accepted, delivered or not, or reported failed after sending.
_REACHED = ("sent", "delivered", "undelivered")


# ---- the statistics (pure Python, no dependency) --------------------------------------------


def wilson(successes: int, n: int, z: float = Z95) -> tuple[float, float]:
    """The Wilson score interval of a proportion (no continuity correction)."""
    if n <= 0:
        raise ValueError("no observations")
    p = successes / n
    denominator = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denominator
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denominator
    return max(0.0, centre - half), min(1.0, centre + half)


def newcombe(x1: int, n1: int, x2: int, n2: int, z: float = Z95) -> tuple[float, float, float]:
    """p1 − p2 with Newcombe's hybrid score interval (method 10): (difference, low, high)."""
    p1, p2 = x1 / n1, x2 / n2
    l1, u1 = wilson(x1, n1, z)
    l2, u2 = wilson(x2, n2, z)
    difference = p1 - p2
    low = difference - math.sqrt((p1 - l1) ** 2 + (u2 - p2) ** 2)
    high = difference + math.sqrt((u1 - p1) ** 2 + (p2 - l2) ** 2)
    return difference, low, high


# ---- the queries ----------------------------------------------------------------------------


def _reached_sent(outbox: Any) -> Any:
    return outbox.c.status.in_(_REACHED) | (
        (outbox.c.status == "failed") & outbox.c.sent_at.is_not(None)
    )


def _cohort(
    group_by: str | None, start: date, end: date, *, attended_only: bool = False
) -> sa.Subquery:
    """One row per referral of the cohort: group key and label, arm, attended (0/1), and the
    time of the last reminder delivered before the visit (attended ones); `attended_only`: the
    attended referrals alone, by a plain condition on the status the planner estimates well."""
    outbox = notifications.outbox_table()
    reminders = sa.and_(
        outbox.c.subject == sa.literal(subject_for("")) + Referral.code,
        outbox.c.kind.in_(REMINDER_KINDS),
    )
    delivered = sa.exists().where(reminders, outbox.c.status == "delivered")
    reached = sa.exists().where(reminders, _reached_sent(outbox))
    last_delivered = (
        sa.select(sa.func.max(outbox.c.delivered_at))
        .where(
            reminders,
            outbox.c.status == "delivered",
            outbox.c.delivered_at <= Referral.attended_at,
        )
        .scalar_subquery()
    )
    query = sa.select().select_from(Referral)
    key: Any
    label: Any
    if group_by == "clinic":
        query = query.join(Clinic, Clinic.id == Referral.clinic_id)
        key, label = Clinic.id, Clinic.name
    elif group_by == "month":
        key = label = month_key(Referral.created_at, start, end)
    else:
        key = label = sa.literal("total")
    arm = sa.case(
        (delivered, ARMS[0]), (reached, ARMS[1]), else_=ARMS[2]
    )  # evaluated in this order: delivered wins over merely sent
    attended = Referral.status == "attended"
    # Plain (no CASE) when every row is attended: the planner then estimates the sample well.
    last = last_delivered if attended_only else sa.case((attended, last_delivered), else_=sa.null())
    return (
        query.add_columns(
            key.label("gkey"),
            label.label("glabel"),
            arm.label("arm"),
            sa.case((attended, 1), else_=0).label("attended"),
            Referral.attended_at.label("attended_at"),
            last.label("last_delivered"),
            Referral.created_at.label("created_at"),
        )
        .where(
            in_range(Referral.created_at, start, end),
            Referral.appointment_at.is_not(None),
            Referral.status == "attended" if attended_only else Referral.status.in_(OUTCOMES),
        )
        # OFFSET 0: PostgreSQL keeps the cohort a subquery, so the last reminder is looked up
        # once per referral, not again for each outer use of it.
        .offset(0 if attended_only else None)
        .subquery("cohort")
    )


def _hours(cohort: sa.Subquery) -> Any:
    """Hours from the last delivered reminder to the visit, in the database's arithmetic."""
    return seconds_between(cohort.c.attended_at, cohort.c.last_delivered) / 3600.0


# ---- reading the summary --------------------------------------------------------------------


def _grouping(group_by: str | None, period: Any, clinic_id: Any) -> tuple[Any, Any, tuple]:
    """(key, label, joins) of a grouping over a summary table's `period` and clinic id columns;
    `group_by=None`: one constant group, the totals."""
    if group_by == "month":
        return month_label(period), month_label(period), ()
    if group_by == "clinic":
        return Clinic.id, Clinic.name, ((Clinic, Clinic.id == clinic_id),)
    return sa.literal("total"), sa.literal("total"), ()


def _counts(group_by: str, start: date, end: date) -> dict[Any, dict[str, Any]]:
    """{group key: {"group": label, arm: {"referred", "attended"}}} from the summary's arms."""
    table = ReminderArmCounts.__table__
    key, label, joins = _grouping(group_by, table.c.period, table.c.clinic_id)
    groups: dict[Any, dict[str, Any]] = {}
    for arm in ARMS:  # read.sums groups by (key, label) alone: one small read per arm
        rows = read.sums(
            table,
            start,
            end,
            ("referred", "attended"),
            (key, label),
            where=table.c.arm == arm,
            joins=joins,
        )
        for row in rows:
            group = groups.setdefault(
                row.gkey,
                {"group": row.glabel, **{a: {"referred": 0, "attended": 0} for a in ARMS}},
            )
            group[arm] = {"referred": int(row.referred or 0), "attended": int(row.attended or 0)}
    return groups


def _medians(group_by: str | None, start: date, end: date) -> dict[Any, tuple[float, int]]:
    """{group key: (median whole hours from the last delivered reminder to the visit, how many
    visits)} from the summary's histogram (its gkey is the clinic id as text)."""
    values = ValueCounts.__table__
    key, _, joins = _grouping(group_by, values.c.period, sa.cast(values.c.gkey, sa.Integer))
    return read.medians("reminder_hours", "clinic", start, end, key, joins)


# ---- what the reader sees -------------------------------------------------------------------


def _present(raw: dict[str, Any], median: tuple[float, int] | None, admin: bool) -> dict[str, Any]:
    """One row (or the totals): counts 1–4 "<5", a rate, difference or interval built on one
    null, the median null when it rests on 1–4 visits."""
    out: dict[str, Any] = {}
    hidden: dict[str, bool] = {}
    for arm in ARMS:
        referred, attended = raw[arm]["referred"], raw[arm]["attended"]
        hidden[arm] = not admin and (small(referred) or small(attended))
        out[arm] = {
            "referred": suppress(referred, admin=admin),
            "attended": suppress(attended, admin=admin),
            "rate": None if hidden[arm] else rate(attended, referred),
        }
    with_, without = raw[ARMS[0]], raw[ARMS[2]]
    out["difference"] = out["ci_low"] = out["ci_high"] = None
    if with_["referred"] and without["referred"] and not (hidden[ARMS[0]] or hidden[ARMS[2]]):
        difference, low, high = newcombe(
            with_["attended"], with_["referred"], without["attended"], without["referred"]
        )
        out["difference"] = round(difference, RATE_DECIMALS)
        out["ci_low"], out["ci_high"] = round(low, RATE_DECIMALS), round(high, RATE_DECIMALS)
    value, size = median or (None, 0)
    shown = value is not None and (admin or not small(size))
    out["median_hours_last_reminder_to_visit"] = (
        round(value, 1) if value is not None and shown else None
    )
    return out


def _protect_totals(rows: list[dict[str, Any]], totals: dict[str, Any]) -> None:
    """Complementary suppression per arm and count; a total withheld takes its rate, the
    difference and the interval with it (they would give it back)."""
    for arm in ARMS:
        cells = [row[arm] for row in rows]
        protect_single_hidden_cell(cells, totals[arm], ("referred", "attended"))
        if None in (totals[arm]["referred"], totals[arm]["attended"]):
            totals[arm]["rate"] = None
    if totals[ARMS[0]]["rate"] is None or totals[ARMS[2]]["rate"] is None:
        totals["difference"] = totals["ci_low"] = totals["ci_high"] = None


def sms_effect(
    *, start: date, end: date, group_by: str, actor: Actor, export: bool = False
) -> dict[str, Any]:
    """The SMS effect report for referrals created in [start, end) (CONTRACT.md's shape);
    `export` (a download): suppressed for every role. Audited as a report read or export."""
    admin = check_reader(actor) and not export
    check_group_by(group_by, GROUP_BY)
    check_range(start, end)
    tuning.for_report()
    groups = _counts(group_by, start, end)
    medians = _medians(group_by, start, end)
    order = sorted(groups, key=lambda k: (str(groups[k]["group"]).casefold(), str(k)))
    rows = [
        {"group": str(groups[k]["group"]), **_present(groups[k], medians.get(k), admin)}
        for k in order
    ]
    total = {a: {"referred": 0, "attended": 0} for a in ARMS}
    for group in groups.values():
        for arm in ARMS:
            for count in ("referred", "attended"):
                total[arm][count] += group[arm][count]
    overall = _medians(None, start, end)
    totals = _present(total, overall.get("total"), admin)
    if not admin:
        _protect_totals(rows, totals)
    audit_report(actor, NAME, start, end, group_by, export=export)
    from reports.summary.refresh import as_of_iso  # the summary's modules import this one

    return {"rows": rows, "totals": totals, "as_of": as_of_iso()}
