"""Outbox retention: bodies and numbers erased 90 days after the final status, and the messages
deleted at the (fake) Twilio server through the real twilio client."""

from __future__ import annotations

from datetime import timedelta

import pytest

from core.extensions import db
from notifications.engine.gateways import TwilioGateway
from notifications.models import OutboxMessage
from notifications.retention import erase_contact_messages, purge_outbox
from tests.support.clock import NOW
from tests.support.factories import make_contact, make_message, reload
from tests.support.twilio_fake import TwilioFake

SENDER = "+15005550006"


@pytest.fixture
def fake(app_config):
    with TwilioFake() as server:
        app_config.update(
            SMS_BACKEND="twilio",
            TWILIO_ACCOUNT_SID=server.account_sid,
            TWILIO_AUTH_TOKEN=server.auth_token,
            TWILIO_FROM_NUMBER=SENDER,
            TWILIO_API_BASE_URL=server.base_url,
            SMS_SEND_TIMEOUT=2,
        )
        yield server
        assert not server.errors, server.errors


def provider_message(fake, contact, body="Reminder: tomorrow 11:00. Code K7P2-QX9M."):
    """A message that really exists at the fake provider; returns its sid."""
    return fake.client(timeout=5).messages.create(to=contact.phone, from_=SENDER, body=body).sid


def live_sids(fake) -> set[str]:
    return {m.sid for m in fake.messages if not m.deleted}


def test_purge_erases_old_messages_here_and_at_the_provider(fake, app):
    contact = make_contact()
    old_sid, recent_sid, sent_sid = (provider_message(fake, contact) for _ in range(3))
    long_ago = NOW - timedelta(days=91)
    old = make_message(contact, status="delivered", provider_sid=old_sid, final_at=long_ago)
    recent = make_message(contact, status="delivered", provider_sid=recent_sid,
                          final_at=NOW - timedelta(days=89))  # fmt: skip
    # Sent long ago, never confirmed by a callback: its 90 days run from sent_at.
    unconfirmed = make_message(contact, status="sent", provider_sid=sent_sid, sent_at=long_ago)
    cancelled = make_message(contact, status="cancelled", final_at=long_ago,
                             error_message="opted out")  # fmt: skip
    pending = make_message(contact, status="pending")

    counts = purge_outbox(NOW)
    db.session.commit()

    assert counts == {"bodies_erased": 2, "provider_deleted": 2, "provider_failed": 0}
    assert live_sids(fake) == {recent_sid}
    for row in (old, unconfirmed):
        row = reload(OutboxMessage, row.id)
        assert (row.body, row.to_phone, row.provider_sid) == (None, None, None)
        assert row.status in ("delivered", "sent")  # counts stay
    kept = reload(OutboxMessage, recent.id)
    assert kept.body and kept.to_phone and kept.provider_sid == recent_sid
    assert reload(OutboxMessage, cancelled.id).error_message == "opted out"
    assert reload(OutboxMessage, pending.id).status == "pending"
    # A second run finds nothing left to do.
    assert purge_outbox(NOW) == {"bodies_erased": 0, "provider_deleted": 0, "provider_failed": 0}


def test_a_failed_provider_deletion_is_retried_next_run(fake, app):
    contact = make_contact()
    sid = provider_message(fake, contact)
    row = make_message(contact, status="delivered", provider_sid=sid,
                       final_at=NOW - timedelta(days=100))  # fmt: skip
    refused = TwilioGateway(fake.account_sid, "not-the-token", from_number=SENDER,
                            base_url=fake.base_url, timeout=2)  # fmt: skip
    assert purge_outbox(NOW, gateway=refused) == {
        "bodies_erased": 1, "provider_deleted": 0, "provider_failed": 1,
    }  # fmt: skip
    db.session.commit()
    kept = reload(OutboxMessage, row.id)
    assert (kept.body, kept.to_phone, kept.provider_sid) == (None, None, sid)
    assert sid in live_sids(fake)
    assert purge_outbox(NOW)["provider_deleted"] == 1
    db.session.commit()
    assert sid not in live_sids(fake)
    assert reload(OutboxMessage, row.id).provider_sid is None


