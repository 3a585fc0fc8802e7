"""Twilio webhooks: status callbacks and inbound SMS (its keywords are handled in inbound.py).

Every request is checked against `X-Twilio-Signature`, computed over PUBLIC_BASE_URL + path + query
(behind a proxy the URL Flask sees is not the one Twilio signed). Callbacks move rows forward only
and are idempotent: Twilio may send them twice or out of order.
"""

from __future__ import annotations

import logging

import sqlalchemy as sa
from flask import abort, current_app, request
from sqlalchemy.exc import IntegrityError

from core.db import utcnow
from core.edge import parse_id
from core.extensions import db
from notifications.engine import outcomes, pause
from notifications.engine.gateways import (
    ACCOUNT_ERROR_CODES,
    PROVIDER_STATUS,
    signature_valid,
)
from notifications.engine.settings import setting_float
from notifications.inbound import handle_inbound, twiml
from notifications.models import OutboxMessage
from notifications.webhooks.blueprint import bp

log = logging.getLogger(__name__)

# Delivery errors that say the number itself cannot receive SMS (DESIGN.md).
_UNUSABLE = {"30005": "30005 unknown number", "30006": "30006 landline or unreachable carrier"}


def verify_twilio_signature() -> None:
    """403 unless the request carries Twilio's signature over our public URL."""
    token = current_app.config.get("TWILIO_AUTH_TOKEN")
    base = current_app.config.get("PUBLIC_BASE_URL")
    if not token or not base:
        log.warning("twilio webhook refused: TWILIO_AUTH_TOKEN or PUBLIC_BASE_URL is not set")
        abort(403)
    query = request.query_string.decode("latin-1")
    url = base.rstrip("/") + request.path + (f"?{query}" if query else "")
    params = request.form.to_dict(flat=True)
    if not signature_valid(token, url, params, request.headers.get("X-Twilio-Signature", "")):
        log.warning("twilio webhook refused: bad signature on %s", request.path)
        abort(403)


def _find(message_id: str | None, sid: str | None) -> OutboxMessage | None:
    # The id in the (signed) URL names our message even when an earlier attempt's sid reports.
    known = parse_id(message_id)  # an id a column can hold, in ASCII digits; else none
    if known is not None:
        row = db.session.get(OutboxMessage, known)
        if row is not None:
            return row
    if sid:
        return db.session.scalar(sa.select(OutboxMessage).where(OutboxMessage.provider_sid == sid))
    return None


@bp.post("/twilio/status")
def twilio_status():
    """A status callback: resolves `unknown` rows, moves statuses forward, changes nothing twice."""
    verify_twilio_signature()
    sid = request.form.get("MessageSid") or request.form.get("SmsSid")
    provider_status = request.form.get("MessageStatus") or request.form.get("SmsStatus") or ""
    status = PROVIDER_STATUS.get(provider_status.lower())
    row = _find(request.args.get("m"), sid)
    if row is None or status is None:
        # 200 all the same: a retry from Twilio would not find it either.
        log.info(
            "status callback ignored (message %s, status %r)",
            request.args.get("m"),
            provider_status,
        )
        return "", 204
    now = utcnow()
    code = request.form.get("ErrorCode") or None
    message = f"provider error {code}" if code and status in ("failed", "undelivered") else None
    # `reported`: a message never handed to a provider (pending, cancelled, skipped) stays as it is.
    moved = outcomes.advance(row.id, status, now=now, sid=sid, error_code=code if message else None,
                             error_message=message, reported=True)  # fmt: skip
    if moved and code in _UNUSABLE:
        outcomes.mark_number_unusable(row.contact_id, _UNUSABLE[code])
    if moved and code == "30003" and status in ("undelivered", "failed"):
        delay = setting_float("SMS_UNREACHABLE_RETRY_SECONDS")
        outcomes.retry_unreachable(row.id, now=now, delay_seconds=delay)
    if moved and parse_id(code) in ACCOUNT_ERROR_CODES:
        pause.pause(code, f"status callback for sms {row.id} reports account error {code}",
                    now=now, seconds=setting_float("SMS_ACCOUNT_PAUSE_SECONDS"))  # fmt: skip
    db.session.commit()
    log.info(
        "status callback: sms %s %s%s", row.id, provider_status, "" if moved else " (no change)"
    )
    return "", 204


@bp.post("/twilio/inbound")
def twilio_inbound():
    """An inbound SMS from Twilio: signed, handled once per MessageSid, answered in TwiML."""
    verify_twilio_signature()
    sid = request.form.get("MessageSid") or request.form.get("SmsSid")
    if not sid:
        abort(400)
    try:
        result = handle_inbound(
            request.form.get("From", ""), request.form.get("Body", ""), sid, now=utcnow()
        )
        db.session.commit()
    except IntegrityError:
        # The same sid committed by a concurrent request first: it has been handled there.
        db.session.rollback()
        return twiml(None)
    log.info(
        "inbound sms %s: %s for %d contact(s)%s",
        sid,
        result.keyword,
        len(result.contact_ids),
        " (repeat, ignored)" if result.duplicate else "",
    )
    return twiml(None if result.duplicate else result.reply)
