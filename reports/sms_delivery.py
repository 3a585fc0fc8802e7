"""SMS delivery and cost: messages that left the outbox for a gateway, by month, kind or gateway
(CONTRACT.md), with messages by status per month, failures by error code, and opt-outs, opt-ins
and safety holds per month. Counts come from the report summary (`report_message_counts`, filled
from `counted_messages`), never the outbox; contact changes from the audit log (few, indexed).

A message is counted when it went to a gateway and has a result: sent, delivered, undelivered or
failed, in the local month of its send time. `sent`: it reached the provider (sent, delivered,
undelivered, or failed after it was sent); `failed`: failed or undelivered; `delivery_rate`:
delivered ÷ sent; `segments`: those of the sent messages. Cost: segments × the price per segment
of the gateway of the message's last attempt (SMS_PRICE_PER_SEGMENT in SMS_PRICE_CURRENCY for
Twilio, SMSGATE_PRICE_PER_SEGMENT in SMSGATE_PRICE_CURRENCY for the local SIM; the console costs
nothing), kept per currency and never added across currencies: `costs` = {currency: amount} for
the currencies with segments, and `cost` the amount when one currency is involved (0 when none),
null when several.
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
from reports.summary.models import MessageCounts
from reports.summary.periods import in_periods, month_label
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
SUMMED = ("messages", "sent", "segments")  # report_message_counts' sums


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


def _summed(start: date, end: date, *keys: Any, where: Any = None) -> list[Any]:
    """Rows of (k0, k1, ..., messages, sent, segments) summed over the summary rows counting
    [start, end) once, grouped by `keys` (expressions over report_message_counts)."""
    table = MessageCounts.__table__
    rows = (
        sa.select(
            *(key.label(f"k{i}") for i, key in enumerate(keys)),
            *(table.c[c] for c in SUMMED),
        )
        .where(in_periods(table, start, end), sa.true() if where is None else where)
        .subquery("rows")
    )
    grouped = [rows.c[f"k{i}"] for i in range(len(keys))]
    query = sa.select(*grouped, *(sa.func.sum(rows.c[c]).label(c) for c in SUMMED)).group_by(
        *grouped
    )
    return list(db.session.execute(query).all())


def _empty() -> dict[str, Any]:
    return {**dict.fromkeys(COUNT_KEYS, 0), "costs": {}, "currency_segments": {}}


def _add(group: dict[str, Any], other: dict[str, Any]) -> None:
    """Add `other`'s counts, and its segments and cost per currency, to `group`."""
    for key in COUNT_KEYS:
        group[key] += other[key]
    for currency, segments in other["currency_segments"].items():
        group["currency_segments"][currency] = (
            group["currency_segments"].get(currency, 0) + segments
        )
        group["costs"][currency] = group["costs"].get(currency, 0.0) + other["costs"][currency]


def raw_counts(group_by: str, start: date, end: date) -> dict[str, dict[str, Any]]:
    """{group: {sent, delivered, failed, segments, costs: {currency: amount}, currency_segments:
    {currency: segments}}} unsuppressed, from one GROUP BY of the summary by (group, gateway,
    status); each gateway's segments are costed at its price, in its currency."""
    table = MessageCounts.__table__
    key = month_label(table.c.period) if group_by == "month" else table.c[group_by]
    groups: dict[str, dict[str, Any]] = {}
    for gkey, gateway, status, messages, sent, segments in _summed(
        start, end, key, table.c.gateway, table.c.status
    ):
        part = _empty()
        part["sent"], part["segments"] = int(sent or 0), int(segments or 0)
        part["delivered"] = int(messages or 0) if status == "delivered" else 0
        part["failed"] = int(messages or 0) if status in FAILED else 0
        currency = notifications.price_currency(gateway)
        if currency is not None and part["segments"]:
            part["currency_segments"][currency] = part["segments"]
            part["costs"][currency] = part["segments"] * notifications.price_per_segment(gateway)
        _add(groups.setdefault(str(gkey), _empty()), part)
    return groups


def _one_cost(costs: dict[str, float | None]) -> float | None:
    """`cost`: the amount when one currency is involved, 0 when none, null when several."""
    if not costs:
        return 0.0
    return next(iter(costs.values())) if len(costs) == 1 else None


