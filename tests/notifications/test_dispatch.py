"""The dispatcher through the real twilio client against the Twilio-compatible fake server."""

from __future__ import annotations

from datetime import timedelta

import pytest

from core.extensions import db
from notifications.engine.dispatch import dispatch_pass
from notifications.models import Contact
from tests.support.clock import APPOINTMENT, NOW
from tests.support.factories import make_contact, make_message, reload, statuses
from tests.support.sms import PUBLIC

# Fixtures shared by the sending side's tests (pytest finds them by name here).


def test_due_message_is_sent_with_callback_validity_and_stored_text(twilio_app, fake_twilio):
    contact = make_contact()
    message = make_message(contact)
    later = make_message(contact, send_at=NOW + timedelta(hours=1))

    stats = dispatch_pass(now=NOW)

    assert (stats.sent, stats.failed, stats.deferred) == (1, 0, 0)
    row = reload(message)
    assert row.status == "sent"
    assert row.attempts == 1
    assert row.provider_sid == fake_twilio.messages[0].sid
    assert (
        row.body == "Reminder: tomorrow 11:00 at Point 3. Code K7P2-" + row.params["code"][4:] + "."
    )
    assert row.to_phone == contact.phone
    assert row.segments == 1
    assert row.sent_at is not None and row.lease_until is None
    sent = fake_twilio.messages[0]
    assert sent.to == contact.phone and sent.body == row.body
    assert sent.status_callback == f"{PUBLIC}/webhooks/twilio/status?m={message.id}"
    assert sent.validity_period == 4 * 3600
    assert reload(later).status == "pending"


def test_text_is_rendered_at_send_time_in_her_language(twilio_app, fake_twilio):
    contact = make_contact(language="bn")
    message = make_message(contact, kind="reminder_2h")
    # Sent on the appointment's own day: "today" (আজ), Bangla digits.
    dispatch_pass(now=APPOINTMENT - timedelta(hours=2))
    body = reload(message).body
    assert "আজ" in body
    assert "১১" in body and "11" not in body
    assert fake_twilio.messages[0].body == body


def test_shared_phone_gets_the_bare_text(twilio_app, fake_twilio):
    contact = make_contact(shared_phone=True)
    message = make_message(contact)
    dispatch_pass(now=NOW)
    body = reload(message).body
    assert body.startswith("Tomorrow, 11:00. Code ")
    assert "Point 3" not in body


def test_429_then_success_backs_off_and_retries(twilio_app, fake_twilio):
    message = make_message(make_contact())
    fake_twilio.fail_next(1, code=20429, http_status=429)

    first = dispatch_pass(now=NOW)
    row = reload(message)
    assert (first.sent, first.deferred) == (0, 1)
    assert row.status == "pending" and row.attempts == 1
    assert row.send_at > NOW + timedelta(seconds=50)  # backoff: about a minute
    assert row.error_code == "20429"
    assert dispatch_pass(now=NOW).sent == 0  # not due yet

    second = dispatch_pass(now=row.send_at + timedelta(seconds=1))
    assert second.sent == 1
    row = reload(message)
    assert row.status == "sent" and row.attempts == 2
    assert len(fake_twilio.messages) == 1


def test_5xx_beyond_the_retry_cap_fails(twilio_app, fake_twilio):
    message = make_message(make_contact())
    fake_twilio.fail_next(10, code=20500, http_status=500)
    now, delays = NOW, []
    for _ in range(3):  # SMS_MAX_ATTEMPTS = 3 in these tests
        dispatch_pass(now=now)
        row = reload(message)
        if row.status == "pending":
            delays.append(row.send_at - now)
            now = row.send_at + timedelta(seconds=1)
    row = reload(message)
    assert row.status == "failed"
    assert row.attempts == 3
    assert "gave up after 3 attempts" in row.error_message
    assert delays[1] > delays[0] * 1.5  # exponential
    creates = [r for r in fake_twilio.requests if r.method == "POST"]
    assert len(creates) == 3
    assert fake_twilio.messages == []


@pytest.mark.parametrize(
    ("code", "reason"), [(21211, "21211 invalid number"), (21614, "21614 not a mobile number")]
)
def test_unusable_number_fails_at_once_and_marks_the_number(twilio_app, fake_twilio, code, reason):
    contact = make_contact()
    same_phone = make_contact(contact.phone, shared_phone=True)
    message = make_message(contact)
    fake_twilio.fail_for(contact.phone, code=code, http_status=400)

    stats = dispatch_pass(now=NOW)
    assert stats.failed == 1
    row = reload(message)
    assert row.status == "failed" and row.attempts == 1
    assert row.error_code == str(code)
    assert contact.phone not in row.error_message  # the provider's text names the number
    assert db.session.get(Contact, contact.id).unusable_reason == reason
    assert db.session.get(Contact, same_phone.id).unusable_reason == reason

    # Her next message is skipped without a send.
    nxt = make_message(contact, send_at=NOW)
    assert dispatch_pass(now=NOW + timedelta(minutes=1)).skipped == 1
    assert reload(nxt).status == "skipped"
    assert len([r for r in fake_twilio.requests if r.method == "POST"]) == 1