def test_a_message_already_gone_at_the_provider_counts_as_deleted(fake, app):
    contact = make_contact()
    row = make_message(contact, status="failed", provider_sid="SM" + "0" * 32,
                       final_at=NOW - timedelta(days=100))  # fmt: skip
    assert purge_outbox(NOW)["provider_deleted"] == 1
    assert reload(OutboxMessage, row.id).provider_sid is None


def test_erase_contact_messages_for_anonymisation(fake, app):
    contact, other = make_contact(), make_contact()
    sids = [provider_message(fake, contact), provider_message(fake, contact)]
    other_sid = provider_message(fake, other)
    mine = [make_message(contact, status="delivered", provider_sid=sid) for sid in sids]
    theirs = make_message(other, status="delivered", provider_sid=other_sid)
    counts = erase_contact_messages(contact.id)
    db.session.commit()
    assert counts == {"bodies_erased": 2, "provider_deleted": 2, "provider_failed": 0}
    assert live_sids(fake) == {other_sid}
    for row in mine:
        assert reload(OutboxMessage, row.id).body is None
    assert reload(OutboxMessage, theirs.id).body


def test_retention_purge_command_runs_the_outbox_step(fake, app, runner):
    contact = make_contact()
    make_message(contact, status="delivered", provider_sid=provider_message(fake, contact),
                 final_at=NOW - timedelta(days=91))  # fmt: skip
    result = runner.invoke(args=["retention", "purge", "--now", NOW.isoformat()])
    assert result.exit_code == 0, result.output
    assert "outbox: bodies_erased=1, provider_deleted=1, provider_failed=0" in result.output
    assert live_sids(fake) == set()


# -- the scheduler's daily purge -----------------------------------------------------------


def test_the_daily_purge_is_a_registered_exclusive_scheduler_job(app):
    from core.registry import registry
    from core.scheduler import build_scheduler

    job = registry(app).jobs["retention.daily"]
    assert job.exclusive is True  # an advisory lock: one scheduler at a time on PostgreSQL
    assert job.seconds <= 3600  # looked at hourly, so a day is never skipped
    aps_job = build_scheduler(app, blocking=False).get_job("retention.daily")
    assert aps_job.args == (app, "retention.daily")  # a name, never data


def _old_delivered(fake, contact):
    return make_message(contact, status="delivered", provider_sid=provider_message(fake, contact),
                        final_at=NOW - timedelta(days=91))  # fmt: skip


def _purges():
    import sqlalchemy as sa

    from core.audit import AuditEvent

    return db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.action == "retention.purge").order_by(AuditEvent.id)
    ).all()


def test_the_daily_job_runs_every_step_once_a_local_day(fake, app):
    from core.retention import daily_purge
    from notifications.models import Contact

    contact = make_contact()
    first = _old_delivered(fake, contact)
    idle = make_contact(last_activity_at=NOW - timedelta(days=400))
    assert daily_purge(now=NOW) is True  # 11:00 in Dhaka
    assert reload(OutboxMessage, first.id).body is None and live_sids(fake) == set()
    assert reload(Contact, idle.id).phone is None  # the referrals package's step ran too
    second = _old_delivered(fake, contact)
    assert daily_purge(now=NOW + timedelta(hours=12)) is False  # 23:00, the same local day
    assert reload(OutboxMessage, second.id).body is not None
    assert daily_purge(now=NOW + timedelta(hours=14)) is True  # 01:00 the next day
    assert reload(OutboxMessage, second.id).body is None and live_sids(fake) == set()
    purges = _purges()
    assert [p.at for p in purges] == [NOW, NOW + timedelta(hours=14)]
    assert purges[0].details["outbox"]["bodies_erased"] == 1


def test_two_schedulers_ticking_the_same_day_purge_once(fake, app):
    from core.registry import registry
    from core.scheduler import run_job

    job = registry(app).jobs["retention.daily"]
    run_job(app, job)  # the real clock, as the scheduler runs it
    run_job(app, job)  # another scheduler process, later the same day
    assert len(_purges()) == 1
