"""The materialised report summary: counts per local day and per local month, refreshed from the
detail tables by reports.summary.refresh; the reports read these, never the detail rows.

Every row has a `grain` ("day": `period` is that local date; "month": `period` is the month's first
day and the row is the sum of that month's day rows) so a range reads whole months from month rows
and only its partial months' days from day rows. Medians come from `report_value_counts`: how
many referrals had each whole value (days to the visit, hours from the last reminder), from which
the median of those whole values is exact.
"""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from core.db import UTCDateTime
from core.extensions import Model

# What a referral row is counted under: its clinic, its member's peer educator, each service,
# and each service at its clinic (gkey "<clinic id>:<service code>", the DHIS2 document's).
DIMENSIONS = ("clinic", "peer_educator", "service", "clinic_service")


class ReferralCounts(Model):
    """The cascade's counts of referrals created on a local day (or month), per group."""

    __tablename__ = "report_referral_counts"

    dimension: Mapped[str] = mapped_column(sa.String(16), primary_key=True)
    grain: Mapped[str] = mapped_column(sa.String(8), primary_key=True)
    period: Mapped[date] = mapped_column(sa.Date, primary_key=True)
    gkey: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    referred: Mapped[int] = mapped_column(sa.Integer)
    scheduled: Mapped[int] = mapped_column(sa.Integer)
    attended: Mapped[int] = mapped_column(sa.Integer)
    linked_to_care: Mapped[int] = mapped_column(sa.Integer)
    follow_up_done: Mapped[int] = mapped_column(sa.Integer)


class ReminderArmCounts(Model):
    """The SMS effect's cohort per clinic and arm: referred and attended."""

    __tablename__ = "report_reminder_arms"

    grain: Mapped[str] = mapped_column(sa.String(8), primary_key=True)
    period: Mapped[date] = mapped_column(sa.Date, primary_key=True)
    clinic_id: Mapped[int] = mapped_column(sa.Integer, primary_key=True)
    arm: Mapped[str] = mapped_column(sa.String(24), primary_key=True)
    referred: Mapped[int] = mapped_column(sa.Integer)
    attended: Mapped[int] = mapped_column(sa.Integer)


class ValueCounts(Model):
    """How many referrals of a group had each whole `value` of a `measure` (a histogram)."""

    __tablename__ = "report_value_counts"

    measure: Mapped[str] = mapped_column(sa.String(24), primary_key=True)
    dimension: Mapped[str] = mapped_column(sa.String(16), primary_key=True)
    grain: Mapped[str] = mapped_column(sa.String(8), primary_key=True)
    period: Mapped[date] = mapped_column(sa.Date, primary_key=True)
    gkey: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    value: Mapped[int] = mapped_column(sa.Integer, primary_key=True)
    n: Mapped[int] = mapped_column(sa.Integer)


class MessageCounts(Model):
    """Messages that went to a gateway, by the local day (month) of their send time, kind,
    gateway of the last attempt, status and error code ("" for none)."""

    __tablename__ = "report_message_counts"

    grain: Mapped[str] = mapped_column(sa.String(8), primary_key=True)
    period: Mapped[date] = mapped_column(sa.Date, primary_key=True)
    kind: Mapped[str] = mapped_column(sa.String(32), primary_key=True)
    gateway: Mapped[str] = mapped_column(sa.String(32), primary_key=True)
    status: Mapped[str] = mapped_column(sa.String(16), primary_key=True)
    error_code: Mapped[str] = mapped_column(sa.String(32), primary_key=True)
    messages: Mapped[int] = mapped_column(sa.Integer)
    sent: Mapped[int] = mapped_column(sa.Integer)
    segments: Mapped[int] = mapped_column(sa.Integer)


class SummaryState(Model):
    """When the summary was last refreshed (`refreshed_at`) and last rebuilt whole."""

    __tablename__ = "report_summary_state"

    name: Mapped[str] = mapped_column(sa.String(32), primary_key=True)
    refreshed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    rebuilt_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
