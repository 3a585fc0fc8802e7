"""The contact service: normalisation, encryption, blind index, masking, consent, holds."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from core.db import utcnow
from core.errors import ValidationFailed
from core.extensions import db
from notifications import contacts
from notifications.models import Contact


@pytest.mark.parametrize(
    "typed",
    [
        "01712-345678",
        "01712345678",
        "+8801712345678",
        "8801712345678",
        "০১৭১২৩৪৫৬৭৮",
        "017 1234 5678",
    ],
)
def test_bangladeshi_numbers_normalise_to_e164(app, typed):
    assert contacts.normalise_phone(typed) == "+8801712345678"


@pytest.mark.parametrize("typed", ["", "12345", "0171234567890123", "abc", "02-9876543", None, 17])
def test_malformed_or_landline_numbers_are_refused_naming_the_field(app, typed):
    with pytest.raises(ValidationFailed) as caught:
        contacts.normalise_phone(typed)
    assert "phone" in caught.value.fields


def test_phone_is_encrypted_indexed_and_masked(app, make_user):
    pe = make_user("peer_educator")
    c = contacts.create_contact(
        phone="01712-345678", language="en", sms_consent=True, actor_id=pe.id
    )
    db.session.commit()
    raw = db.session.execute(sa.text("SELECT * FROM contacts")).mappings().one()
    for value in raw.values():
        assert "1712345678" not in str(value) and "345678" not in str(value)
    assert c.phone == "+8801712345678"
    assert c.phone_masked == "+880•••••••678"
    assert contacts.find_by_phone("+8801712345678")[0].id == c.id
    assert c.consent_by_id == pe.id and c.consent_at is not None


def test_window_is_validated(app):
    with pytest.raises(ValidationFailed) as caught:
        contacts.parse_window("evening")
    assert "contact_window" in caught.value.fields
    assert contacts.parse_window("20:00-06:00") == ("20:00", "06:00")
    assert contacts.parse_window("") is None


def test_opt_out_hold_and_erase(app):
    from notifications.engine import planning

    now = utcnow()
    c = contacts.create_contact(phone="01812345678", language="bn", sms_consent=True, actor_id=None)
    assert contacts.can_message(c)
    contacts.opt_out(c, now=now)
    assert not contacts.can_message(c)
    contacts.opt_in(c, actor_id=None, now=now)
    contacts.hold(c, now=now)
    assert planning.blocked_reason(c) == "safety hold"
    contacts.release(c, now=now)
    assert contacts.can_message(c)
    contacts.erase(c, now=now)
    assert c.phone is None and c.phone_index is None and c.phone_masked == ""


def test_purge_inactive_erases_numbers_after_twelve_months(app):
    now = utcnow()
    old = contacts.create_contact(
        phone="01812345678", language="bn", sms_consent=True, actor_id=None
    )
    old.last_activity_at = now - timedelta(days=400)
    fresh = contacts.create_contact(
        phone="01912345678", language="bn", sms_consent=True, actor_id=None
    )
    db.session.commit()
    assert contacts.purge_inactive(now) == {"numbers_erased": 1}
    db.session.commit()
    assert db.session.get(Contact, old.id).phone is None
    assert db.session.get(Contact, fresh.id).phone == "+8801912345678"
