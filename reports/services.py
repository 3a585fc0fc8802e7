"""The referral cascade, with small-count suppression, read from the report summary.

The counts per group and the median whole days to the visit come from the summary's rows
(reports.summary: one GROUP BY of its month and day rows, and a histogram's middle values);
`_per_referral` is the detail query the summary is filled from: one row per referral with its
flags, where a follow-up done is a left join to the grouped set of referrals with one, not a
probe per referral. No referral's row is loaded into Python.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask import current_app

from accounts.models import User
from clinics.models import Clinic
from core.errors import BadInput, Forbidden, ValidationFailed
from core.extensions import db
from core.i18n import N_
from core.security import ADMIN, Actor, can
from referrals.models import FollowUp, Member, Referral, ReferralEvent
from reports import tuning
from reports.audit import audit_report
from reports.suppression import protect_single_hidden_cell, small, suppress

GROUP_BY = ("month", "clinic", "district", "service", "peer_educator")
COUNT_KEYS = ("referred", "scheduled", "attended", "linked_to_care", "follow_up_done")
KEYS = (*COUNT_KEYS, "completion_rate", "median_days_to_visit")
MAX_RANGE_DAYS = 3700  # about ten years: bounds the month CASE expressions


def _zone() -> ZoneInfo:
    return ZoneInfo(current_app.config["APP_TIMEZONE"])


def local_midnight(day: date) -> datetime:
    """The UTC instant at which a local date (APP_TIMEZONE) begins."""
    return datetime.combine(day, time(0), tzinfo=_zone()).astimezone(UTC)


def seconds_between(later: Any, earlier: Any) -> Any:
    """Seconds from `earlier` to `later` (time columns), in the database's own arithmetic.

    SQLite's julianday is a double carrying ~50 µs of error, so 8 hours came out 7.99999… and
    its whole hours (the summary's floor) 7: rounded to the millisecond, whole units are exact."""
    if db.engine.dialect.name == "postgresql":
        return sa.extract("epoch", later - earlier)
    days = sa.func.julianday(later) - sa.func.julianday(earlier)
    return sa.func.round(days * 86_400_000) / 1000.0


def _days_to_visit() -> Any:
    """Days from creation to the visit, as a number (null when she has not visited)."""
    days = seconds_between(Referral.attended_at, Referral.created_at) / 86400.0
    return sa.case((Referral.attended_at.is_not(None), days), else_=sa.null())


def _service_codes() -> Any:
    """The referral's service codes as rows (one per code): a lateral table function."""
    if db.engine.dialect.name == "postgresql":
        fn = sa.func.json_array_elements_text(Referral.services)
    else:
        fn = sa.func.json_each(Referral.services)
    return fn.table_valued("value").alias("svc")


def _flag(condition: Any) -> Any:
    return sa.case((condition, 1), else_=0)


def _per_referral(dimension: str, start: date, end: date) -> sa.Subquery:
    """One row per referral created in [start, end) (per referral and service for `service` and
    `clinic_service`): its key in the summary's `dimension`, its flags and days to the visit;
    what reports/summary/sources.py sums per local day."""
    service_code = None
    query = sa.select().select_from(Referral)
    key: Any
    if dimension == "clinic":
        query = query.join(Clinic, Clinic.id == Referral.clinic_id)
        key = Clinic.id
    elif dimension == "peer_educator":
        query = query.join(Member, Member.id == Referral.member_id).join(
            User, User.id == Member.peer_educator_id
        )
        key = User.id
    elif dimension == "service":
        svc = _service_codes()
        query = query.join(svc, sa.true())
        key = service_code = svc.c.value
    elif dimension == "clinic_service":
        # "<clinic id>:<service code>": the DHIS2 document's cells, one row per referral and
        # service like the service grouping (its follow-up done is that service's too).
        svc = _service_codes()
        query = query.join(Clinic, Clinic.id == Referral.clinic_id).join(svc, sa.true())
        service_code = svc.c.value
        key = sa.cast(Clinic.id, sa.String) + ":" + service_code
    else:
        raise ValueError(f"no summary dimension {dimension!r}")
    ever_scheduled = Referral.appointment_at.is_not(None) | sa.exists().where(
        ReferralEvent.referral_id == Referral.id, ReferralEvent.to_status == "scheduled"
    )
    # Referrals with a follow-up done (for its own service in the service grouping), joined as
    # one grouped set: a hash or merge join, not a probe per referral.
    done_keys = [FollowUp.referral_id] + (
        [FollowUp.service_code] if service_code is not None else []
    )
    done_set = (
        sa.select(*done_keys).where(FollowUp.status == "done").group_by(*done_keys).subquery("done")
    )
    on = done_set.c.referral_id == Referral.id
    if service_code is not None:
        on = on & (done_set.c.service_code == service_code)
    query = query.outerjoin(done_set, on)
    done = done_set.c.referral_id.is_not(None)
    return (
        query.add_columns(
            key.label("gkey"),
            _flag(ever_scheduled).label("scheduled"),
            _flag(Referral.status == "attended").label("attended"),
            _flag(Referral.linked_to_care.is_(True)).label("linked_to_care"),
            _flag(done).label("follow_up_done"),
            _days_to_visit().label("days"),
            Referral.created_at.label("created_at"),
        )
        .where(
            Referral.created_at >= local_midnight(start),
            Referral.created_at < local_midnight(end),
        )
        .subquery("per_referral")
    )


def summary_grouping(group_by: str | None, table: Any) -> tuple[str, Any, Any, tuple]:
    """How a grouping reads a summary `table`: (its dimension, key, label, joins)."""
    from reports.summary.periods import month_label

    as_id = sa.cast(table.c.gkey, sa.Integer)
    if group_by == "month":
        return "clinic", month_label(table.c.period), month_label(table.c.period), ()
    if group_by in ("clinic", "district"):
        joins = ((Clinic, Clinic.id == as_id),)
        if group_by == "clinic":
            return "clinic", Clinic.id, Clinic.name, joins
        return "clinic", Clinic.district, Clinic.district, joins
    if group_by == "peer_educator":
        return "peer_educator", User.id, User.display_name, ((User, User.id == as_id),)
    if group_by == "service":
        return "service", table.c.gkey, table.c.gkey, ()
    return "clinic", sa.literal("total"), sa.literal("total"), ()


def raw_counts(group_by: str | None, start: date, end: date) -> list[dict[str, Any]]:
    """Unsuppressed counts per group (`group_by=None`: one row, the totals), and each group's
    median whole days to the visit with how many visits it rests on, from the report summary
    (reports.summary): a GROUP BY of its day and month rows, never of the referrals."""
    from reports.summary import read
    from reports.summary.models import ReferralCounts, ValueCounts

    table = ReferralCounts.__table__
    dimension, key, label, joins = summary_grouping(group_by, table)
    counts = read.sums(
        table,
        start,
        end,
        COUNT_KEYS,
        (key, label),
        where=table.c.dimension == dimension,
        joins=joins,
    )
    values = ValueCounts.__table__
    _, value_key, _, value_joins = summary_grouping(group_by, values)
    days = read.medians("visit_days", dimension, start, end, value_key, value_joins)
    rows = []
    for row in counts:
        item = {"key": row.gkey, "group": row.glabel}
        item.update({k: int(getattr(row, k) or 0) for k in COUNT_KEYS})
        median, item["visits"] = days.get(row.gkey, (None, 0))
        item["median_days"] = None if median is None else float(median)
        rows.append(item)
    return rows


def present(counts: dict[str, Any], *, admin: bool) -> dict[str, Any]:
    """A row as CONTRACT.md shows it: counts 1-4 become "<5" and rates built on them null."""
    out: dict[str, Any] = {}
    for key in COUNT_KEYS:
        out[key] = suppress(counts[key], admin=admin)
    referred, attended = counts["referred"], counts["attended"]
    hidden = not admin and (small(referred) or small(attended))
    out["completion_rate"] = None if referred == 0 or hidden else round(attended / referred, 3)
    median, visits = counts["median_days"], counts["visits"]
    small_sample = not admin and small(visits)
    out["median_days_to_visit"] = (
        None if median is None or not visits or small_sample else round(median, 1)
    )
    return out


def check_reader(actor: Actor) -> bool:
    """403 unless the actor may read reports; returns whether counts are shown unsuppressed."""
    if not can(actor, "reports.read"):
        raise Forbidden(N_("Your role may not read reports."))
    return actor.role == ADMIN


def check_range(start: date, end: date) -> None:
    """[start, end) must be a non-empty range of at most about ten years."""
    if start >= end:
        raise ValidationFailed(
            N_("The start date is after the end date."), fields={"from": N_("After the end date.")}
        )
    if (end - start).days > MAX_RANGE_DAYS:
        raise ValidationFailed(
            N_("The range may span at most ten years."), fields={"from": N_("Range too long.")}
        )


def cascade(
    *, start: date, end: date, group_by: str, actor: Actor, export: bool = False
) -> dict[str, Any]:
    """The cascade over referrals created in [start, end) (local dates), grouped, suppressed;
    `export` (a download): suppressed for every role, admins too. Audited as `report.read` (or
    `report.export`) with the filters."""
    admin = check_reader(actor) and not export
    if group_by not in GROUP_BY:
        raise BadInput(
            N_("group_by must be one of %(choices)s."),
            params={"choices": ", ".join(GROUP_BY)},
            fields={"group_by": N_("One of %(choices)s.")},
        )
    check_range(start, end)
    tuning.for_report()
    rows = raw_counts(group_by, start, end)
    if group_by == "month":
        rows.sort(key=lambda r: r["group"])
    else:
        rows.sort(key=lambda r: (str(r["group"]).casefold(), str(r["key"])))
    total = raw_counts(None, start, end)
    empty = {**dict.fromkeys(COUNT_KEYS, 0), "median_days": None, "visits": 0}
    shown = [{"group": r["group"], **present(r, admin=admin)} for r in rows]
    totals = present(total[0] if total else empty, admin=admin)
    if not admin:
        protect_single_hidden_cell(shown, totals, COUNT_KEYS)
    audit_report(actor, "cascade", start, end, group_by, export=export)
    from reports.summary.refresh import as_of_iso  # the summary's modules import this one

    return {"rows": shown, "totals": totals, "as_of": as_of_iso()}


# The DHIS2 export lives in its own module; `services.dhis2_data_values` is the name to call.
from reports.dhis2 import dhis2_data_values  # noqa: E402, F401