def test_unsubscribed_opts_her_out_and_cancels_her_pending_rows(twilio_app, fake_twilio):
    contact = make_contact()
    message = make_message(contact)
    waiting = make_message(contact, send_at=NOW + timedelta(hours=3))
    fake_twilio.fail_for(contact.phone, code=21610, http_status=400)

    assert dispatch_pass(now=NOW).failed == 1
    assert reload(message).status == "failed"
    assert reload(message).error_code == "21610"
    her = db.session.get(Contact, contact.id)
    assert her.opted_out is True and her.opted_out_at is not None
    assert reload(waiting).status == "cancelled"


@pytest.mark.parametrize(
    ("fields", "status", "reason"),
    [
        ({"opted_out": True}, "cancelled", "opted out"),
        ({"safety_hold": True}, "cancelled", "safety hold"),
        ({"sms_consent": False}, "cancelled", "no SMS consent"),
        ({"unusable_reason": "30005 unknown number"}, "skipped", "number unusable"),
        ({"phone": None, "phone_index": None}, "cancelled", "no phone number"),
    ],
)
def test_contact_is_checked_again_before_sending(twilio_app, fake_twilio, fields, status, reason):
    contact = make_contact()
    message = make_message(contact)
    for name, value in fields.items():
        setattr(contact, name, value)
    db.session.commit()

    dispatch_pass(now=NOW)

    row = reload(message)
    assert row.status == status
    assert row.error_message == reason
    assert row.body is None and row.final_at is not None
    assert fake_twilio.requests == []


def test_text_that_fails_the_discretion_check_is_never_sent(twilio_app, fake_twilio):
    contact = make_contact()
    message = make_message(contact)
    message.params = {**message.params, "place": "HIV Centre"}
    db.session.commit()

    stats = dispatch_pass(now=NOW)

    assert stats.failed == 1
    row = reload(message)
    assert row.status == "failed"
    assert row.error_message.startswith("not discreet")
    assert fake_twilio.requests == []


def test_a_code_that_happens_to_spell_a_word_is_not_a_problem(twilio_app, fake_twilio):
    message = make_message(make_contact(), code="K7TBHIV2")
    assert dispatch_pass(now=NOW).sent == 1
    assert "K7TB-HIV2" in reload(message).body


def test_a_late_dispatcher_does_not_send_at_night(twilio_app, fake_twilio):
    message = make_message(make_contact(), send_at=NOW)
    night = NOW.replace(hour=17, minute=30)  # 23:30 in Dhaka, quiet hours
    stats = dispatch_pass(now=night)
    row = reload(message)
    assert stats.deferred == 1 and row.status == "pending" and row.attempts == 0
    assert row.send_at == NOW.replace(hour=2) + timedelta(days=1)  # 08:00 in Dhaka
    assert fake_twilio.requests == []


def test_a_reminder_after_its_appointment_is_skipped(twilio_app, fake_twilio):
    message = make_message(make_contact())
    dispatch_pass(now=APPOINTMENT + timedelta(minutes=5))
    row = reload(message)
    assert row.status == "skipped"
    assert "appointment" in row.error_message
    assert fake_twilio.requests == []


def test_limit_claims_at_most_n(twilio_app, fake_twilio):
    contact = make_contact()
    for _ in range(5):
        make_message(contact)
    assert dispatch_pass(now=NOW, limit=2).sent == 2
    assert statuses() == {"sent": 2, "pending": 3}
    assert dispatch_pass(now=NOW).sent == 3


def test_account_error_pauses_dispatch_instead_of_failing_every_message(twilio_app, fake_twilio):
    contact = make_contact()
    messages = [make_message(contact) for _ in range(4)]
    fake_twilio.fail_next(20, code=20003, http_status=401)

    stats = dispatch_pass(now=NOW)

    assert stats.paused and stats.failed == 0
    assert statuses() == {"pending": 4}
    assert all(reload(m).attempts == 0 for m in messages)
    assert dispatch_pass(now=NOW + timedelta(minutes=1)).paused  # still paused: nothing tried
    tried = len(fake_twilio.requests)
    assert tried <= 8  # at most one pool's worth went out before the pause
    fake_twilio.clear_faults()
    # After the pause (15 minutes by default) the next pass tries again.
    assert dispatch_pass(now=NOW + timedelta(minutes=16)).sent == 4


def test_a_stopping_scheduler_takes_no_new_work_and_hands_back_unsent_rows(twilio_app, fake_twilio):
    contact = make_contact()
    for _ in range(20):
        make_message(contact)
    assert dispatch_pass(now=NOW, stop=lambda: True).claimed == 0
    assert statuses() == {"pending": 20}

    fake_twilio.latency = 0.2
    stats = dispatch_pass(now=NOW, stop=lambda: len(fake_twilio.requests) > 0)

    counts = statuses()
    assert "sending" not in counts
    assert counts.get("sent", 0) == stats.sent == len(fake_twilio.messages)
    assert counts["pending"] == 20 - stats.sent > 0  # what had not started went back
    from notifications.models import OutboxMessage

    pending = db.session.scalars(
        db.select(OutboxMessage).where(OutboxMessage.status == "pending")
    ).all()
    assert all(row.attempts == 0 for row in pending)  # handed back, not counted


def test_an_admin_override_of_the_text_is_used_at_send_time(twilio_app, fake_twilio):
    from notifications.models import SmsTemplate

    db.session.add(
        SmsTemplate(kind="reminder_24h", lang="en", variant="appointment",
                    source="See you {day} at {time}. Code {code}.")
    )  # fmt: skip
    db.session.commit()
    message = make_message(make_contact())
    dispatch_pass(now=NOW)
    assert reload(message).body.startswith("See you tomorrow at 11:00. Code K7P2-")
