"""The SMS effect: attendance of referrals whose member got a reminder, next to those whose
reminders were never confirmed delivered or never sent (CONTRACT.md), computed by the database.

The cohort: referrals created in [from, to) (local dates) with an appointment and a known
outcome (attended, missed or expired; cancelled and open ones are left out). A referral is
"with reminders" when at least one `reminder_24h` or `reminder_2h` of its subject was delivered,
"unconfirmed" when one reached a provider (sent, or reported undelivered or failed after being
sent) but none was confirmed delivered, and "without reminders" when none reached a provider (no
consent, no phone, opted out, held, skipped or failed at once). The outbox is read through
`notifications.services.outbox_table()` only.

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
from core.extensions import db
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
    medians,
    month_key,
    rate,
)
from reports.services import check_range, check_reader
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


def _counts(cohort: sa.Subquery) -> dict[Any, dict[str, Any]]:
    """{group key: {"group": label, arm: {"referred", "attended"}}} from one GROUP BY."""
    groups: dict[Any, dict[str, Any]] = {}
    rows = db.session.execute(
        sa.select(
            cohort.c.gkey,
            cohort.c.glabel,
            cohort.c.arm,
            sa.func.count().label("referred"),
            sa.func.sum(cohort.c.attended).label("attended"),
        ).group_by(cohort.c.gkey, cohort.c.glabel, cohort.c.arm)
    )
    for row in rows:
        group = groups.setdefault(
            row.gkey, {"group": row.glabel, **{a: {"referred": 0, "attended": 0} for a in ARMS}}
        )
        group[row.arm] = {"referred": int(row.referred), "attended": int(row.attended or 0)}
    return groups


def _hours(cohort: sa.Subquery) -> Any:
    """Hours from the last delivered reminder to the visit, in the database's arithmetic."""
    if db.engine.dialect.name == "postgresql":
        return sa.extract("epoch", cohort.c.attended_at - cohort.c.last_delivered) / 3600.0
    days = sa.func.julianday(cohort.c.attended_at) - sa.func.julianday(cohort.c.last_delivered)
    return days * 24.0


def _medians(cohort: sa.Subquery, grouped: bool) -> dict[Any, tuple[float, int]]:
    """{group key: (median hours, how many visits)} over a cohort of attended referrals
    (`_cohort(..., attended_only=True)`) with a delivered reminder (reports.common.medians)."""
    key = cohort.c.gkey if grouped else sa.literal("total")
    sample = (
        sa.select(key.label("gkey"), _hours(cohort).label("value"))
        .where(cohort.c.last_delivered.is_not(None))
        .subquery("sample")
    )
    return medians(sample)


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
    cohort = _cohort(group_by, start, end)
    groups = _counts(cohort)
    medians = _medians(_cohort(group_by, start, end, attended_only=True), grouped=True)
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
    overall = _medians(_cohort(None, start, end, attended_only=True), grouped=False)
    totals = _present(total, overall.get("total"), admin)
    if not admin:
        _protect_totals(rows, totals)
    audit_report(actor, NAME, start, end, group_by, export=export)
    return {"rows": rows, "totals": totals}
