"""Inbound SMS and its keywords, from Twilio (`POST /webhooks/twilio/inbound`, answered in TwiML)
and SMSGate (`sms:received` at `POST /webhooks/smsgate`, not answered); routes in webhooks/.

Keywords (English and Bangla, either script's digits; case, spaces and punctuation ignored):
`1`/YES/হ্যাঁ (she intends to come), `2`/NO/না (she needs a new time), the STOP family and বন্ধ
(opt out), START/UNSTOP/চালু (opt in again), HELP/সাহায্য. Nothing depends on a reply (Twilio
cannot deliver replies from Bangladeshi numbers): each one is acted on and published as the
`notifications.signals.inbound_reply` signal. Only HELP, STOP/START and an unknown number get an
answer, and none when every contact on the number is under a safety hold (her phone may be in
someone else's hands). Each provider id (Twilio's MessageSid, "smsgate:" + SMSGate's event id)
is handled once; the body is never stored or logged.
"""

from __future__ import annotations

import logging
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime
from xml.sax.saxutils import escape

import sqlalchemy as sa
from flask import Response

from core.appctx import real_app
from core.audit import record
from core.errors import ValidationFailed
from core.extensions import db
from notifications import contacts as contact_service
from notifications.models import Contact, InboundMessage, OutboxMessage
from notifications.signals import inbound_reply

log = logging.getLogger(__name__)

KEYWORDS: dict[str, frozenset[str]] = {
    "yes": frozenset({"1", "yes", "y", "হ্যাঁ", "হ্যা", "হাঁ", "হা"}),
    "no": frozenset({"2", "no", "n", "না"}),
    "stop": frozenset(
        {"stop", "stopall", "unsubscribe", "cancel", "end", "quit", "optout", "revoke", "বন্ধ"}
    ),
    "start": frozenset({"start", "unstop", "চালু"}),
    "help": frozenset({"help", "সাহায্য"}),
}
# Answers say nothing about health or the service: anyone may read the phone.
REPLIES: dict[str, dict[str, str]] = {
    "help": {
        "bn": "আপনার সময়ের বার্তা। কিছু জানতে আপাকে বলুন। বন্ধ করতে STOP লিখুন।",
        "en": "Messages about your visits. Ask your apa for anything. Reply STOP to end them.",
    },
    "stop": {
        "bn": "আর কোনো বার্তা আসবে না। আবার পেতে START লিখুন।",
        "en": "You will get no more messages. Reply START to get them again.",
    },
    "start": {
        "bn": "আবার বার্তা পাবেন। বন্ধ করতে STOP লিখুন।",
        "en": "You will get messages again. Reply STOP to end them.",
    },
    "start_refused": {
        "bn": "বার্তা চালু করতে আপাকে বলুন।",
        "en": "Ask your apa to turn messages on.",
    },
    # To a number we do not know: no name, no purpose.
    "unknown": {
        "bn": "এই নম্বরে উত্তর নেওয়া হয় না।",
        "en": "This number does not take replies.",
    },
}
_LATIN_DIGITS = str.maketrans("০১২৩৪৫৬৭৮৯", "0123456789")
_INVISIBLE = dict.fromkeys(map(ord, "\u00ad\u200b\u200c\u200d\u2060\ufeff"))


def parse_keyword(body: str | None) -> str:
    """yes, no, stop, start, help or other, from an SMS body."""
    text = unicodedata.normalize("NFC", body or "").translate(_INVISIBLE).translate(_LATIN_DIGITS)
    # Keep letters, combining marks (Bangla vowel signs) and digits; punctuation and the danda go.
    kept = "".join(ch if unicodedata.category(ch)[0] in "LMN" else " " for ch in text.casefold())
    words = kept.split()
    if not words:
        return "other"
    whole = " ".join(words)
    for keyword, forms in KEYWORDS.items():
        if whole in forms:
            return keyword
    # "1 ok", "Yes, I will come": the first word decides yes and no (never STOP: "end of month"
    # must not opt her out).
    for keyword in ("yes", "no"):
        if words[0] in KEYWORDS[keyword]:
            return keyword
    return "other"


@dataclass
class InboundResult:
    """What an inbound SMS did: the keyword, the contacts it acted on and the answer, if any."""

    keyword: str
    reply: str | None = None
    contact_ids: list[int] = field(default_factory=list)
    duplicate: bool = False


