"""SMS delivery and cost: messages that left the outbox for a gateway, by month, kind or gateway
(CONTRACT.md), with failures by error code and opt-outs, opt-ins and safety holds per month;
every figure is a GROUP BY of the database over `notifications.services`' read-only selectables
(and the audit log for the contact changes).

A message is counted when it went to a gateway and has a result: sent, delivered, undelivered or
failed, in the local month of its send time. `sent`: it reached the provider (sent, delivered,
undelivered, or failed after it was sent); `failed`: failed or undelivered; `delivery_rate`:
delivered ÷ sent; `segments`: those of the sent messages; `cost`: segments × the price per segment
of the gateway of the message's last attempt (SMS_PRICE_PER_SEGMENT for Twilio,
SMSGATE_PRICE_PER_SEGMENT for the local SIM; the console costs nothing).
"""

from __future__ import annotations

from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import distinct_on

from core.audit import AuditEvent
from core.extensions import db
from core.security import Actor
from notifications import services as notifications
from reports import tuning
from reports.audit import audit_report
from reports.common import check_group_by, in_range, month_key, rate
from reports.services import check_range, check_reader
from reports.suppression import protect_single_hidden_cell, small, suppress

NAME = "sms_delivery"
GROUP_BY = ("month", "kind", "gateway")
COUNT_KEYS = ("sent", "delivered", "failed", "segments")
KEYS = ("sent", "delivered", "failed", "delivery_rate", "segments", "cost")
COUNTED = ("sent", "delivered", "undelivered", "failed")
FAILED = ("failed", "undelivered")
NO_GATEWAY = "none"  # a counted message without an attempt row (older than attempts)
# The audit actions counted as opt-outs, opt-ins and holds (the peer educator's or by SMS).
CHANGES = {
    "opt_outs": ("member.opt_out", "contact.opt_out"),
    "opt_ins": ("member.opt_in", "contact.opt_in"),
    "safety_holds": ("member.safety_hold",),
}
COST_DECIMALS = 4


def _with_last_gateway(outbox: Any) -> tuple[Any, Any]:
    """(the outbox, joined where it helps, and the gateway of each message's last attempt).

    On PostgreSQL the last attempts come as one set (DISTINCT ON over the (message_id, number,
    gateway) index) joined to the messages: at a million referrals that halves the time of a
    lookup per message, which SQLite (no DISTINCT ON) keeps."""
    attempt = notifications.attempts_table()
    if db.engine.dialect.name == "postgresql":
        last = (
            sa.select(attempt.c.message_id, attempt.c.gateway)
            .ext(distinct_on(attempt.c.message_id))
            .order_by(attempt.c.message_id, attempt.c.number.desc())
            .subquery("last_attempt")
        )
        joined = outbox.outerjoin(last, last.c.message_id == outbox.c.id)
        return joined, sa.func.coalesce(last.c.gateway, NO_GATEWAY)
    lookup = (
        sa.select(attempt.c.gateway)
        .where(attempt.c.message_id == outbox.c.id)
        .order_by(attempt.c.number.desc())
        .limit(1)
        .scalar_subquery()
    )
    return outbox, sa.func.coalesce(lookup, NO_GATEWAY)


def counted_messages(start: date, end: date) -> sa.Subquery:
    """One row per counted message sent in [start, end): its gateway, kind, send time, status,
    error code, 0/1 flags, and its segments if it reached the provider."""
    outbox = notifications.outbox_table()
    source, gateway = _with_last_gateway(outbox)
    sent = outbox.c.status.in_(COUNTED[:3]) | (
        (outbox.c.status == "failed") & outbox.c.sent_at.is_not(None)
    )
    # The last attempt's gateway is looked up once per message, not once for the group key and
    # again for the price: OFFSET 0 keeps PostgreSQL from merging the inner query into the outer
    # one (which would copy the lookup into both places).
    return (
        sa.select(
            gateway.label("gateway"),
            outbox.c.kind.label("kind"),
            outbox.c.send_at.label("send_at"),
            outbox.c.status.label("status"),
            outbox.c.error_code.label("error_code"),
            sa.case((sent, 1), else_=0).label("sent"),
            sa.case((outbox.c.status == "delivered", 1), else_=0).label("delivered"),
            sa.case((outbox.c.status.in_(FAILED), 1), else_=0).label("failed"),
            sa.case((sent, sa.func.coalesce(outbox.c.segments, 1)), else_=0).label("segments"),
        )
        .select_from(source)
        .where(outbox.c.status.in_(COUNTED), in_range(outbox.c.send_at, start, end))
        .offset(0)
        .subquery("messages")
    )


def _messages(group_by: str | None, start: date, end: date) -> sa.Subquery:
    """One row per counted message: group key, gateway and 0/1 flags, segments if sent."""
    counted = counted_messages(start, end)
    key: Any
    if group_by == "month":
        key = month_key(counted.c.send_at, start, end)
    elif group_by == "kind":
        key = counted.c.kind
    elif group_by == "gateway":
        key = counted.c.gateway
    else:
        key = sa.literal("total")
    return sa.select(
        key.label("gkey"),
        counted.c.gateway,
        *(counted.c[k] for k in ("sent", "delivered", "failed", "segments")),
    ).subquery("counted")