def _present(raw: dict[str, Any], admin: bool) -> dict[str, Any]:
    out: dict[str, Any] = {k: suppress(raw[k], admin=admin) for k in COUNT_KEYS}
    hidden = not admin and (small(raw["sent"]) or small(raw["delivered"]))
    out["delivery_rate"] = None if hidden else rate(raw["delivered"], raw["sent"])
    # An amount tells its segments (amount ÷ price): hidden when they are few.
    out["costs"] = {
        currency: None
        if not admin and small(raw["currency_segments"][currency])
        else round(amount, COST_DECIMALS)
        for currency, amount in sorted(raw["costs"].items())
    }
    out["cost"] = _one_cost(out["costs"])
    return out


def _protect_totals(rows: list[dict[str, Any]], totals: dict[str, Any]) -> None:
    """Complementary suppression of the totals (for every role but admin): the counts', and an
    amount when one group's amount in that currency alone is hidden, or (amounts giving the
    segments away) every amount when the segments' total is withheld."""
    protect_single_hidden_cell(rows, totals, COUNT_KEYS)
    for currency in totals["costs"]:
        hidden = [
            row for row in rows if currency in row["costs"] and row["costs"][currency] is None
        ]
        if len(hidden) == 1 or totals["segments"] is None:
            totals["costs"][currency] = None
    totals["cost"] = _one_cost(totals["costs"])
    if totals["sent"] is None or totals["delivered"] is None:
        totals["delivery_rate"] = None


def _order(group_by: str, group: str) -> tuple:
    if group_by == "kind" and group in notifications.MESSAGE_KINDS:
        return (notifications.MESSAGE_KINDS.index(group), group)
    return (len(notifications.MESSAGE_KINDS), group)


def statuses(start: date, end: date, *, admin: bool) -> dict[str, Any]:
    """Counted messages by status per local month: {"rows": [{"group": YYYY-MM, "sent",
    "delivered", "undelivered", "failed"}], "totals": {...}}, small counts suppressed."""
    table = MessageCounts.__table__
    raw: dict[str, dict[str, int]] = {}
    for month, status, messages, _sent, _segments in _summed(
        start, end, month_label(table.c.period), table.c.status
    ):
        raw.setdefault(str(month), dict.fromkeys(COUNTED, 0))[status] += int(messages or 0)
    rows = [
        {"group": month, **{s: suppress(raw[month][s], admin=admin) for s in COUNTED}}
        for month in sorted(raw)
    ]
    totals = {s: suppress(sum(r[s] for r in raw.values()), admin=admin) for s in COUNTED}
    if not admin:
        protect_single_hidden_cell(rows, totals, COUNTED)
    return {"rows": rows, "totals": totals}


def sms_delivery(
    *, start: date, end: date, group_by: str, actor: Actor, export: bool = False
) -> dict[str, Any]:
    """The delivery report over messages due in [start, end) (CONTRACT.md's shape, with
    `statuses` and `as_of`); `export`: a download, suppressed for every role. Audited as a
    report read or export."""
    from reports.summary.refresh import as_of_iso  # the summary's modules import this one

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
    # the groups' sums, without a second pass over the summary.
    total = _empty()
    for group in groups.values():
        _add(total, group)
    totals = _present(total, admin)
    if not admin:
        _protect_totals(rows, totals)
    audit_report(actor, NAME, start, end, group_by, export=export)
    return {
        "rows": rows,
        "totals": totals,
        "statuses": statuses(start, end, admin=admin),
        "as_of": as_of_iso(),
    }


def failures_by_code(start: date, end: date, *, admin: bool) -> list[dict[str, Any]]:
    """Failed and undelivered messages due in [start, end) by provider error code, most first:
    [{"code" (None: no code), "count", "meaning" (None: not in the catalogue)}]."""
    table = MessageCounts.__table__
    found = [
        (code or None, int(messages or 0))
        for code, messages, _sent, _segments in _summed(
            start, end, table.c.error_code, where=table.c.status.in_(FAILED)
        )
    ]
    found.sort(key=lambda r: (-r[1], r[0] or ""))
    return [
        {
            "code": code,
            "count": suppress(n, admin=admin),
            "meaning": notifications.describe_error(code),
        }
        for code, n in found
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
