"""SMSGate webhooks at `POST /webhooks/smsgate`: sms:sent, sms:delivered, sms:failed, sms:received
and system:ping (../shared/reference/sms-gate.md).

Nothing is parsed before the signature is checked: `X-Signature` must be the hex HMAC-SHA256,
under SMSGATE_SIGNING_KEY, of the raw body followed by the `X-Timestamp` value, and the timestamp
within 300 s of now; otherwise 403 (and always 403 without a key). Each event acts once, by its
`id` (webhook_events, written in the same transaction as the effect). A status names our attempt
(`payload.messageId` is our reference) and moves the message forward only; a reply goes through
the same inbound handling as Twilio's. The sender's number and the text are never logged.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from flask import Response, abort, current_app, jsonify, request
from sqlalchemy.exc import IntegrityError

from core.db import utcnow
from core.extensions import db, limiter
from core.logging import mask_phones
from notifications.engine import attempts
from notifications.inbound import handle_inbound
from notifications.models import GatewayState
from notifications.webhooks import events
from notifications.webhooks.blueprint import bp

log = logging.getLogger(__name__)

SOURCE = "smsgate"
MAX_SKEW_SECONDS = 300
STATUSES = {"sms:sent": "sent", "sms:delivered": "delivered", "sms:failed": "failed"}
EVENTS = (*STATUSES, "sms:received", "system:ping")
# Forged or broken requests from one address before it is refused for a while (429).
REFUSED_PER_MINUTE = "60/minute"


@dataclass(frozen=True)
class Event:
    """One webhook delivery: the event's own id, its type and its payload."""

    id: str
    kind: str
    payload: dict[str, Any]


def signature_valid(key: str, body: bytes, timestamp: str, signature: str, *, now: float) -> bool:
    """Whether `signature` is HMAC-SHA256(key, body + timestamp) and the timestamp is fresh."""
    if not (timestamp.isascii() and timestamp.isdigit() and len(timestamp) <= 12):
        return False
    if abs(now - int(timestamp)) > MAX_SKEW_SECONDS:
        return False
    expected = hmac.new(key.encode(), body + timestamp.encode(), hashlib.sha256).hexdigest()
    given = signature.strip().lower().encode("utf-8", "replace")
    return hmac.compare_digest(expected.encode(), given)


def verify_smsgate_signature(body: bytes) -> None:
    """403 unless the request is signed with our key, recently."""
    key = current_app.config.get("SMSGATE_SIGNING_KEY")
    if not key:
        log.warning("smsgate webhook refused: SMSGATE_SIGNING_KEY is not set")
        abort(403)
    timestamp = request.headers.get("X-Timestamp", "")
    signature = request.headers.get("X-Signature", "")
    if not signature_valid(str(key), body, timestamp, signature, now=utcnow().timestamp()):
        log.warning("smsgate webhook refused: bad or stale signature")
        abort(403)


def _text(payload: dict[str, Any], name: str, limit: int = 2000) -> str | None:
    value = payload.get(name)
    return value if isinstance(value, str) and 0 < len(value) <= limit else None


def _sender(payload: dict[str, Any]) -> str | None:
    """Who sent a received SMS: `sender` (newer apps), else `phoneNumber` (as documented)."""
    return _text(payload, "sender", 64) or _text(payload, "phoneNumber", 64)


def parse_event(body: bytes) -> Event | None:
    """The event in a (signed) body; None when it is not JSON or lacks what its type needs."""
    try:
        data = json.loads(body)
    except (ValueError, RecursionError):
        return None
    if not isinstance(data, dict) or not isinstance(data.get("payload"), dict):
        return None
    event_id, kind, payload = data.get("id"), data.get("event"), data["payload"]
    if not (isinstance(event_id, str) and 0 < len(event_id) <= 64 and isinstance(kind, str)):
        return None
    if kind in STATUSES and _text(payload, "messageId", 64) is None:
        return None
    if kind == "sms:received" and (
        _sender(payload) is None or not isinstance(payload.get("message"), str)
    ):
        return None
    return Event(event_id, kind[:32], payload)


def record_ping(name: str, at: datetime) -> None:
    """Note that gateway `name` was heard from at `at` (forward only; flushes)."""
    from notifications.engine import routing

    routing.states([name])  # its row, created when missing
    db.session.execute(
        sa.update(GatewayState)
        .where(
            GatewayState.name == name,
            sa.or_(GatewayState.last_ping_at.is_(None), GatewayState.last_ping_at < at),
        )
        .values(last_ping_at=at)
        .execution_options(synchronize_session=False)
    )


def _status(event: Event, now: datetime) -> str:
    """A report on one of our attempts: it (and its message, if still its latest) moves forward."""
    reference = event.payload["messageId"]
    attempt = attempts.by_reference(reference)
    if attempt is None:
        return "unknown message"
    status = STATUSES[event.kind]
    message = None
    if status == "failed":
        reason = _text(event.payload, "reason", 1000) or "no reason given"
        message = "SMSGate: " + mask_phones(reason)
    moved = attempts.report(reference, status, now=now, error_message=message)
    return f"sms {attempt.message_id} attempt {attempt.number} {status}" + (
        "" if moved else " (no change)"
    )


def _received(event: Event, now: datetime) -> str:
    """A member's reply: the same handling as Twilio's inbound SMS (no answer is sent back).

    Handled once by the event's id: the payload's messageId is derived from the text and is not
    unique (two replies "1" may share it)."""
    sender = _sender(event.payload) or ""
    result = handle_inbound(sender, event.payload["message"], f"smsgate:{event.id}", now=now)
    repeat = " (repeat, ignored)" if result.duplicate else ""
    return f"reply {result.keyword} for {len(result.contact_ids)} contact(s){repeat}"


def _handle(event: Event, now: datetime) -> str:
    if event.kind in STATUSES:
        return _status(event, now)
    if event.kind == "sms:received":
        return _received(event, now)
    record_ping(SOURCE, now)
    return "ping"


def _refused(response: Response) -> bool:
    """Only refused requests count against the limit: the phone's own bursts never do."""
    return response.status_code >= 400


@bp.post("/smsgate")
@limiter.limit(REFUSED_PER_MINUTE, deduct_when=_refused)
def smsgate_event():
    """An SMSGate event: signed, acted on once by its id, answered 200 unless refused."""
    body = request.get_data(cache=True)  # the raw bytes, before anything parses them
    verify_smsgate_signature(body)
    event = parse_event(body)
    if event is None:
        abort(400)
    if event.kind not in EVENTS:
        log.info("smsgate event %s ignored: %r is not an event we handle", event.id, event.kind)
        return jsonify(status="ignored")
    if events.seen(SOURCE, event.id):
        log.info("smsgate event %s (%s) seen before: ignored", event.id, event.kind)
        return jsonify(status="repeat")
    now = utcnow()
    try:
        events.remember(SOURCE, event.id, now=now)
        done = _handle(event, now)
        db.session.commit()
    except IntegrityError:
        # The same event committed by a concurrent delivery first: it acted there.
        db.session.rollback()
        return jsonify(status="repeat")
    log.info("smsgate event %s (%s): %s", event.id, event.kind, done)
    return jsonify(status="ok")