def raw_counts(group_by: str | None, start: date, end: date) -> dict[str, dict[str, Any]]:
    """{group: {sent, delivered, failed, segments, cost}} unsuppressed, from one GROUP BY of
    (group, gateway); the cost adds each gateway's segments at its price."""
    sub = _messages(group_by, start, end)
    rows = db.session.execute(
        sa.select(
            sub.c.gkey, sub.c.gateway, *(sa.func.sum(sub.c[k]).label(k) for k in COUNT_KEYS)
        ).group_by(sub.c.gkey, sub.c.gateway)
    )
    groups: dict[str, dict[str, Any]] = {}
    for row in rows:
        group = groups.setdefault(str(row.gkey), {**dict.fromkeys(COUNT_KEYS, 0), "cost": 0.0})
        for key in COUNT_KEYS:
            group[key] += int(getattr(row, key) or 0)
        group["cost"] += int(row.segments or 0) * notifications.price_per_segment(row.gateway)
    return groups


def _present(raw: dict[str, Any], admin: bool) -> dict[str, Any]:
    out: dict[str, Any] = {k: suppress(raw[k], admin=admin) for k in COUNT_KEYS}
    hidden = not admin and (small(raw["sent"]) or small(raw["delivered"]))
    out["delivery_rate"] = None if hidden else rate(raw["delivered"], raw["sent"])
    out["cost"] = None if out["segments"] != raw["segments"] else round(raw["cost"], COST_DECIMALS)
    return out


def _order(group_by: str, group: str) -> tuple:
    if group_by == "kind" and group in notifications.MESSAGE_KINDS:
        return (notifications.MESSAGE_KINDS.index(group), group)
    return (len(notifications.MESSAGE_KINDS), group)


def sms_delivery(
    *, start: date, end: date, group_by: str, actor: Actor, export: bool = False
) -> dict[str, Any]:
    """The delivery report over messages due in [start, end) (CONTRACT.md's shape); `export`: a
    download, suppressed for every role. Audited as a report read or export."""
    admin = check_reader(actor) and not export
    check_group_by(group_by, GROUP_BY)
    check_range(start, end)
    tuning.for_report()
    groups = raw_counts(group_by, start, end)
    rows = [
        {"group": group, **_present(groups[group], admin)}
        for group in sorted(groups, key=lambda g: _order(group_by, g))
    ]
    # Every counted message is in exactly one group (a month, a kind, a gateway): the totals are
    # the groups' sums, without a second pass over the messages.
    total = {k: sum(g[k] for g in groups.values()) for k in COUNT_KEYS}
    total["cost"] = sum((g["cost"] for g in groups.values()), 0.0)
    totals = _present(total, admin)
    if not admin:
        protect_single_hidden_cell(rows, totals, COUNT_KEYS)
        if totals["segments"] is None:
            totals["cost"] = None
        if totals["sent"] is None or totals["delivered"] is None:
            totals["delivery_rate"] = None
    audit_report(actor, NAME, start, end, group_by, export=export)
    return {"rows": rows, "totals": totals}


def failures_by_code(start: date, end: date, *, admin: bool) -> list[dict[str, Any]]:
    """Failed and undelivered messages due in [start, end) by provider error code, most first:
    [{"code" (None: no code), "count", "meaning" (None: not in the catalogue)}]."""
    outbox = notifications.outbox_table()
    found = db.session.execute(
        sa.select(outbox.c.error_code, sa.func.count().label("n"))
        .where(outbox.c.status.in_(FAILED), in_range(outbox.c.send_at, start, end))
        .group_by(outbox.c.error_code)
    ).all()
    rows = sorted(found, key=lambda r: (-int(r.n), str(r.error_code or "")))
    return [
        {
            "code": row.error_code,
            "count": suppress(int(row.n), admin=admin),
            "meaning": notifications.describe_error(row.error_code),
        }
        for row in rows
    ]


def contact_changes(start: date, end: date, *, admin: bool) -> dict[str, Any]:
    """Opt-outs, opt-ins and safety holds per local month, from the audit log:
    {"rows": [{"group": YYYY-MM, "opt_outs", "opt_ins", "safety_holds"}], "totals": {...}}."""
    actions = [a for names in CHANGES.values() for a in names]
    month = month_key(AuditEvent.at, start, end)
    flags = (
        sa.case((AuditEvent.action.in_(names), 1), else_=0).label(key)
        for key, names in CHANGES.items()
    )
    sub = (
        sa.select(month.label("gkey"), *flags)
        .where(AuditEvent.action.in_(actions), in_range(AuditEvent.at, start, end))
        .subquery("changes")
    )
    result = db.session.execute(
        sa.select(sub.c.gkey, *(sa.func.sum(sub.c[k]).label(k) for k in CHANGES))
        .group_by(sub.c.gkey)
        .order_by(sub.c.gkey)
    ).all()
    raw = [{"group": r.gkey, **{k: int(getattr(r, k) or 0) for k in CHANGES}} for r in result]
    rows = [{"group": r["group"], **{k: suppress(r[k], admin=admin) for k in CHANGES}} for r in raw]
    totals = {k: suppress(sum(r[k] for r in raw), admin=admin) for k in CHANGES}
    if not admin:
        protect_single_hidden_cell(rows, totals, CHANGES)
    return {"rows": rows, "totals": totals}
