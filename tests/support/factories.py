"""Factories of test data, made through the real models and services (each commits).

One counter numbers every made thing, so names, e-mails, numbers and codes never repeat in a run.
"""

from __future__ import annotations

import itertools
from datetime import timedelta

import sqlalchemy as sa

from core.crypto import blind_index
from core.extensions import db
from core.logging import mask_phone
from tests.support.clock import APPOINTMENT, NOW
from tests.support.db import PASSWORD

_n = itertools.count(1)

# The referrals tests' catalogue, and opening hours of 08:00-20:00 every day.
SERVICE_CODES = ("hiv_testing", "prep", "art", "sti", "contraception")
ALL_WEEK = {d: [["08:00", "20:00"]] for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}
# Points in three district towns.
DHAKA_POINT = (23.7806, 90.4070)
CHATTOGRAM_POINT = (22.3419, 91.8132)
SYLHET_POINT = (24.8980, 91.8710)


def add_services(codes, *, follow_up_rules: bool = False) -> tuple[str, ...]:
    """Services named by their codes (and, if asked, the default follow-up rules)."""
    from clinics.models import Service

    for i, code in enumerate(codes):
        db.session.add(Service(code=code, name_en=code, name_bn=code, sort_order=i))
    if follow_up_rules:
        from referrals.services import followups

        db.session.flush()
        followups.seed_rules()
    db.session.commit()
    return tuple(codes)


def default_catalogue() -> None:
    """The default service catalogue, as the service seeds it."""
    from clinics.services import ensure_default_services

    ensure_default_services()
    db.session.commit()


def make_clinic(*, validated: bool = False, offering=None, hours=None, **fields):
    """A clinic, committed.

    By default a bare row ("Clinic n", alias "Point n", Dhaka), then `hours` set and the
    services `offering` (codes) attached when given. validated=True goes through
    clinics.services.create_clinic instead, which checks the fields (services as codes among them)
    and builds the hour ranges ("Test Centre n", alias "Kadam n", service "general", no hours).
    """
    n = next(_n)
    if validated:
        from clinics.services import create_clinic

        values = {
            "name": f"Test Centre {n}",
            "sms_alias": f"Kadam {n}",
            "district": "Dhaka",
            "services": ["general"],
            "hours": {},
        }
        values.update(fields, **({} if hours is None else {"hours": hours}))
        created = create_clinic(values, None)
        db.session.commit()
        return created
    from clinics.models import Clinic, Service

    values = {"name": f"Clinic {n}", "sms_alias": f"Point {n}", "district": "Dhaka"}
    values.update(fields)
    clinic = Clinic(**values)
    db.session.add(clinic)
    db.session.commit()
    if hours is not None:
        from clinics.services import set_hours

        set_hours(clinic, hours)
    if offering is not None:
        clinic.services = [db.session.get(Service, code) for code in offering]
    if hours is not None or offering is not None:
        db.session.commit()
    return clinic


# The authenticator secret of every user the factory enrols in two-factor sign-in (admins and
# clinic partners by default, as their role needs it): tests.support.signin answers with it.
TOTP_SECRET = "HARCTESTSECRETKEYFORTWOFACTOR234"
TWO_FACTOR_ROLES = ("admin", "clinic_partner")


def enrol_two_factor(user, secret: str = TOTP_SECRET):
    """Turn two-factor sign-in on for a user with a known secret (committed)."""
    from core.db import utcnow

    user.totp_secret = secret
    user.totp_enabled_at = utcnow()
    user.totp_last_step = None
    db.session.commit()
    return user


def make_user(role: str = "peer_educator", *, two_factor: bool | None = None, **fields):
    """A user of a role (committed); clinic partners get a clinic unless given one. Admins and
    clinic partners are enrolled in two-factor sign-in with TOTP_SECRET unless `two_factor` is
    False (others only when it is True)."""
    from accounts.services import create_user

    n = next(_n)
    if role == "clinic_partner" and "clinic_id" not in fields:
        fields["clinic_id"] = make_clinic().id
    fields.setdefault("email", f"{role}{n}@example.org")
    fields.setdefault("password", PASSWORD)
    fields.setdefault("language", "en")
    user = create_user(role=role, **fields)
    db.session.commit()
    if two_factor if two_factor is not None else role in TWO_FACTOR_ROLES:
        enrol_two_factor(user)
    return user


def make_world(codes=("hiv_testing", "prep", "sti")) -> dict:
    """Services, clinic A (Dhaka) and B (Khulna), peer educators Amina and Beauty, an admin."""
    add_services(codes)
    return {
        "a": make_clinic(name="Alpha Clinic", district="Dhaka", offering=codes),
        "b": make_clinic(name="Beta Clinic", district="Khulna", offering=codes),
        "amina": make_user("peer_educator", display_name="Amina"),
        "beauty": make_user("peer_educator", display_name="Beauty"),
        "admin": make_user("admin"),
    }


def phone(n: int | None = None) -> str:
    """A Bangladeshi mobile number in E.164 (a fresh one by default)."""
    return f"+8801711{(n if n is not None else next(_n)):06d}"


def make_contact(number: str | None = None, **fields):
    """A contact who may be messaged (committed)."""
    from notifications.models import Contact

    number = number or phone()
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


def _base36(n: int, width: int) -> str:
    digits = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    text = ""
    for _ in range(width):
        n, rest = divmod(n, 36)
        text = digits[rest] + text
    return text


def make_message(contact, kind: str = "reminder_24h", *, status=None, send_at=None, code=None,
                 **fields):  # fmt: skip
    """An outbox row due at `send_at` (default: a minute before NOW), committed.

    Without `status` a fresh pending row, as planning writes it. With a `status` (the log and
    retention tests), a row created a day before NOW with the attempt, send and final fields
    that status implies.
    """
    from notifications.models import OutboxMessage

    n = next(_n)
    code = code or f"K7P2Q{_base36(n, 3)}"  # 8 characters, however many tests ran before
    values = {
        "contact_id": contact.id,
        "kind": kind,
        "subject": f"referral:{code}",
        "dedupe_key": f"referral:{code}|{kind}|{n}",
        "params": {"code": code, "place": "Point 3", "appointment_at": APPOINTMENT.isoformat()},
        "target_at": APPOINTMENT,
        "send_at": send_at or NOW - timedelta(minutes=1),
    }
    if status is not None:
        values.update(status=status, created_at=NOW - timedelta(days=1), updated_at=NOW)
        values.update(_history(contact, status, code, n))
    values.update(fields)
    message = OutboxMessage(**values)
    db.session.add(message)
    db.session.commit()
    return message


def _history(contact, status: str, code: str, n: int) -> dict:
    """The fields a row in `status` has by then."""
    values: dict = {}
    if status not in ("pending", "cancelled", "skipped"):
        values.update(attempts=1, body=f"Reminder: tomorrow 11:00. Code {code}.", segments=1,
                      to_phone=contact.phone)  # fmt: skip
    if status in ("sent", "delivered", "undelivered", "failed"):
        values.update(sent_at=NOW, provider_sid=f"SM{n:032d}")
    if status in ("delivered", "undelivered", "failed", "cancelled", "skipped"):
        values["final_at"] = NOW
    return values


def reload(row_or_model, row_id=None):
    """The row as the database has it now: reload(row) or reload(Model, id)."""
    if row_id is None:
        row_or_model, row_id = type(row_or_model), row_or_model.id
    db.session.expire_all()
    return db.session.get(row_or_model, row_id)


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
