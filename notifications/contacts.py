"""The contact service: a member's phone (normalised, encrypted, indexed, masked) and how she
may be messaged (language, consent with who and when, opt-out, safety hold, window, shared phone).

Numbers never leave this module in clear except through `Contact.phone` (decrypted on read) and
are never logged. Callers audit-log the change at the member level.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import phonenumbers
import sqlalchemy as sa

from core.crypto import blind_index
from core.db import utcnow
from core.errors import ValidationFailed
from core.extensions import db
from core.i18n import N_
from core.logging import mask_phone
from notifications.engine import planning, timing
from notifications.models import Contact, OutboxMessage

LANGUAGES = ("bn", "en")
INACTIVE_AFTER = timedelta(days=365)
_MOBILE_TYPES = {
    phonenumbers.PhoneNumberType.MOBILE,
    phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
}
_BANGLA_DIGITS = str.maketrans("০১২৩৪৫৬৭৮৯", "0123456789")


def normalise_phone(raw: Any, field: str = "phone") -> str:
    """A Bangladeshi (or E.164) mobile number as E.164; ValidationFailed naming the field."""
    if not isinstance(raw, str) or not raw.strip():
        raise ValidationFailed(N_("A phone number is required."), fields={field: N_("Required.")})
    text = raw.strip().translate(_BANGLA_DIGITS)
    if len(text) > 32:
        raise ValidationFailed(N_("That is not a phone number."), fields={field: N_("Too long.")})
    try:
        number = phonenumbers.parse(text, "BD")
    except phonenumbers.NumberParseException:
        number = None
    if number is None or not phonenumbers.is_valid_number(number):
        raise ValidationFailed(
            N_("That is not a valid phone number (e.g. 01712-345678 or +8801712345678)."),
            fields={field: N_("Not a valid phone number.")},
        )
    if phonenumbers.number_type(number) not in _MOBILE_TYPES:
        raise ValidationFailed(
            N_("That number cannot receive SMS (not a mobile number)."),
            fields={field: N_("Not a mobile number.")},
        )
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def looks_like_phone(text: str) -> bool:
    """Whether a search term is probably a phone number (mostly digits, 10 or more)."""
    digits = [c for c in (text or "").translate(_BANGLA_DIGITS) if c.isdigit()]
    return len(digits) >= 10


def phone_index(e164: str) -> str:
    """The blind index of a normalised number."""
    return blind_index(e164)


def find_by_phone(e164: str) -> list[Contact]:
    """Contacts with this number (several when members share a phone)."""
    return list(
        db.session.scalars(
            sa.select(Contact).where(Contact.phone_index == phone_index(e164)).order_by(Contact.id)
        )
    )


def parse_window(text: str | None, field: str = "contact_window") -> tuple[str, str] | None:
    """'HH:MM-HH:MM' (or empty for none) to ("HH:MM", "HH:MM"); ValidationFailed otherwise."""
    if text is None or not str(text).strip():
        return None
    try:
        start, end = timing.parse_range(str(text))
    except ValueError:
        raise ValidationFailed(
            N_("The contact window must look like 20:00-06:00."),
            fields={field: N_("Use HH:MM-HH:MM (24 hours).")},
        ) from None
    # start == end is a window of every hour: it replaces the quiet hours entirely.
    return start.strftime("%H:%M"), end.strftime("%H:%M")


def window_text(contact: Contact) -> str | None:
    """Her window as 'HH:MM-HH:MM', or None (quiet hours apply)."""
    if contact.window_start and contact.window_end:
        return f"{contact.window_start}-{contact.window_end}"
    return None


def create_contact(
    *,
    phone: str | None,
    language: str,
    sms_consent: bool,
    shared_phone: bool = False,
    window: str | None = None,
    actor_id: int | None,
    now: datetime | None = None,
) -> Contact:
    """A new contact from a typed number (normalised, encrypted, indexed, masked); None for a
    member without a phone (no number, so no message is ever planned for her)."""
    now = now or utcnow()
    e164 = None if phone is None else normalise_phone(phone)
    if language not in LANGUAGES:
        raise ValidationFailed(
            N_("Language must be bn or en."), fields={"language": N_("bn or en.")}
        )
    parsed_window = parse_window(window)
    contact = Contact(
        phone=e164,
        phone_index=phone_index(e164) if e164 else None,
        phone_masked=mask_phone(e164) if e164 else "",
        language=language,
        shared_phone=bool(shared_phone),
        window_start=parsed_window[0] if parsed_window else None,
        window_end=parsed_window[1] if parsed_window else None,
        last_activity_at=now,
        created_at=now,
    )
    set_consent(contact, bool(sms_consent), actor_id=actor_id, now=now)
    db.session.add(contact)
    db.session.flush()
    return contact


def set_consent(contact: Contact, consent: bool, *, actor_id: int | None, now: datetime) -> None:
    """Record SMS consent (asked aloud by the peer educator) with who and when."""
    contact.sms_consent = consent
    contact.consent_at = now
    contact.consent_by_id = actor_id
    if not consent and contact.id is not None:
        planning.cancel_for_contact(contact.id, "consent withdrawn")


def opt_out(contact: Contact, *, now: datetime) -> int:
    """No more SMS: cancels every pending message; returns how many."""
    contact.opted_out, contact.opted_out_at = True, now
    touch(contact, now)
    return planning.cancel_for_contact(contact.id, "opted out")


def opt_in(contact: Contact, *, actor_id: int | None, now: datetime) -> None:
    """SMS again (consent recorded anew: who and when)."""
    contact.opted_out, contact.opted_out_at = False, None
    set_consent(contact, True, actor_id=actor_id, now=now)
    touch(contact, now)


def same_phone(contact: Contact) -> list[Contact]:
    """Her contact and every other contact on the same number (a shared phone)."""
    if not contact.phone_index:
        return [contact]
    others = [c for c in find_by_phone_index(contact.phone_index) if c.id != contact.id]
    return [contact, *others]


def find_by_phone_index(index: str) -> list[Contact]:
    """Contacts whose blind index is `index`."""
    return list(db.session.scalars(sa.select(Contact).where(Contact.phone_index == index)))


def hold(contact: Contact, *, now: datetime) -> int:
    """Safety hold (e.g. her phone was taken): cancels every pending message at once, for every
    member on that phone. Returns how many messages were cancelled."""
    cancelled = 0
    for each in same_phone(contact):
        each.safety_hold, each.safety_hold_at = True, now
        touch(each, now)
        cancelled += planning.cancel_for_contact(each.id, "safety hold")
    return cancelled


def release(contact: Contact, *, now: datetime) -> list[Contact]:
    """End a safety hold on that phone (cancelled messages stay cancelled; the caller plans
    what is still ahead). Returns the contacts released."""
    released = same_phone(contact)
    for each in released:
        each.safety_hold, each.safety_hold_at = False, None
        touch(each, now)
    return released


def set_window(contact: Contact, window: str | None, *, now: datetime) -> int:
    """Her own contact window (None: quiet hours apply); re-plans her pending messages."""
    parsed = parse_window(window)
    contact.window_start, contact.window_end = parsed if parsed else (None, None)
    touch(contact, now)
    return planning.replan_contact(contact, now)


def set_language(contact: Contact, language: str) -> None:
    """The language of her SMS."""
    if language not in LANGUAGES:
        raise ValidationFailed(
            N_("Language must be bn or en."), fields={"language": N_("bn or en.")}
        )
    contact.language = language


def touch(contact: Contact, now: datetime) -> None:
    """Activity: keeps the number from the 12-month retention purge."""
    if contact.last_activity_at is None or contact.last_activity_at < now:
        contact.last_activity_at = now


def can_message(contact: Contact) -> bool:
    """Whether messages may be planned for her now."""
    return planning.blocked_reason(contact) is None


def erase(contact: Contact, *, now: datetime) -> None:
    """Erase the number and the bodies of her messages (anonymisation, retention). Counts stay."""
    planning.cancel_for_contact(contact.id, "erased")
    contact.phone = None
    contact.phone_index = None
    contact.phone_masked = ""
    contact.erased_at = now
    db.session.execute(
        sa.update(OutboxMessage)
        .where(OutboxMessage.contact_id == contact.id)
        .values(body=None, to_phone=None)
        .execution_options(synchronize_session=False)
    )
    db.session.flush()


def purge_inactive(now: datetime) -> dict[str, int]:
    """Retention: erase the numbers of contacts with no activity for 12 months."""
    cutoff = now - INACTIVE_AFTER
    contacts = db.session.scalars(
        sa.select(Contact).where(
            Contact.erased_at.is_(None),
            Contact.phone_index.is_not(None),
            Contact.last_activity_at < cutoff,
        )
    ).all()
    for contact in contacts:
        erase(contact, now=now)
    return {"numbers_erased": len(contacts)}
