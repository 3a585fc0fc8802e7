"""`flask reminders dispatch [--now T] [--limit N]` and `flask reminders resume`."""

from __future__ import annotations

from datetime import timedelta

from core.db import utcnow
from core.extensions import db
from notifications.engine import attempts, pause
from tests.support.clock import NOW
from tests.support.factories import make_contact, make_message, reload, statuses


def test_dispatch_prints_sent_failed_and_deferred(runner):
    contact = make_contact()
    message = make_message(contact)
    make_message(contact, send_at=NOW + timedelta(days=2))

    # 11:00 in Dhaka, without an offset: read in APP_TIMEZONE.
    result = runner.invoke(args=["reminders", "dispatch", "--now", "2026-12-01T11:00"])

    assert result.exit_code == 0, result.output
    assert "sent=1 failed=0 deferred=0" in result.output
    row = reload(message)
    # The console keeps our id of the attempt as its own (as SMSGate does).
    assert row.status == "sent" and row.provider_sid == attempts.latest(row.id).reference
    assert row.body  # the console backend keeps the text in the outbox row
    assert statuses() == {"sent": 1, "pending": 1}


def test_console_backend_never_logs_the_number(runner, caplog):
    contact = make_contact()
    make_message(contact)
    caplog.set_level("DEBUG")
    runner.invoke(args=["reminders", "dispatch", "--now", NOW.isoformat()])
    text = " ".join(r.getMessage() for r in caplog.records)
    assert contact.phone[-3:] in text  # the masked form
    assert contact.phone not in text and contact.phone[1:] not in text


def test_limit_and_a_real_send_through_twilio(twilio_app, fake_twilio):
    contact = make_contact()
    for _ in range(3):
        make_message(contact)
    runner = twilio_app.test_cli_runner()
    args = ["reminders", "dispatch", "--now", NOW.isoformat(), "--limit", "2"]
    result = runner.invoke(args=args)
    assert result.exit_code == 0, result.output
    assert "sent=2 " in result.output
    assert len(fake_twilio.messages) == 2


def test_failures_and_deferrals_are_counted(twilio_app, fake_twilio):
    bad, night_worker = make_contact(), make_contact(window_start="20:00", window_end="06:00")
    make_message(bad)
    make_message(night_worker)  # 11:00 is outside her own window: deferred to 20:00
    fake_twilio.fail_for(bad.phone, code=21211, http_status=400)
    result = twilio_app.test_cli_runner().invoke(
        args=["reminders", "dispatch", "--now", NOW.isoformat()]
    )
    assert result.exit_code == 0, result.output
    assert "failed=1" in result.output and "deferred=1" in result.output


def test_bad_now_is_a_clear_usage_error(runner):
    result = runner.invoke(args=["reminders", "dispatch", "--now", "next tuesday"])
    assert result.exit_code == 2
    assert "--now" in result.output


def test_bad_limit_is_a_usage_error(runner):
    assert runner.invoke(args=["reminders", "dispatch", "--limit", "0"]).exit_code == 2


def test_paused_dispatch_says_so_and_resume_lifts_it(runner):
    make_message(make_contact())
    pause.pause("20003", "Authenticate", now=utcnow(), seconds=900)
    db.session.commit()

    paused = runner.invoke(args=["reminders", "dispatch"])
    assert "PAUSED" in paused.output and "sent=0" in paused.output

    assert "dispatch resumed" in runner.invoke(args=["reminders", "resume"]).output
    assert pause.current_pause(utcnow()) is None
    assert "dispatch was not paused" in runner.invoke(args=["reminders", "resume"]).output
    assert (
        "sent=1" in runner.invoke(args=["reminders", "dispatch", "--now", NOW.isoformat()]).output
    )
