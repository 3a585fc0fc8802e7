"""The idle half of bench/dispatch.py: the cost of a dispatch pass that finds nothing due among
`rows` outbox rows, and the claim query's plan (no `main`: bench.dispatch runs it)."""

from __future__ import annotations

import statistics
import time
from datetime import UTC, datetime

import sqlalchemy as sa

NOW = datetime(2026, 12, 1, 5, 0, tzinfo=UTC)  # 11:00 in Dhaka: inside the allowed hours


def seed_rows(app, rows: int) -> None:
    """`rows` outbox rows, none due: 95 % in final statuses, 5 % pending in the future."""
    from core.crypto import blind_index
    from core.extensions import db
    from notifications.models import Contact

    with app.app_context():
        contact = Contact(phone="+8801711999999", phone_index=blind_index("+8801711999999"),
                          language="en", sms_consent=True)  # fmt: skip
        db.session.add(contact)
        db.session.commit()
        db.session.execute(
            sa.text(
                """
                INSERT INTO outbox_messages (contact_id, kind, status, subject, dedupe_key, params,
                    send_at, attempts, created_at, updated_at)
                SELECT :cid, 'reminder_24h',
                    CASE WHEN g % 20 = 0 THEN 'pending'
                         WHEN g % 20 = 1 THEN 'failed'
                         WHEN g % 20 = 2 THEN 'cancelled'
                         WHEN g % 2 = 0 THEN 'delivered' ELSE 'sent' END,
                    'referral:R' || g, 'rows|' || g, '{}'::json,
                    CASE WHEN g % 20 = 0 THEN :now + (g || ' seconds')::interval
                         ELSE :now - (g || ' seconds')::interval END,
                    1, :now, :now
                FROM generate_series(1, :rows) AS g
                """
            ),
            {"cid": contact.id, "now": NOW, "rows": rows},
        )
        db.session.commit()
        db.session.execute(sa.text("ANALYZE outbox_messages"))
        db.session.commit()


def empty_pass(app, runs: int = 20) -> dict:
    """The median time of a dispatch pass that finds nothing, and the claim query's plan."""
    from core.extensions import db
    from notifications.engine.dispatch import dispatch_pass
    from notifications.models import OutboxMessage

    with app.app_context():
        timings = []
        for _ in range(runs):
            started = time.perf_counter()
            stats = dispatch_pass(now=NOW)
            timings.append(time.perf_counter() - started)
            assert stats.claimed == 0 and stats.recovered == 0
        claim = (
            sa.select(OutboxMessage.id)
            .where(OutboxMessage.status == "pending", OutboxMessage.send_at <= NOW)
            .order_by(OutboxMessage.send_at, OutboxMessage.id)
            .limit(50)
            .with_for_update(skip_locked=True)
        )
        compiled = claim.compile(dialect=db.engine.dialect)
        sql = str(compiled)
        with db.engine.connect() as conn:
            plan = [
                row[0]
                for row in conn.exec_driver_sql(
                    "EXPLAIN (ANALYZE, BUFFERS) " + sql, compiled.params
                )
            ]
        total = db.session.scalar(sa.select(sa.func.count()).select_from(OutboxMessage))
    return {
        "rows": total,
        "median_ms": round(statistics.median(timings) * 1000, 2),
        "p90_ms": round(sorted(timings)[int(runs * 0.9) - 1] * 1000, 2),
        "claim_sql": sql,
        "explain": plan,
    }
