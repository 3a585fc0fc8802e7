"""Fixtures and factories for the sending side's tests (imported by test_dispatch*.py & co).

`twilio_app` is the test app wired to a TwilioFake on 127.0.0.1 through the real twilio client.
"""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from twilio_fake import TwilioFake

from core.crypto import blind_index
from core.extensions import db
from core.logging import mask_phone

# 11:00 in Dhaka on a Tuesday: inside the default allowed hours (08:00-21:00).
NOW = datetime(2026, 12, 1, 5, 0, tzinfo=UTC)
APPOINTMENT = NOW + timedelta(days=1)
PUBLIC = "https://harc.example.org"
SENDER = "+15005550006"
_n = itertools.count(1)


@pytest.fixture
def fake_twilio(app_config):
    """A Twilio-compatible server; the app (built after this) talks to it."""
    with TwilioFake() as fake:
        app_config.update(
            {
                "SMS_BACKEND": "twilio",
                "TWILIO_ACCOUNT_SID": fake.account_sid,
                "TWILIO_AUTH_TOKEN": fake.auth_token,
                "TWILIO_FROM_NUMBER": SENDER,
                "TWILIO_API_BASE_URL": fake.base_url,
                "PUBLIC_BASE_URL": PUBLIC,
                "SMS_SEND_TIMEOUT": 2,
                "SMS_MAX_ATTEMPTS": 3,
                # Engine tests send many messages to one contact; the cap has its own tests.
                "SMS_MAX_PER_CONTACT_PER_DAY": 0,
            }
        )
        yield fake
        assert not fake.errors, fake.errors


@pytest.fixture
def twilio_app(fake_twilio, app):
    """The app, sending through `fake_twilio`."""
    return app


def phone(n: int) -> str:
    """A Bangladeshi mobile number in E.164."""
    return f"+8801711{n:06d}"


def make_contact(number: str | None = None, **fields):
    """A contact who may be messaged (committed)."""
    from notifications.models import Contact

    number = number or phone(next(_n))
    values = {
        "phone": number,
        "phone_index": blind_index(number),
        "phone_masked": mask_phone(number),
        "language": "en",
        "sms_consent": True,
        "consent_at": NOW - timedelta(days=3),
    }
    values.update(fields)
    contact = Contact(**values)
    db.session.add(contact)
    db.session.commit()
    return contact


def make_message(contact, kind: str = "reminder_24h", *, send_at=None, code=None, **fields):
    """A pending outbox row due at `send_at` (default: a minute before NOW), committed."""
    from notifications.models import OutboxMessage

    n = next(_n)
    code = code or f"K7P2Q{n:03d}"
    values = {
        "contact_id": contact.id,
        "kind": kind,
        "subject": f"referral:{code}",
        "dedupe_key": f"referral:{code}|{kind}|{n}",
        "params": {"code": code, "place": "Point 3", "appointment_at": APPOINTMENT.isoformat()},
        "target_at": APPOINTMENT,
        "send_at": send_at or NOW - timedelta(minutes=1),
    }
    values.update(fields)
    message = OutboxMessage(**values)
    db.session.add(message)
    db.session.commit()
    return message


def reload(message):
    """The row as the database has it now."""
    from notifications.models import OutboxMessage

    db.session.expire_all()
    return db.session.get(OutboxMessage, message.id)


def statuses() -> dict[str, int]:
    """How many outbox rows are in each status."""
    from notifications.models import OutboxMessage

    rows = db.session.execute(
        sa.select(OutboxMessage.status, sa.func.count()).group_by(OutboxMessage.status)
    ).all()
    return dict(rows)


def bulk_messages(count: int, per_contact: int = 5) -> int:
    """`count` due messages over count/per_contact contacts, inserted in bulk (committed)."""
    from notifications.models import Contact, OutboxMessage

    contacts = []
    for i in range(0, count, per_contact):
        number = phone(500_000 + i)
        contacts.append(
            {
                "phone": number,
                "phone_index": blind_index(number),
                "phone_masked": mask_phone(number),
                "language": "en",
                "sms_consent": True,
            }
        )
    db.session.execute(sa.insert(Contact), contacts)
    ids = list(db.session.scalars(sa.select(Contact.id).order_by(Contact.id)))[-len(contacts) :]
    rows = []
    for i in range(count):
        code = f"B{i:07d}"
        rows.append(
            {
                "contact_id": ids[i // per_contact],
                "kind": "reminder_24h",
                "status": "pending",
                "subject": f"referral:{code}",
                "dedupe_key": f"bulk|{code}",
                "params": {
                    "code": code,
                    "place": "Point 3",
                    "appointment_at": APPOINTMENT.isoformat(),
                },
                "target_at": APPOINTMENT,
                "send_at": NOW - timedelta(minutes=1),
            }
        )
    db.session.execute(sa.insert(OutboxMessage), rows)
    db.session.commit()
    return count


def dispatcher_env(app, database_url: str, fake: TwilioFake, **extra: str) -> dict[str, str]:
    """The environment of a `flask reminders dispatch` process: the test app's keys."""
    import os
    from pathlib import Path

    env = {k: v for k, v in os.environ.items() if not k.startswith(("TWILIO_", "SMS_"))}
    env.update(
        DATABASE_URL=database_url,
        SECRET_KEY=app.config["SECRET_KEY"],
        DATA_KEYS=",".join(app.config["DATA_KEYS"]),
        INDEX_KEY=app.config["INDEX_KEY"],
        APP_ENV="development",
        SMS_BACKEND="twilio",
        TWILIO_ACCOUNT_SID=fake.account_sid,
        TWILIO_AUTH_TOKEN=fake.auth_token,
        TWILIO_FROM_NUMBER=SENDER,
        TWILIO_API_BASE_URL=fake.base_url,
        PUBLIC_BASE_URL=PUBLIC,
        PYTHONPATH=str(Path(__file__).resolve().parents[2]),
        PYTHONUNBUFFERED="1",
        SMS_MAX_PER_CONTACT_PER_DAY="0",  # bulk tests send several to one contact
    )
    env.update(extra)
    return env


def spawn_dispatch(env: dict[str, str], now: datetime, *args: str):
    """Start `flask reminders dispatch --now <now>` as its own process."""
    import subprocess
    import sys
    from pathlib import Path

    return subprocess.Popen(
        [sys.executable, "-m", "flask", "--app", "wsgi", "reminders", "dispatch",
         "--now", now.isoformat(), *args],
        cwd=Path(__file__).resolve().parents[2],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )  # fmt: skip
