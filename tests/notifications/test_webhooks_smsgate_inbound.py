"""Replies through SMSGate (`sms:received`): the same handling as Twilio's inbound SMS, both
languages and digit scripts, once per event and message, the safety hold honoured, no number
logged."""

from __future__ import annotations

import logging

import pytest
import sqlalchemy as sa

from core.extensions import db
from notifications.models import Contact, InboundMessage
from tests.support import factories
from tests.support.clock import NOW, local_at
from tests.support.factories import make_contact, make_message, reload
from tests.support.smsgate_webhooks import post_event, webhook_config, wire


@pytest.fixture
def gate(app_config, smsgate_fake):
    app_config.update(webhook_config(smsgate_fake))
    return smsgate_fake


@pytest.fixture
def client(gate, app):
    client = app.test_client()
    wire(gate, client)
    return client


def _inbound() -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(InboundMessage))


def test_a_reply_2_in_bangla_digits_puts_her_on_the_task_list(client, gate, make_user):
    from referrals.services import lifecycle, members, tasks

    factories.add_services(factories.SERVICE_CODES, follow_up_rules=True)
    clinic = factories.make_clinic(offering=factories.SERVICE_CODES, hours=factories.ALL_WEEK)
    pe = make_user("peer_educator")
    member = members.register_member(actor=pe, phone="01712-345678", language="bn",
                                     sms_consent=True)  # fmt: skip
    referral, _ = lifecycle.create_referral(
        actor=pe, member_id=member.id, clinic_id=clinic.id, services=["hiv_testing"],
        appointment_at=local_at(2),
    )  # fmt: skip
    db.session.commit()
    contact = db.session.get(Contact, member.contact_id)
    make_message(contact, "referral_created", status="sent", code=referral.code)
    [delivery] = gate.receive("+8801712345678", "২")
    assert delivery.status == 200
    assert [r.id for r in tasks.task_list(pe, now=NOW).replied_no] == [referral.id]


@pytest.mark.parametrize("body", ["বন্ধ", "STOP", " stop. "])
def test_stop_opts_her_out(client, gate, body):
    contact = make_contact(language="bn")
    make_message(contact)  # pending
    assert gate.receive(contact.phone, body)[0].status == 200
    assert reload(Contact, contact.id).opted_out is True
    assert gate.sent == []  # nothing is sent back through the phone


@pytest.mark.parametrize("body", ["চালু", "START"])
def test_start_opts_her_in_again(client, gate, body):
    contact = make_contact(language="bn", opted_out=True, opted_out_at=NOW)
    assert gate.receive(contact.phone, body)[0].status == 200
    assert reload(Contact, contact.id).opted_out is False


def test_under_a_safety_hold_nothing_goes_back_and_stop_still_acts(client, gate):
    contact = make_contact(safety_hold=True, safety_hold_at=NOW)
    for body in ("HELP", "সাহায্য", "STOP"):
        assert gate.receive(contact.phone, body)[0].status == 200
    assert reload(Contact, contact.id).opted_out is True
    assert gate.sent == []


def test_the_same_event_acts_once_and_another_event_again(client, gate):
    contact = make_contact()
    # As documented: the sender in `phoneNumber`; messageId derived from the text (not unique).
    payload = {"messageId": "c0ffee", "message": "1", "phoneNumber": contact.phone}
    assert post_event(client, gate, "sms:received", payload, event_id="a").status_code == 200
    assert post_event(client, gate, "sms:received", payload, event_id="a").status_code == 200
    assert _inbound() == 1
    # Another "1" the next day, same messageId, a new event: a reply of its own.
    assert post_event(client, gate, "sms:received", payload, event_id="b").status_code == 200
    assert _inbound() == 2
    assert {m.contact_id for m in db.session.scalars(sa.select(InboundMessage))} == {contact.id}


def test_an_unknown_number_changes_nothing(client, gate):
    contact = make_contact()
    assert gate.receive("+8801999000111", "STOP")[0].status == 200
    assert reload(Contact, contact.id).opted_out is False


def test_no_phone_number_reaches_the_log(client, gate, caplog):
    contact = make_contact()
    caplog.set_level(logging.DEBUG)
    gate.receive(contact.phone, "1 Ami ashbo")
    gate.receive(contact.phone, "STOP")
    gate.receive("+8801999000111", "HELP")
    text = caplog.text
    assert text.count("smsgate event") == 3
    for number in (contact.phone, "+8801999000111"):
        assert number[-8:] not in text
    assert "ashbo" not in text  # the keyword is logged, never the text


def test_the_same_event_delivered_at_once_by_several_requests_acts_once(client, gate, app):
    from concurrent.futures import ThreadPoolExecutor
    from threading import Barrier

    from core.audit import AuditEvent
    from tests.support.smsgate_webhooks import event_body, post_raw

    contact = make_contact()
    body = event_body("sms:received", {"message": "STOP", "phoneNumber": contact.phone}, "same")
    headers = gate.sign(body)
    start = Barrier(4)

    def deliver(_n: int) -> tuple[int, str]:
        start.wait()
        response = post_raw(app.test_client(), body, headers)
        return response.status_code, response.json["status"]

    with ThreadPoolExecutor(4) as pool:
        answers = sorted(pool.map(deliver, range(4)))
    assert answers == [(200, "ok")] + [(200, "repeat")] * 3
    db.session.expire_all()
    assert _inbound() == 1 and reload(Contact, contact.id).opted_out is True
    opt_outs = sa.select(sa.func.count()).where(AuditEvent.action == "contact.opt_out")
    assert db.session.scalar(opt_outs) == 1
