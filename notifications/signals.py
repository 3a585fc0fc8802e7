"""Signals the notifications package publishes (blinker); other packages subscribe.

`inbound_reply` is sent once per contact an inbound SMS acted on, inside the request's
transaction (after notifications' own changes are flushed, before the commit): a receiver may
write rows (flush, never commit) and they are committed with the reply, or rolled back with it.

    inbound_reply.send(None, contact_id=int, keyword=str, subject=str | None, received_at=datetime)

`keyword` is one of "yes" (she intends to come), "no" (she needs a new time), "stop" (opted out),
"start" (opted in again), "help", "other". `subject` is the subject of the most recent message
sent to that contact (e.g. "referral:K7P2QX9M"), or None when she was never sent one.
"""

from __future__ import annotations

from blinker import Namespace

_signals = Namespace()

inbound_reply = _signals.signal("inbound-reply")
