"""Cancelling a subject's pending messages while a dispatcher claims one of them (PostgreSQL).

Found by bench/load.py: a visit confirmed while its `referral_created` was being claimed left the
row `cancelled` although the SMS went out (the cancel read the row as pending, then overwrote the
committed claim). The claim must win: the row stays `sending`, and its send is recorded.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest
import sqlalchemy as sa

from core.db import utcnow
from core.extensions import db
from notifications.models import OutboxMessage
from tests.support.factories import make_contact, make_message
from tests.support.pg import wait_for_lock_waiter


@pytest.fixture
def due(app):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("row locking races are tested on PostgreSQL")
    message = make_message(make_contact())
    return message.id, message.subject


def _while_a_dispatcher_claims(message_id: int, request: Callable[[], None], what: str) -> None:
    """Run `request` in a thread of its own while a dispatcher's claim transaction holds the
    message's row; once it waits on that lock, the claim marks the row sending and commits."""
    with db.engine.connect() as claim:
        claim.execute(
            sa.text("SELECT id FROM outbox_messages WHERE id = :id FOR UPDATE"), {"id": message_id}
        )
        thread = threading.Thread(target=request)
        thread.start()
        assert wait_for_lock_waiter(), f"{what} never met the claim's row lock"
        claim.execute(
            sa.text("UPDATE outbox_messages SET status = 'sending' WHERE id = :id"),
            {"id": message_id},
        )
        claim.commit()
    thread.join(20)


def test_a_cancel_during_a_claim_leaves_the_claimed_row_sending(app, due):
    from notifications.engine.planning import cancel_pending

    message_id, subject = due
    result: dict = {}

    def confirm_visit() -> None:
        with app.app_context():  # a request of its own: the visit confirmed
            result["cancelled"] = cancel_pending(subject, reason="visit confirmed")
            db.session.commit()

    _while_a_dispatcher_claims(message_id, confirm_visit, "the cancel")

    assert result["cancelled"] == 0
    db.session.expire_all()
    assert db.session.get(OutboxMessage, message_id).status == "sending"


def test_a_new_window_during_a_claim_leaves_the_claimed_row_alone(app, due):
    """Her contact window changed (replan_contact) while a dispatcher claims a message: the
    replan waits for the claim and leaves the row it took as it is."""
    from notifications.engine.planning import replan_contact
    from notifications.models import Contact

    message_id, _subject = due
    contact_id = db.session.get(OutboxMessage, message_id).contact_id
    db.session.commit()
    result: dict = {}

    def change_window() -> None:
        with app.app_context():  # a request of its own: her window set to 22:00-23:00
            contact = db.session.get(Contact, contact_id)
            contact.window_start, contact.window_end = "22:00", "23:00"
            result["changed"] = replan_contact(contact, utcnow())
            db.session.commit()

    _while_a_dispatcher_claims(message_id, change_window, "the replan")

    assert result["changed"] == 0
    db.session.expire_all()
    assert db.session.get(OutboxMessage, message_id).status == "sending"


def test_a_cancel_before_a_claim_wins_and_the_claim_finds_nothing(app, due):
    from notifications.engine.planning import cancel_pending

    message_id, subject = due
    assert cancel_pending(subject, reason="visit confirmed") == 1
    db.session.commit()

    with db.engine.connect() as claim:
        claimed = claim.execute(
            sa.text(
                "UPDATE outbox_messages SET status = 'sending' "
                "WHERE id = :id AND status = 'pending' RETURNING id"
            ),
            {"id": message_id},
        ).all()
        claim.commit()
    assert claimed == []
    db.session.expire_all()
    assert db.session.get(OutboxMessage, message_id).status == "cancelled"
