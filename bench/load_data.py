"""The load bench's data: the seeding, due messages for the SIGKILL phase, and the checks after a
phase drains (every message sent once, nothing lost), all through the app on the bench cluster."""

from __future__ import annotations

import random
import secrets
import sys
import time
from collections import Counter
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import sqlalchemy as sa

from bench.load_cluster import ROOT
from bench.load_drive import Seeded

DISTRICTS = ["Dhaka", "Chattogram", "Khulna", "Sylhet", "Rajshahi"]
WEEK = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def build_app(env: dict):
    """The app on the bench database, in this process (seeding and checks only)."""
    sys.path.insert(0, str(ROOT))
    from core import create_app

    keys = ("DATABASE_URL", "DATA_KEYS", "INDEX_KEY", "SECRET_KEY")
    return create_app({**{k: env[k] for k in keys}, "SCHEDULER_ENABLED": False})


def seed(app, members: int, clinics: int) -> Seeded:
    """Migrations, clinics open all week, a peer educator and a clinic partner with tokens, and
    the peer educator's members."""
    from flask_migrate import upgrade

    from accounts.services import create_user, issue_token
    from clinics.models import Clinic, Service
    from clinics.services import ensure_default_services, set_hours
    from core.extensions import db
    from referrals.services import members as member_service

    with app.app_context():
        upgrade()
        ensure_default_services()
        services = [db.session.get(Service, "hiv_testing"), db.session.get(Service, "prep")]
        made = []
        for i in range(clinics):
            clinic = Clinic(name=f"Bench clinic {i}", sms_alias=f"Point {i}",
                            district=DISTRICTS[i % len(DISTRICTS)],
                            latitude=23.7 + random.random() / 5,
                            longitude=90.35 + random.random() / 5)  # fmt: skip
            db.session.add(clinic)
            set_hours(clinic, {d: [["00:00", "24:00"]] for d in WEEK})
            clinic.services = services
            made.append(clinic)
        db.session.flush()
        password = secrets.token_urlsafe(16)
        pe = create_user(email="pe@example.org", role="peer_educator", password=password)
        partner = create_user(email="partner@example.org", role="clinic_partner",
                              password=password, clinic_id=made[0].id)  # fmt: skip
        tokens = issue_token(pe), issue_token(partner)
        ids = [member_service.register_member(actor=pe, phone=f"0171{i:07d}", language="bn",
                                              sms_consent=True).id
               for i in range(members)]  # fmt: skip
        db.session.commit()
        seeded = Seeded(tokens[0], tokens[1], made[0].id, ids, DISTRICTS)
        db.engine.dispose()
    return seeded


def insert_due(app, count: int) -> list[int]:
    """`count` reminders due now for the seeded members' contacts (committed); their ids."""
    from core.db import utcnow
    from core.extensions import db
    from notifications.models import OutboxMessage

    with app.app_context():
        contacts = list(db.session.scalars(sa.text("SELECT contact_id FROM members")))
        now = utcnow()
        tag = int(time.time())
        rows = [{"contact_id": contacts[i % len(contacts)], "kind": "reminder_24h",
                 "subject": f"referral:K{tag}{i:05d}", "dedupe_key": f"load|{tag}|{i}",
                 "params": {"code": f"K{i:08d}", "place": "Point 0",
                            "appointment_at": (now + timedelta(days=1)).isoformat()},
                 "target_at": now + timedelta(days=1), "send_at": now - timedelta(seconds=5)}
                for i in range(count)]  # fmt: skip
        ids = list(db.session.scalars(sa.insert(OutboxMessage).returning(OutboxMessage.id), rows))
        db.session.commit()
        db.engine.dispose()
    return ids