def _reply(name: str, languages: list[str]) -> str:
    """The answer in her language; both (Bangla first) when the number's contacts differ."""
    texts = REPLIES[name]
    langs = [lang for lang in ("bn", "en") if lang in languages] or ["bn", "en"]
    return " / ".join(texts[lang] for lang in langs)


def _find_contacts(from_number: str) -> list[Contact]:
    try:
        e164 = contact_service.normalise_phone(from_number, field="From")
    except ValidationFailed:
        return []
    return contact_service.find_by_phone(e164)


def _latest_sent(contact_ids: list[int]) -> OutboxMessage | None:
    """The most recent message sent to any of these contacts."""
    return db.session.scalar(
        sa.select(OutboxMessage)
        .where(OutboxMessage.contact_id.in_(contact_ids), OutboxMessage.sent_at.is_not(None))
        .order_by(OutboxMessage.sent_at.desc(), OutboxMessage.id.desc())
        .limit(1)
    )


def _publish(contact_id: int, keyword: str, now: datetime) -> None:
    latest = _latest_sent([contact_id])
    inbound_reply.send(
        real_app(),
        contact_id=contact_id,
        keyword=keyword,
        subject=latest.subject if latest else None,
        received_at=now,
    )


def _opt_out(contact: Contact, now: datetime) -> None:
    if not contact.opted_out:
        contact_service.opt_out(contact, now=now)
        record(None, "contact.opt_out", "contact", contact.id, {"via": "sms"}, channel="sms")


def _opt_in(contact: Contact, now: datetime) -> bool:
    """Opt in again; True when she may now get messages. A STOP is undone by START, but consent
    the peer educator never recorded (or withdrew) is not given by an SMS."""
    if not contact.sms_consent:
        return False
    if contact.opted_out:
        contact_service.opt_in(contact, actor_id=None, now=now)
        record(None, "contact.opt_in", "contact", contact.id, {"via": "sms"}, channel="sms")
    return True


def handle_inbound(from_number: str, body: str, sid: str, *, now: datetime) -> InboundResult:
    """Act on one inbound SMS (flushes; the caller commits). A sid seen before does nothing."""
    keyword = parse_keyword(body)
    sid = sid[:64]
    if db.session.scalar(sa.select(InboundMessage.id).where(InboundMessage.sid == sid)):
        return InboundResult(keyword, duplicate=True)
    # A concurrent request with the same sid fails on the unique sid at flush or commit: the
    # edge rolls back (see `twilio_inbound`).
    seen = InboundMessage(sid=sid, keyword=keyword, received_at=now)
    db.session.add(seen)
    found = _find_contacts(from_number)
    if not found:
        return InboundResult(keyword, reply=_reply("unknown", []))
    languages = [c.language for c in found]
    result = InboundResult(keyword, contact_ids=[c.id for c in found])
    if keyword in ("stop", "start"):
        if keyword == "stop":
            for contact in found:
                _opt_out(contact, now)
            allowed = []
        else:
            allowed = [_opt_in(contact, now) for contact in found]
        seen.contact_id = found[0].id
        for contact in found:
            contact_service.touch(contact, now)
        db.session.flush()
        for contact in found:
            _publish(contact.id, keyword, now)
        refused = keyword == "start" and not any(allowed)
        result.reply = _reply("start_refused" if refused else keyword, languages)
    else:
        latest = _latest_sent([c.id for c in found])
        target = next((c for c in found if latest and c.id == latest.contact_id), found[0])
        seen.contact_id = target.id
        contact_service.touch(target, now)
        db.session.flush()
        _publish(target.id, keyword, now)
        result.contact_ids = [target.id]
        if keyword == "help":
            result.reply = _reply("help", [target.language])
    if all(c.safety_hold for c in found):
        result.reply = None  # her phone may be in someone else's hands: send nothing at all
    return result


def twiml(reply: str | None) -> Response:
    """A TwiML answer: one message, or none."""
    inner = f"<Message>{escape(reply)}</Message>" if reply else ""
    xml = f'<?xml version="1.0" encoding="UTF-8"?><Response>{inner}</Response>'
    return Response(xml, mimetype="text/xml")
