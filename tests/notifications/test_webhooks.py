"""POST /webhooks/twilio/status: signed, forward only, idempotent; resolves `unknown` rows."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from core.db import utcnow
from core.extensions import db
from notifications.engine.dispatch import dispatch_pass
from notifications.models import Contact
from tests.support.clock import NOW
from tests.support.factories import make_contact, make_message, reload
from tests.support.sms import PUBLIC

# Fixtures shared by the sending side's tests (pytest finds them by name here).


@pytest.fixture
def client(twilio_app):
    """The test client of the app wired to the fake (built after the fake)."""
    return twilio_app.test_client()


@pytest.fixture
def sent(twilio_app, fake_twilio):
    """A message the dispatcher sent; (row, provider sid)."""
    message = make_message(make_contact())
    dispatch_pass(now=NOW)
    row = reload(message)
    assert row.status == "sent"
    return row, row.provider_sid


def _callback(client, fake, sid, status, error_code=None, public_url=PUBLIC):
    path, params, headers = fake.callback_request(sid, status, error_code, public_url=public_url)
    return client.post(path, data=params, headers=headers)


def test_delivered_callback_moves_sent_forward(client, fake_twilio, sent):
    row, sid = sent
    response = _callback(client, fake_twilio, sid, "delivered")
    assert response.status_code in (200, 204)
    row = reload(row)
    assert row.status == "delivered" and row.delivered_at is not None and row.final_at is not None


def test_signature_is_checked_over_the_public_url(client, fake_twilio, sent):
    row, sid = sent
    path, params, headers = fake_twilio.callback_request(sid, "delivered", public_url=PUBLIC)
    # Signed for another host, a changed parameter, a changed query, no signature at all.
    _, _, wrong_host = fake_twilio.callback_request(
        sid, "delivered", public_url="https://evil.example"
    )
    assert client.post(path, data=params, headers=wrong_host).status_code == 403
    assert (
        client.post(path, data={**params, "MessageStatus": "failed"}, headers=headers).status_code
        == 403
    )
    other = path.replace(f"m={row.id}", f"m={row.id + 1}")
    assert client.post(other, data=params, headers=headers).status_code == 403
    assert client.post(path, data=params).status_code == 403
    assert reload(row).status == "sent"
    assert client.post(path, data=params, headers=headers).status_code in (200, 204)
    assert reload(row).status == "delivered"


def test_statuses_move_forward_only_and_repeats_change_nothing(client, fake_twilio, sent):
    row, sid = sent
    assert _callback(client, fake_twilio, sid, "delivered").status_code in (200, 204)
    delivered_at = reload(row).delivered_at
    for late in ("sent", "queued", "sending", "delivered", "undelivered", "failed"):
        assert _callback(client, fake_twilio, sid, late).status_code in (200, 204)
    row = reload(row)
    assert row.status == "delivered"
    assert row.delivered_at == delivered_at


@pytest.mark.parametrize("twilio_status", ["queued", "accepted", "scheduled", "sending", "sent"])
def test_provider_in_flight_statuses_all_mean_sent(client, fake_twilio, twilio_app, twilio_status):
    message = make_message(make_contact())
    twilio_app.config["SMS_SEND_TIMEOUT"] = 0.5
    twilio_app.extensions.pop("harc_sms_gateway", None)
    fake_twilio.accept_then_hang(1, seconds=3)
    dispatch_pass(now=NOW)
    assert reload(message).status == "unknown"
    sid = fake_twilio.messages[0].sid
    assert _callback(client, fake_twilio, sid, twilio_status).status_code in (200, 204)
    row = reload(message)
    assert row.status == "sent"
    assert row.provider_sid == sid  # the callback told us the sid the send never returned
    # Resolved: no lookup, no second send later.
    assert dispatch_pass(now=NOW + timedelta(minutes=10)).resolved == 0
    assert len(fake_twilio.messages) == 1


def test_undelivered_with_unknown_number_marks_the_number_unusable(client, fake_twilio, sent):
    row, sid = sent
    _callback(client, fake_twilio, sid, "undelivered", error_code=30005)
    row = reload(row)
    assert row.status == "undelivered" and row.error_code == "30005"
    assert db.session.get(Contact, row.contact_id).unusable_reason.startswith("30005")


def test_callback_for_a_message_we_do_not_know_is_acknowledged(client, fake_twilio, twilio_app):
    callback = f"{PUBLIC}/webhooks/twilio/status?m=999"
    fake_twilio.client().messages.create(
        to="+8801711999999", from_="+15005550006", body="x", status_callback=callback
    )
    sid = fake_twilio.messages[0].sid
    assert _callback(client, fake_twilio, sid, "delivered").status_code in (200, 204)


def test_without_public_base_url_every_callback_is_refused(client, fake_twilio, sent):
    row, sid = sent
    client.application.config["PUBLIC_BASE_URL"] = None
    assert _callback(client, fake_twilio, sid, "delivered").status_code == 403
    assert reload(row).status == "sent"


def test_unreachable_handset_is_retried_once_later(client, fake_twilio, sent):
    from notifications.models import OutboxMessage

    row, sid = sent
    # The callback comes in real time; the row's appointment is days ahead of the real clock.
    _callback(client, fake_twilio, sid, "undelivered", error_code=30003)
    assert reload(row).status == "undelivered"
    retries = db.session.scalars(
        sa.select(OutboxMessage).where(
            OutboxMessage.id != row.id, OutboxMessage.status == "pending"
        )
    ).all()
    assert len(retries) == 1
    retry = retries[0]
    assert (retry.kind, retry.subject, retry.contact_id) == (row.kind, row.subject, row.contact_id)
    assert retry.send_at >= utcnow() + timedelta(minutes=59)

    # The retry is unreachable too: no third attempt.
    retry.status, retry.provider_sid, retry.error_code = "sent", "SMretry", None
    db.session.commit()
    fake_twilio.client().messages.create(to=reload(row).to_phone, from_="+15005550006", body="x")
    second_sid = fake_twilio.messages[-1].sid
    retry_row = reload(retry)
    retry_row.provider_sid = second_sid
    db.session.commit()
    path, params, headers = fake_twilio.callback_request(
        second_sid, "undelivered", 30003, public_url=f"{PUBLIC}/webhooks/twilio/status?m={retry.id}"
    )
    assert client.post(path, data=params, headers=headers).status_code in (200, 204)
    assert reload(retry).status == "undelivered"
    pending = db.session.scalar(sa.select(sa.func.count()).where(OutboxMessage.status == "pending"))
    assert pending == 0


def test_account_error_in_a_callback_pauses_dispatch(client, fake_twilio, sent):
    from notifications.engine import pause

    row, sid = sent
    _callback(client, fake_twilio, sid, "failed", error_code=30002)
    assert reload(row).status == "failed"
    paused = pause.current_pause(utcnow())
    assert paused is not None and paused.error_code == "30002"


@pytest.mark.parametrize("never_sent", ["pending", "cancelled", "skipped"])
def test_a_signed_callback_never_moves_a_message_that_was_not_sent(
    client, fake_twilio, twilio_app, never_sent
):
    message = make_message(make_contact(), send_at=NOW + timedelta(days=1))
    row = reload(message)
    row.status = never_sent
    db.session.commit()
    # A real provider message (another one), its callback signed for our message's URL.
    fake_twilio.client().messages.create(to="+8801711999998", from_="+15005550006", body="x")
    sid = fake_twilio.messages[-1].sid
    url = f"{PUBLIC}/webhooks/twilio/status?m={message.id}"
    for status, code in (("sent", None), ("delivered", None), ("undelivered", 30005)):
        path, params, headers = fake_twilio.callback_request(sid, status, code, public_url=url)
        assert path.endswith(f"?m={message.id}")
        assert client.post(path, data=params, headers=headers).status_code in (200, 204)
    row = reload(message)
    assert (row.status, row.provider_sid, row.delivered_at) == (never_sent, None, None)
    assert db.session.get(Contact, row.contact_id).unusable_reason is None
