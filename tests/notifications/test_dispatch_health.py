"""/healthz: the scheduler's heartbeat, the oldest due message and a dispatch pause."""

from __future__ import annotations

from datetime import timedelta

from core.db import utcnow
from core.extensions import db
from core.scheduler import SchedulerHeartbeat
from notifications.engine import pause
from tests.support.factories import make_contact, make_message


def _beat(age_seconds: float) -> None:
    db.session.add(
        SchedulerHeartbeat(process="host:1", beat_at=utcnow() - timedelta(seconds=age_seconds))
    )
    db.session.commit()


def test_reports_scheduler_and_oldest_due_without_failing_when_no_scheduler_is_expected(client):
    make_message(make_contact(), send_at=utcnow() - timedelta(hours=2))
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json
    assert body["scheduler"]["expected"] is False
    assert body["scheduler"]["last_heartbeat"] is None
    assert 7100 < body["oldest_due_seconds"] < 7300
    assert body["dispatch"] == {"status": "running"}


def test_healthy_when_the_scheduler_beats_and_nothing_waits(client, app):
    app.config["SCHEDULER_EXPECTED"] = True
    _beat(5)
    make_message(make_contact(), send_at=utcnow() + timedelta(hours=1))  # not due
    response = client.get("/healthz")
    assert response.status_code == 200, response.json
    assert response.json["scheduler"]["status"] == "ok"
    assert 4 <= response.json["scheduler"]["age_seconds"] < 60
    assert response.json["oldest_due_seconds"] is None


def test_503_when_the_heartbeat_is_stale(client, app):
    app.config.update(SCHEDULER_EXPECTED=True, HEALTH_MAX_HEARTBEAT_AGE=60)
    _beat(120)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json["status"] == "degraded"
    assert response.json["scheduler"]["status"] == "stale"


def test_503_when_no_scheduler_ever_beat(client, app):
    app.config["SCHEDULER_EXPECTED"] = "true"
    assert client.get("/healthz").status_code == 503


def test_503_when_a_due_message_waits_too_long(client, app):
    app.config.update(SCHEDULER_EXPECTED=True, HEALTH_MAX_DUE_AGE=600)
    _beat(1)
    make_message(make_contact(), send_at=utcnow() - timedelta(minutes=5))
    assert client.get("/healthz").status_code == 200
    make_message(make_contact(), send_at=utcnow() - timedelta(minutes=11))
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json["oldest_due_seconds"] > 600


def test_a_pause_is_reported(client):
    pause.pause("20005", "Account not active", now=utcnow(), seconds=900)
    db.session.commit()
    body = client.get("/healthz").json
    assert body["dispatch"]["status"] == "paused"
    assert body["dispatch"]["error_code"] == "20005"
    assert body["dispatch"]["reason"] == "Account not active"
