"""Demo crisis contacts (development only): invented names and numbers from the demo range, so
that help now has someone to call on `make run`. Safe to run twice."""

from __future__ import annotations

import sqlalchemy as sa

from core.extensions import db
from notifications.services import normalise_phone
from safety.models import CrisisContact

# (name, kind, phone, district or None for every district, hours): all invented.
DEMO_CONTACTS = (
    ("Demo Legal Aid Desk (example)", "legal", "01700-000901", "Dhaka", "রবি–বৃহস্পতি ৯টা–৫টা"),
    ("Demo Safe House (example)", "shelter", "01700-000902", "Dhaka", "২৪ ঘণ্টা"),
    ("Demo Helpline (example)", "hotline", "01700-000903", None, "২৪ ঘণ্টা"),
    ("Demo Community Escort (example)", "escort", "01700-000904", "Chattogram", "সন্ধ্যা–ভোর"),
    ("Demo Lawyer Chattogram (example)", "legal", "01700-000905", "Chattogram", None),
    ("Demo Peer Support Group (example)", "community", "01700-000906", "Narayanganj", None),
)


def seed_crisis_contacts() -> list[str]:
    """The demo crisis contacts, unless one of them is already there."""
    first = DEMO_CONTACTS[0][0]
    if db.session.scalar(sa.select(CrisisContact.id).where(CrisisContact.name == first)):
        return ["Crisis contacts: demo contacts already there."]
    for name, kind, phone, district, hours in DEMO_CONTACTS:
        db.session.add(
            CrisisContact(
                name=name,
                kind=kind,
                phone=normalise_phone(phone),
                district=district,
                hours=hours,
                active=True,
            )
        )
    db.session.flush()
    return [f"Crisis contacts: {len(DEMO_CONTACTS)} demo contacts (invented numbers)."]