def outstanding(app, until: float) -> dict[str, int]:
    """Rows not settled yet: pending and due by `until` (epoch seconds), sending, unknown."""
    with app.app_context():
        from core.extensions import db

        row = db.session.execute(sa.text(
            "SELECT count(*) FILTER (WHERE status = 'pending' AND send_at <= to_timestamp(:u)),"
            " count(*) FILTER (WHERE status = 'sending'),"
            " count(*) FILTER (WHERE status = 'unknown') FROM outbox_messages"
        ), {"u": until}).one()  # fmt: skip
        db.session.remove()
        db.engine.dispose()
    return {"due_pending": row[0], "sending": row[1], "unknown": row[2]}


def drain(app, timeout: float) -> tuple[float, dict[str, int]]:
    """Wait until nothing is outstanding (or `timeout`); (seconds waited, what is left).
    A message planned "at once" goes at the next whole minute (timing works in minutes), so
    everything due within the next 61 s is waited for too."""
    t0, until = time.monotonic(), time.time() + 61
    while True:
        left = outstanding(app, until)
        if not any(left.values()) or time.monotonic() - t0 > timeout:
            return round(time.monotonic() - t0, 1), left
        time.sleep(1)


def message_check(app, fake) -> dict:
    """Every row the service counts as sent has exactly one message at the fake, and every message
    at the fake is a row of ours: duplicates = messages beyond the first per row."""
    per_row = Counter()
    for message in fake.messages:
        query = parse_qs(urlsplit(message.status_callback or "").query)
        per_row[int(query["m"][0])] += 1
    with app.app_context():
        from core.extensions import db

        rows = dict(db.session.execute(sa.text("SELECT id, status FROM outbox_messages")).all())
        delays = sorted(db.session.scalars(sa.text(
            "SELECT extract(epoch FROM sent_at - send_at) FROM outbox_messages"
            " WHERE status IN ('sent', 'delivered') AND sent_at IS NOT NULL"
        )))  # fmt: skip
        recovered = db.session.scalar(sa.text(
            "SELECT count(DISTINCT message_id) FROM message_attempts"
            " WHERE error_message = 'dispatcher stopped'"
        ))  # fmt: skip
        db.session.remove()
        db.engine.dispose()
    gone = {i for i, s in rows.items() if s in ("sent", "delivered", "undelivered")}
    return {
        "rows": len(rows),
        "statuses": dict(Counter(rows.values())),
        "at_fake": sum(per_row.values()),
        "duplicates": sum(n - 1 for n in per_row.values() if n > 1),
        "rows_sent_twice": sum(1 for n in per_row.values() if n > 1),
        "sent_rows_missing_at_fake": len(gone - set(per_row)),
        "fake_messages_of_unsent_rows": sum(1 for i in per_row if i not in gone),
        "their_statuses": dict(Counter(rows.get(i, "no row") for i in per_row if i not in gone)),
        "sent_after_due_s": {
            p: round(float(delays[int(p / 100 * (len(delays) - 1))]), 1) for p in (50, 95, 100)
        }
        if delays
        else {},
        "recovered_from_dead_dispatcher": recovered,
    }


def attempts_of(app, ids: list[int]) -> dict:
    """What became of these rows: their statuses and how many attempts each took."""
    with app.app_context():
        from core.extensions import db

        rows = db.session.execute(sa.text(
            "SELECT m.status, count(a.id) FROM outbox_messages m"
            " LEFT JOIN message_attempts a ON a.message_id = m.id"
            " WHERE m.id = ANY(:ids) GROUP BY m.id, m.status"
        ), {"ids": ids}).all()  # fmt: skip
        db.session.remove()
        db.engine.dispose()
    return {"statuses": dict(Counter(r[0] for r in rows)),
            "attempts": dict(Counter(r[1] for r in rows))}  # fmt: skip


def lost_referrals(app, codes: list[str]) -> int:
    """Codes answered with a 201 that the database does not hold."""
    with app.app_context():
        from core.extensions import db

        held = set(db.session.scalars(sa.text("SELECT code FROM referrals")))
        db.session.remove()
        db.engine.dispose()
    return sum(1 for c in codes if c not in held)
