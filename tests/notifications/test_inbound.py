"""Inbound SMS: signed webhooks from the Twilio fake, each keyword in both languages and scripts."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from core.audit import AuditEvent
from core.extensions import db
from notifications.inbound import REPLIES, parse_keyword, twiml
from notifications.models import Contact, InboundMessage, OutboxMessage
from notifications.signals import inbound_reply
from notifications.texts.catalog import discretion_problems
from tests.support.clock import NOW
from tests.support.factories import make_contact, make_message, phone, reload
from tests.support.sms import INBOUND_URL, PUBLIC
from tests.support.twilio_fake import TwilioFake


@pytest.fixture
def fake(app_config):
    with TwilioFake() as server:
        app_config.update(TWILIO_AUTH_TOKEN=server.auth_token, PUBLIC_BASE_URL=PUBLIC)
        yield server


@pytest.fixture
def received():
    """Every inbound_reply signal sent during the test."""
    seen: list[dict] = []

    def receiver(sender, **kwargs):
        seen.append(kwargs)

    inbound_reply.connect(receiver)
    yield seen
    inbound_reply.disconnect(receiver)


def post(client, fake, from_: str, body: str, **extra):
    path, params, headers = fake.inbound_request(INBOUND_URL, from_=from_, body=body, **extra)
    return client.post(path, data=params, headers=headers)


def message_text(response) -> str | None:
    """The <Message> of a TwiML answer, unescaped; None when there is none."""
    assert response.status_code == 200
    assert response.mimetype == "text/xml"
    found = re.search(r"<Message>(.*)</Message>", response.get_data(as_text=True), re.S)
    if not found:
        return None
    return found.group(1).replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


@pytest.mark.parametrize(
    ("body", "keyword"),
    [
        ("1", "yes"), ("১", "yes"), ("YES", "yes"), (" yes. ", "yes"), ("Yes, I will come", "yes"),
        ("হ্যাঁ", "yes"), ("হা", "yes"), ("2", "no"), ("২", "no"), ("No", "no"), ("না", "no"),
        ("না।", "no"), ("STOP", "stop"), ("stopall", "stop"), ("Unsubscribe", "stop"),
        ("CANCEL", "stop"), ("end", "stop"), ("QUIT", "stop"), ("বন্ধ", "stop"),
        ("START", "start"), ("unstop", "start"), ("চালু", "start"), ("HELP", "help"),
        ("help!", "help"), ("সাহায্য", "help"), ("", "other"), ("end of the month?", "other"),
        ("12", "other"), ("hello", "other"),
    ],
)  # fmt: skip
def test_keywords(body, keyword):
    assert parse_keyword(body) == keyword


def test_twiml_escapes_the_text():
    body = twiml("a<b & c>").get_data(as_text=True)
    assert "<Message>a&lt;b &amp; c&gt;</Message>" in body
    assert twiml(None).get_data(as_text=True).endswith("<Response></Response>")


@pytest.mark.parametrize("body", ["1", "১", "YES", "হ্যাঁ", "হা", "2", "২", "NO", "না"])
def test_yes_and_no_publish_the_reply_without_answering(fake, app, client, received, body):
    contact = make_contact()
    make_message(contact, status="delivered", code="K7P2QX9M")
    response = post(client, fake, contact.phone, body)
    assert message_text(response) is None
    keyword = "yes" if body in ("1", "১", "YES", "হ্যাঁ", "হা") else "no"
    assert len(received) == 1
    assert received[0]["contact_id"] == contact.id
    assert received[0]["keyword"] == keyword
    assert received[0]["subject"] == "referral:K7P2QX9M"
    row = db.session.scalar(sa.select(InboundMessage))
    assert (row.contact_id, row.keyword) == (contact.id, keyword)


@pytest.mark.parametrize("body", ["STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "বন্ধ"])
def test_stop_opts_out_and_cancels_pending_messages(fake, app, client, received, body):
    contact = make_contact(language="bn")
    pending = make_message(contact, status="pending")
    response = post(client, fake, contact.phone, body)
    assert message_text(response) == REPLIES["stop"]["bn"]
    assert reload(Contact, contact.id).opted_out is True
    assert reload(OutboxMessage, pending.id).status == "cancelled"
    assert [r["keyword"] for r in received] == ["stop"]
    assert (
        db.session.scalar(
            sa.select(AuditEvent.channel).where(AuditEvent.action == "contact.opt_out")
        )
        == "sms"
    )


@pytest.mark.parametrize("body", ["START", "UNSTOP", "চালু"])
def test_start_opts_in_again(fake, app, client, received, body):
    contact = make_contact(opted_out=True, opted_out_at=NOW)
    response = post(client, fake, contact.phone, body)
    assert message_text(response) == REPLIES["start"]["en"]
    assert reload(Contact, contact.id).opted_out is False
    assert [r["keyword"] for r in received] == ["start"]


def test_start_does_not_give_consent_the_peer_educator_never_recorded(fake, app, client):
    contact = make_contact(sms_consent=False, consent_at=None)
    response = post(client, fake, contact.phone, "START")
    assert message_text(response) == REPLIES["start_refused"]["en"]
    assert reload(Contact, contact.id).sms_consent is False


@pytest.mark.parametrize(("body", "lang"), [("HELP", "en"), ("সাহায্য", "bn"), ("help", "bn")])
def test_help_answers_discreetly_in_her_language(fake, app, client, received, body, lang):
    contact = make_contact(language=lang)
    text = message_text(post(client, fake, contact.phone, body))
    assert text == REPLIES["help"][lang]
    assert discretion_problems(text) == []
    assert reload(Contact, contact.id).opted_out is False


def test_every_answer_is_discreet():
    for texts in REPLIES.values():
        for text in texts.values():
            assert discretion_problems(text) == [], text


def test_an_unknown_number_gets_a_neutral_answer(fake, app, client, received):
    make_contact()
    text = message_text(post(client, fake, phone(999_999), "HELP"))
    assert text == REPLIES["unknown"]["bn"] + " / " + REPLIES["unknown"]["en"]
    assert discretion_problems(text) == []
    assert not re.search(r"visit|apa|আপা|code|কোড", text, re.I)
    assert received == []
    row = db.session.scalar(sa.select(InboundMessage))
    assert (row.contact_id, row.keyword) == (None, "help")


def test_a_shared_phone_stops_for_everyone_and_answers_for_the_latest_message(
    fake, app, client, received
):
    number = phone()
    first = make_contact(number, shared_phone=True)
    second = make_contact(number, shared_phone=True, language="bn")
    make_message(first, status="delivered", code="AAAA1111")
    latest = make_message(second, status="sent", code="BBBB2222")
    latest.sent_at = NOW.replace(hour=6)
    db.session.commit()
    assert message_text(post(client, fake, number, "1")) is None
    assert received[-1] == {
        "contact_id": second.id, "keyword": "yes", "subject": "referral:BBBB2222",
        "received_at": received[-1]["received_at"],
    }  # fmt: skip
    text = message_text(post(client, fake, number, "STOP"))
    # Two contacts of two languages: the answer comes in both.
    assert text == REPLIES["stop"]["bn"] + " / " + REPLIES["stop"]["en"]
    assert reload(Contact, first.id).opted_out and reload(Contact, second.id).opted_out
    assert sorted(r["contact_id"] for r in received[1:]) == [first.id, second.id]


def test_no_answer_at_all_under_a_safety_hold(fake, app, client):
    contact = make_contact(safety_hold=True, safety_hold_at=NOW)
    assert message_text(post(client, fake, contact.phone, "HELP")) is None
    assert message_text(post(client, fake, contact.phone, "STOP")) is None
    assert reload(Contact, contact.id).opted_out is True


def test_a_repeated_message_sid_is_handled_once(fake, app, client, received):
    contact = make_contact()
    path, params, headers = fake.inbound_request(INBOUND_URL, from_=contact.phone, body="HELP")
    first = client.post(path, data=params, headers=headers)
    again = client.post(path, data=params, headers=headers)
    assert message_text(first) == REPLIES["help"]["en"]
    assert message_text(again) is None
    assert len(received) == 1
    assert db.session.scalar(sa.select(sa.func.count()).select_from(InboundMessage)) == 1


def test_unsigned_is_refused(fake, app, client):
    contact = make_contact()
    path, params, _headers = fake.inbound_request(INBOUND_URL, from_=contact.phone, body="STOP")
    assert client.post(path, data=params).status_code == 403
    assert reload(Contact, contact.id).opted_out is False
    assert db.session.scalar(sa.select(sa.func.count()).select_from(InboundMessage)) == 0


def test_wrongly_signed_is_refused(fake, app, client):
    contact = make_contact()
    # Signed over another host; then a body changed after signing; then another account's token.
    path, params, headers = fake.inbound_request(
        "https://elsewhere.example.org/webhooks/twilio/inbound", from_=contact.phone, body="STOP"
    )
    assert client.post(path, data=params, headers=headers).status_code == 403
    path, params, headers = fake.inbound_request(INBOUND_URL, from_=contact.phone, body="HELP")
    assert client.post(path, data={**params, "Body": "STOP"}, headers=headers).status_code == 403
    with TwilioFake() as other:
        path, params, headers = other.inbound_request(INBOUND_URL, from_=contact.phone, body="STOP")
    assert client.post(path, data=params, headers=headers).status_code == 403
    assert reload(Contact, contact.id).opted_out is False
    assert db.session.scalar(sa.select(sa.func.count()).select_from(InboundMessage)) == 0


def test_no_body_is_stored(fake, app, client):
    contact = make_contact()
    post(client, fake, contact.phone, "hello, my number is 01711 000000")
    assert "body" not in InboundMessage.__table__.columns
    assert db.session.scalar(sa.select(InboundMessage.keyword)) == "other"
