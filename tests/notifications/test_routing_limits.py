"""The phone's limits: a daily limit per gateway and pacing between its sends, held in the database
(three dispatcher processes on PostgreSQL); every gateway at its limit pauses dispatch, and
/healthz and the admin home say so."""

from __future__ import annotations

from datetime import timedelta
from itertools import pairwise

import pytest
import sqlalchemy as sa

from core.db import utcnow
from core.extensions import db
from notifications.engine import attempts, pause
from notifications.engine.dispatch import dispatch_pass
from notifications.models import GatewayState, MessageAttempt
from tests.support.clock import NOW
from tests.support.factories import bulk_messages, make_contact, make_message, reload, statuses
from tests.support.sms import process_env, spawn_dispatch
from tests.support.smsgate_fake import smsgate_config


@pytest.fixture
def phone_app(request, smsgate_fake, app_config):
    """The app sending through the SMSGate fake alone, with no pacing unless a test sets it."""
    app_config.update(smsgate_config(smsgate_fake))
    app_config.update(SMSGATE_MIN_INTERVAL=0, SMS_MAX_PER_CONTACT_PER_DAY=0)
    return request.getfixturevalue("app")


@pytest.fixture
def both_app(request, fake_twilio, smsgate_fake, app_config):
    """SMS_BACKEND "smsgate,twilio", no pacing."""
    app_config.update(smsgate_config(smsgate_fake))
    app_config.update(SMS_BACKEND="smsgate,twilio", SMSGATE_MIN_INTERVAL=0)
    return request.getfixturevalue("app")


def _on(gateway: str) -> int:
    return db.session.scalar(sa.select(sa.func.count()).where(MessageAttempt.gateway == gateway))


def _follow_up(contact, send_at):
    params = {"code": "K7P2QX9M", "due_on": send_at.date().isoformat()}
    return make_message(contact, "follow_up_due", send_at=send_at, target_at=None, params=params)


def test_at_the_daily_limit_of_every_gateway_dispatch_pauses_and_says_so(
    phone_app, smsgate_fake, client, login_as
):
    # /healthz reads the real clock: this test runs on it (her window: any hour).
    phone_app.config["SMSGATE_DAILY_LIMIT"] = 2
    now = utcnow()
    contact = make_contact(window_start="00:00", window_end="00:00")
    messages = [_follow_up(contact, now - timedelta(minutes=1)) for _ in range(3)]

    stats = dispatch_pass(now=now)

    assert stats.sent == 2 and stats.paused and stats.limit_reached
    assert "daily limit" in stats.line()
    assert len(smsgate_fake.sent) == 2
    waiting = [m for m in messages if reload(m).status == "pending"]
    assert len(waiting) == 1 and reload(waiting[0]).send_at > now  # tomorrow
    assert attempts.for_message(waiting[0].id) == []  # nothing was tried
    state = db.session.get(pause.DispatchState, 1)
    assert state.error_code == pause.LIMIT_CODE
    body = client.get("/healthz").json["dispatch"]
    assert body["status"] == "paused" and body["paused_until"] and "daily limit" in body["reason"]
    login_as("admin")
    home = client.get("/admin").get_data(as_text=True)
    assert "every SMS gateway is at its daily limit" in home
    # A later pass the same day sends nothing more.
    assert dispatch_pass(now=now + timedelta(minutes=1)).sent == 0
    assert len(smsgate_fake.sent) == 2


def test_a_gateway_at_its_limit_passes_the_rest_to_the_next(both_app, fake_twilio, smsgate_fake):
    both_app.config["SMSGATE_DAILY_LIMIT"] = 1
    contact = make_contact()
    for _ in range(3):
        make_message(contact)

    stats = dispatch_pass(now=NOW)

    assert stats.sent == 3 and not stats.paused
    assert (_on("smsgate"), _on("twilio")) == (1, 2)
    assert len(smsgate_fake.sent) == 1 and len(fake_twilio.messages) == 2


