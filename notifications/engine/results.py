"""What the dispatcher does with one send's result: the attempt and the message move, the gateway's
health is noted, and a transient or account failure moves the message's next attempt to the next
gateway of the routing order (or backs off, or pauses dispatch, when there is none).
"""

from __future__ import annotations

import logging
import random
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

import sqlalchemy as sa

from core.extensions import db
from notifications.engine import attempts, outcomes, pause, routing
from notifications.engine.gateways import SendResult
from notifications.engine.settings import setting_float, setting_int
from notifications.models import OutboxMessage

if TYPE_CHECKING:
    from notifications.engine.dispatch import Outgoing, PassStats

log = logging.getLogger(__name__)


def backoff(attempts_made: int) -> timedelta:
    """Exponential backoff with a cap and a little jitter (so retries do not come in a herd)."""
    base = setting_float("SMS_RETRY_BASE_SECONDS")
    cap = setting_float("SMS_RETRY_MAX_SECONDS")
    delay = min(base * 2 ** max(attempts_made - 1, 0), cap)
    return timedelta(seconds=delay * random.uniform(0.9, 1.1))  # noqa: S311 - jitter, not secrets


def record(
    out: Outgoing, result: SendResult, now: datetime, stats: PassStats, names: list[str]
) -> None:
    """Store one send's result in its own transaction."""
    try:
        _record(out, result, now, stats, names)
        db.session.commit()
    except Exception:
        db.session.rollback()
        # The lease will expire and the row will be looked up: nothing is lost or sent twice.
        log.exception("sms %s: recording the result failed", out.id)


def _record(
    out: Outgoing, result: SendResult, now: datetime, stats: PassStats, names: list[str]
) -> None:
    code, text = result.code, result.message
    if result.outcome == "sent":
        outcomes.advance(
            out.id, result.status or "sent", now=now, sid=result.sid, attempt_id=out.attempt_id
        )
        routing.note_success(out.gateway, now=now)
        stats.sent += 1
        log.debug("sms %s (%s) sent through %s", out.id, out.kind, out.gateway)
        return
    if result.outcome == "unknown":
        _unknown(out, text, now, stats)
        return
    failure = f"{result.http_status or ''} {text or ''}".strip() or result.outcome
    if result.outcome in ("account", "transient", "not_sent"):
        attempts.advance(out.attempt_id, "failed", now=now, error_code=code, error_message=failure)
        account = result.outcome == "account"
        routing.note_failure(out.gateway, failure, now=now, account=account)
        if len(names) > 1 and routing.others_usable(names, out.gateway, now):
            # Fail over: the attempt is final, so the next gateway of the order takes it now.
            outcomes.back_to_pending(
                out.id, now=now, send_at=now, uncount=account, error_code=code,
                error_message=f"{out.gateway}: {failure}; trying the next gateway",
            )  # fmt: skip
            stats.deferred += 1
            log.info("sms %s (%s) fails over from %s", out.id, out.kind, out.gateway)
        elif account:
            _account(out, code, text, now, stats)
        else:
            _transient(out, code, failure, now, stats)
        return
    _permanent(out, code, text, now, stats)


def _unknown(out: Outgoing, text: str | None, now: datetime, stats: PassStats) -> None:
    reason = f"no answer from the provider ({text})"[:255]
    attempts.advance(out.attempt_id, "unknown", now=now, error_message=reason)
    routing.note_failure(out.gateway, reason, now=now)
    db.session.execute(
        sa.update(OutboxMessage)
        .where(OutboxMessage.id == out.id, OutboxMessage.status == "sending")
        .values(
            status="unknown",
            sent_at=out.claimed_at,
            lease_until=now + timedelta(seconds=setting_float("SMS_UNKNOWN_LOOKUP_AFTER")),
            error_message=reason,
            updated_at=now,
        )
        .execution_options(synchronize_session=False)
    )
    stats.unknown += 1
    log.warning("sms %s (%s) unknown: %s; awaiting callback or lookup", out.id, out.kind, text)


def _account(
    out: Outgoing, code: int | None, text: str | None, now: datetime, stats: PassStats
) -> None:
    pause.pause(
        str(code) if code else None,
        text or "account error",
        now=now,
        seconds=setting_float("SMS_ACCOUNT_PAUSE_SECONDS"),
    )
    outcomes.back_to_pending(out.id, now=now, send_at=now, uncount=True)
    stats.deferred += 1
    stats.paused = True


def _transient(
    out: Outgoing, code: int | None, reason: str, now: datetime, stats: PassStats
) -> None:
    made = db.session.scalar(sa.select(OutboxMessage.attempts).where(OutboxMessage.id == out.id))
    if (made or 0) >= setting_int("SMS_MAX_ATTEMPTS"):
        outcomes.advance(
            out.id,
            "failed",
            now=now,
            error_code=code,
            error_message=f"gave up after {made} attempts: {reason}",
            attempt_id=out.attempt_id,
        )
        stats.failed += 1
        log.warning("sms %s (%s) failed after %s attempts", out.id, out.kind, made)
        return
    outcomes.back_to_pending(
        out.id,
        now=now,
        send_at=now + backoff(made or 1),
        error_code=code,
        error_message=reason,
    )
    stats.deferred += 1
    log.info("sms %s (%s) retry later: %s", out.id, out.kind, reason)


def _permanent(
    out: Outgoing, code: int | None, text: str | None, now: datetime, stats: PassStats
) -> None:
    """This message will never go; some errors also say something about the number."""
    reason = f"{code}: {text}" if code else (text or "rejected by the provider")
    outcomes.advance(
        out.id, "failed", now=now, error_code=code, error_message=reason, attempt_id=out.attempt_id
    )
    routing.note_success(out.gateway, now=now)  # the gateway answered: its API works
    stats.failed += 1
    log.warning("sms %s (%s) failed: provider error %s", out.id, out.kind, code)
    if code == 21211:
        outcomes.mark_number_unusable(out.contact_id, "21211 invalid number")
    elif code == 21614:
        outcomes.mark_number_unusable(out.contact_id, "21614 not a mobile number")
    elif code == 21610:
        outcomes.mark_unsubscribed(out.contact_id, now=now)
