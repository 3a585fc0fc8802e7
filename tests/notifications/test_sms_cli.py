"""`flask sms webhooks register [--url URL]` and `flask sms webhooks list`, through the real
android-sms-gateway client against the SMSGate fake; the fake then signs and delivers its events
to our app."""

from __future__ import annotations

import pytest

from core.extensions import db
from notifications.engine import attempts
from notifications.engine.dispatch import dispatch_pass
from notifications.models import GatewayState
from tests.support.clock import NOW
from tests.support.factories import make_contact, make_message, reload
from tests.support.smsgate_fake import flask_deliverer
from tests.support.smsgate_webhooks import EVENTS, WEBHOOK_URL, webhook_config


@pytest.fixture
def gate(app_config, smsgate_fake):
    app_config.update(webhook_config(smsgate_fake))
    return smsgate_fake


@pytest.fixture
def runner(gate, app):
    return app.test_cli_runner()


def _invoke(runner, *args):
    return runner.invoke(args=["sms", "webhooks", *args])


def test_register_adds_each_event_once_and_list_shows_them(runner, gate):
    first = _invoke(runner, "register")
    assert first.exit_code == 0, first.output
    assert first.output.count("\tregistered") == 5
    assert sorted((w["event"], w["url"]) for w in gate.webhooks) == sorted(
        (event, WEBHOOK_URL) for event in EVENTS
    )
    again = _invoke(runner, "register")
    assert again.exit_code == 0, again.output
    assert again.output.count("already registered") == 5 and len(gate.webhooks) == 5
    listed = _invoke(runner, "list")
    assert listed.exit_code == 0, listed.output
    lines = sorted(line.split("\t") for line in listed.output.splitlines())
    assert lines == sorted([w["id"], w["event"], w["url"]] for w in gate.webhooks)


def test_registered_webhooks_reach_the_app_signed(runner, gate, app):
    assert _invoke(runner, "register").exit_code == 0
    gate.deliver = flask_deliverer(app.test_client())
    assert [d.status for d in gate.ping()] == [200]
    assert db.session.get(GatewayState, "smsgate").last_ping_at is not None
    message = make_message(make_contact())
    dispatch_pass(now=NOW)
    reference = attempts.latest(message.id).reference
    assert [d.status for d in gate.advance(reference, "Delivered")] == [200]
    assert reload(message).status == "delivered"


def test_register_a_url_given(runner, gate):
    url = "http://127.0.0.1:5000/webhooks/smsgate"
    result = _invoke(runner, "register", "--url", url)
    assert result.exit_code == 0, result.output
    assert {w["url"] for w in gate.webhooks} == {url}


@pytest.mark.parametrize("url", ["http://harc.example.org/webhooks/smsgate", "not a url"])
def test_a_url_smsgate_would_refuse_is_an_error(runner, gate, url):
    result = _invoke(runner, "register", "--url", url)
    assert result.exit_code == 1 and "HTTPS" in result.output
    assert gate.webhooks == []


def test_without_a_public_url_it_asks_for_one(runner, gate, app):
    app.config["PUBLIC_BASE_URL"] = None
    result = _invoke(runner, "register")
    assert result.exit_code == 1 and "--url" in result.output


@pytest.mark.parametrize("status", [401, 500])
def test_a_relay_failure_is_a_clear_error(runner, gate, status):
    gate.fail_next(3, status)
    for command in ("register", "list"):
        result = _invoke(runner, command)
        assert result.exit_code == 1 and "SMSGate did not answer" in result.output
        assert "Traceback" not in result.output


def test_without_smsgate_settings_it_says_what_is_missing(app):
    app.config.update(SMS_BACKEND="console", SMS_BACKENDS=("console",), SMSGATE_USERNAME=None)
    result = app.test_cli_runner().invoke(args=["sms", "webhooks", "list"])
    assert result.exit_code == 1 and "SMSGATE_USERNAME" in result.output