def test_the_limit_counts_a_local_day(phone_app, smsgate_fake):
    phone_app.config["SMSGATE_DAILY_LIMIT"] = 1
    contact = make_contact()
    make_message(contact)
    dispatch_pass(now=NOW)
    tomorrow = NOW + timedelta(days=1)
    later = _follow_up(contact, tomorrow)
    pause.resume()
    db.session.commit()

    dispatch_pass(now=tomorrow)

    assert reload(later).status == "sent"
    state = db.session.get(GatewayState, "smsgate")
    assert state.sent_today == 1 and state.day == tomorrow.date()


def test_pacing_holds_the_phone_to_one_send_per_interval(phone_app, smsgate_fake):
    phone_app.config["SMSGATE_MIN_INTERVAL"] = 5
    contact = make_contact()
    messages = [make_message(contact) for _ in range(3)]

    first = dispatch_pass(now=NOW)

    assert first.sent == 1 and len(smsgate_fake.sent) == 1
    slots = sorted(reload(m).send_at for m in messages if reload(m).status == "pending")
    assert len(slots) == 2 and all(NOW < s <= NOW + timedelta(seconds=6) for s in slots)
    dispatch_pass(now=NOW + timedelta(seconds=6))
    dispatch_pass(now=NOW + timedelta(seconds=12))
    assert statuses() == {"sent": 3}
    times = sorted(a.created_at for a in db.session.scalars(sa.select(MessageAttempt)))
    assert all(b - a >= timedelta(seconds=5) for a, b in pairwise(times))


@pytest.mark.slow
def test_three_dispatchers_hold_the_daily_limit_and_pacing_on_postgresql(
    app, database_url, smsgate_fake
):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("SQLite runs one dispatcher; several share the gateway's row on PostgreSQL")
    bulk_messages(12, per_contact=12)
    settings = {k: str(v) for k, v in smsgate_config(smsgate_fake).items()}
    env = process_env(
        app,
        database_url,
        **settings,
        SMSGATE_DAILY_LIMIT="5",
        SMSGATE_MIN_INTERVAL="4",
        SMS_MAX_PER_CONTACT_PER_DAY="0",
    )
    for round_ in range(7):  # rounds 6 s apart: at most one paced send in each
        now = NOW + timedelta(seconds=6 * round_)
        processes = [spawn_dispatch(env, now) for _ in range(3)]
        for process in processes:
            _, err = process.communicate(timeout=90)
            assert process.returncode == 0, err[-2000:]
    db.session.expire_all()
    sent = db.session.scalars(
        sa.select(MessageAttempt).where(MessageAttempt.gateway == "smsgate")
    ).all()
    assert len(sent) == 5 == len(smsgate_fake.sent)  # the limit, and no send twice
    assert len({a.reference for a in sent}) == 5
    times = sorted(a.created_at for a in sent)
    assert all(b - a >= timedelta(seconds=4) for a, b in pairwise(times))
    assert statuses() == {"sent": 5, "pending": 7}
    assert db.session.get(pause.DispatchState, 1).error_code == pause.LIMIT_CODE


def test_while_every_gateway_is_full_unknown_sends_are_still_resolved(phone_app, smsgate_fake):
    phone_app.config["SMSGATE_DAILY_LIMIT"] = 1
    phone_app.config["SMS_SEND_TIMEOUT"] = 0.5
    contact = make_contact()
    message = make_message(contact)
    make_message(contact)
    smsgate_fake.accept_then_hang(1, seconds=2)

    first = dispatch_pass(now=NOW)  # one goes out unanswered; the other finds the phone full

    assert first.unknown == 1 and first.paused
    later = dispatch_pass(now=NOW + timedelta(minutes=6))
    assert later.paused and later.resolved == 1 and later.sent == 0
    assert reload(message).status == "sent" and len(smsgate_fake.sent) == 1
