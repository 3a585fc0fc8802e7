"""What the summary is computed from: one INSERT ... SELECT per table and local month, over the
detail rows, built on the reports' own per-referral and per-message queries (so a figure means
what it meant when the reports read the detail rows), grouped by local day."""

from __future__ import annotations

from datetime import date
from typing import Any

import sqlalchemy as sa

from core.extensions import db
from reports.summary.models import (
    DIMENSIONS,
    MessageCounts,
    ReferralCounts,
    ReminderArmCounts,
    ValueCounts,
)
from reports.summary.periods import local_day

REFERRAL_COUNTS = ("scheduled", "attended", "linked_to_care", "follow_up_done")
# The dimensions whose days-to-visit histogram a report reads (the DHIS2 document's
# clinic_service reads counts only, so its histogram would be rows nobody reads).
HISTOGRAM_DIMENSIONS = ("clinic", "peer_educator", "service")


def whole(value: Any) -> Any:
    """The whole part of a non-negative number, as an integer, on both databases."""
    if db.engine.dialect.name == "postgresql":
        return sa.cast(sa.func.floor(value), sa.Integer)
    return sa.cast(value, sa.Integer)  # SQLite truncates: the floor of a non-negative number


def _insert(table: Any, columns: list[str], select: Any) -> None:
    db.session.execute(sa.insert(table).from_select(columns, select))


def referral_counts(first: date, end: date) -> None:
    """The counts per day of [first, end) and group of every dimension (the cascade's, the
    clinic experience's, the DHIS2 document's), and the cascade's days-to-visit histograms."""
    from reports.services import _per_referral

    counts = ReferralCounts.__table__
    values = ValueCounts.__table__
    for dimension in DIMENSIONS:
        per = _per_referral(dimension, first, end)
        rows = sa.select(
            local_day(per.c.created_at, first, end).label("day"),
            sa.cast(per.c.gkey, sa.String).label("gkey"),
            *(per.c[k] for k in REFERRAL_COUNTS),
            whole(per.c.days).label("value"),
        ).subquery("rows")
        _insert(
            counts,
            ["dimension", "grain", "period", "gkey", "referred", *REFERRAL_COUNTS],
            sa.select(
                sa.literal(dimension),
                sa.literal("day"),
                rows.c.day,
                rows.c.gkey,
                sa.func.count(),
                *(sa.func.sum(rows.c[k]) for k in REFERRAL_COUNTS),
            ).group_by(rows.c.day, rows.c.gkey),
        )
        if dimension not in HISTOGRAM_DIMENSIONS:
            continue
        _insert(
            values,
            ["measure", "dimension", "grain", "period", "gkey", "value", "n"],
            sa.select(
                sa.literal("visit_days"),
                sa.literal(dimension),
                sa.literal("day"),
                rows.c.day,
                rows.c.gkey,
                rows.c.value,
                sa.func.count(),
            )
            .where(rows.c.value.is_not(None))
            .group_by(rows.c.day, rows.c.gkey, rows.c.value),
        )


def reminder_arms(first: date, end: date) -> None:
    """The SMS effect's cohort per day, clinic and arm, and the hours-from-the-last-reminder
    histogram of its attended referrals."""
    from reports.sms_effect import _cohort, _hours

    cohort = _cohort("clinic", first, end)
    day = local_day(cohort.c.created_at, first, end)
    _insert(
        ReminderArmCounts.__table__,
        ["grain", "period", "clinic_id", "arm", "referred", "attended"],
        sa.select(
            sa.literal("day"),
            day.label("day"),
            cohort.c.gkey,
            cohort.c.arm,
            sa.func.count(),
            sa.func.sum(cohort.c.attended),
        ).group_by(day, cohort.c.gkey, cohort.c.arm),
    )
    attended = _cohort("clinic", first, end, attended_only=True)
    rows = (
        sa.select(
            local_day(attended.c.created_at, first, end).label("day"),
            sa.cast(attended.c.gkey, sa.String).label("gkey"),
            whole(_hours(attended)).label("value"),
        )
        .where(attended.c.last_delivered.is_not(None))
        .subquery("rows")
    )
    _insert(
        ValueCounts.__table__,
        ["measure", "dimension", "grain", "period", "gkey", "value", "n"],
        sa.select(
            sa.literal("reminder_hours"),
            sa.literal("clinic"),
            sa.literal("day"),
            rows.c.day,
            rows.c.gkey,
            rows.c.value,
            sa.func.count(),
        ).group_by(rows.c.day, rows.c.gkey, rows.c.value),
    )


def message_counts(first: date, end: date) -> None:
    """Messages with a result per day of their send time, kind, gateway, status, error code."""
    from reports.sms_delivery import counted_messages

    rows = counted_messages(first, end)
    day = local_day(rows.c.send_at, first, end)
    code = sa.func.coalesce(rows.c.error_code, "")
    _insert(
        MessageCounts.__table__,
        [
            "grain",
            "period",
            "kind",
            "gateway",
            "status",
            "error_code",
            "messages",
            "sent",
            "segments",
        ],
        sa.select(
            sa.literal("day"),
            day.label("day"),
            rows.c.kind,
            rows.c.gateway,
            rows.c.status,
            code.label("code"),
            sa.func.count(),
            sa.func.sum(rows.c.sent),
            sa.func.sum(rows.c.segments),
        ).group_by(day, rows.c.kind, rows.c.gateway, rows.c.status, code),
    )


# The summary tables, the columns that make a row's group (besides grain and period), and the
# columns summed into a month row.
TABLES: tuple[tuple[Any, tuple[str, ...], tuple[str, ...]], ...] = (
    (ReferralCounts, ("dimension", "gkey"), ("referred", *REFERRAL_COUNTS)),
    (ReminderArmCounts, ("clinic_id", "arm"), ("referred", "attended")),
    (ValueCounts, ("measure", "dimension", "gkey", "value"), ("n",)),
    (MessageCounts, ("kind", "gateway", "status", "error_code"), ("messages", "sent", "segments")),
)
SOURCES = (referral_counts, reminder_arms, message_counts)
