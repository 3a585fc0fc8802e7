"""What an incident says is never in clear: not in the database, the logs or the audit rows; it
is erased when she is anonymised and 24 months after it was recorded."""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from core.audit import AuditEvent
from core.extensions import db
from core.registry import registry
from safety.models import Incident
from safety.services.incident_erasure import months_before, purge_incident_descriptions
from tests.support.incidents import SECRET_AREA, SECRET_DESCRIPTION, incident_body, record, register

SECRETS = (SECRET_DESCRIPTION, SECRET_AREA, "Moonlight", "Rakib")


@pytest.fixture
def pe(make_user):
    return make_user("peer_educator")


def assert_no_secret(text: str) -> None:
    for secret in SECRETS:
        assert secret not in text


def raw_incidents() -> str:
    rows = db.session.execute(sa.text("SELECT * FROM incidents")).all()
    assert rows
    return repr([tuple(row) for row in rows])


def audit_text() -> str:
    rows = db.session.execute(sa.text("SELECT action, entity_id, details FROM audit_events")).all()
    return repr([tuple(row) for row in rows])


def test_no_description_or_area_in_clear_in_the_database_logs_or_audit(
    client, api_headers, pe, caplog
):
    h = api_headers(user=pe)
    caplog.set_level(logging.DEBUG)
    logging.getLogger("sqlalchemy.engine").setLevel(logging.INFO)  # statements and parameters
    try:
        made = client.post("/api/v1/incidents", json=incident_body(), headers=h)
        assert made.status_code == 201
        incident_id = made.json["id"]
        assert client.get(f"/api/v1/incidents/{incident_id}", headers=h).status_code == 200
        assert client.get("/api/v1/incidents", headers=h).status_code == 200
        assert client.get(f"/api/v1/incidents/{incident_id}/help", headers=h).status_code == 200
        bad = client.post("/api/v1/incidents", json=incident_body(district="Nowhere"), headers=h)
        assert bad.status_code == 422
        assert_no_secret(json.dumps(bad.json))  # a refusal does not echo what she said
    finally:
        logging.getLogger("sqlalchemy.engine").setLevel(logging.WARNING)
    logged = "\n".join(rec.getMessage() for rec in caplog.records) + caplog.text
    assert "INSERT INTO incidents" in logged  # the statements were logged, with parameters
    assert_no_secret(logged)
    assert_no_secret(raw_incidents())
    actions = {row[0] for row in db.session.execute(sa.text("SELECT action FROM audit_events"))}
    assert {"incident.record", "incident.read", "incident.list", "incident.help"} <= actions
    assert_no_secret(audit_text())
    # And it does read back, so the test would see it if it were stored in clear.
    db.session.expire_all()
    assert db.session.get(Incident, incident_id).description == SECRET_DESCRIPTION


def test_anonymising_her_erases_her_incidents_descriptions(pe):
    from referrals.services import members

    member = register(pe)
    hers = record(pe, member_id=member.id)
    also_hers = record(pe, member_id=member.id, area=None)
    someone_else = record(pe)
    members.anonymise(member, actor=pe)
    db.session.commit()
    db.session.expire_all()
    for incident in (db.session.get(Incident, hers.id), db.session.get(Incident, also_hers.id)):
        assert incident.description is None and incident.area is None
        assert incident.description_erased_at is not None
        assert incident.violations == ["physical", "extortion"]  # the counts stay
    other = db.session.get(Incident, someone_else.id)
    assert other.description == SECRET_DESCRIPTION and other.description_erased_at is None
    (erased,) = db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.action == "incident.erase")
    )
    assert erased.actor_id == pe.id
    assert erased.details == {"member_id": member.id, "count": 2, "reason": "anonymised"}


def test_anonymisation_refused_elsewhere_erases_nothing(pe):
    """The erasure runs inside the anonymisation's unit of work: rolled back with it."""
    from referrals.services import members

    member = register(pe)
    incident = record(pe, member_id=member.id)
    members.anonymise(member, actor=pe)
    db.session.rollback()
    db.session.expire_all()
    assert db.session.get(Incident, incident.id).description == SECRET_DESCRIPTION


def test_retention_erases_at_24_months_and_not_before(app, pe):
    now = datetime(2026, 12, 4, 6, 0, tzinfo=UTC)
    cutoff = months_before(now, 24)
    assert cutoff == datetime(2024, 12, 4, 6, 0, tzinfo=UTC)
    young = record(pe, now=cutoff + timedelta(minutes=1), occurred_on="2024-12-01")
    old = record(pe, now=cutoff - timedelta(minutes=1), occurred_on="2024-12-01")
    assert purge_incident_descriptions(now) == {"descriptions_erased": 1}
    db.session.commit()
    db.session.expire_all()
    assert db.session.get(Incident, young.id).description == SECRET_DESCRIPTION
    erased = db.session.get(Incident, old.id)
    assert erased.description is None and erased.area is None
    assert erased.description_erased_at == now
    assert purge_incident_descriptions(now) == {"descriptions_erased": 0}  # nothing twice
    steps = dict(registry(app).retention_steps)
    assert steps["incident descriptions"] is purge_incident_descriptions


def test_retention_runs_from_the_command_line(runner, pe):
    old = record(pe, now=datetime(2024, 1, 10, tzinfo=UTC), occurred_on="2024-01-09")
    result = runner.invoke(args=["retention", "purge", "--now", "2026-01-11T12:00"])
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    assert db.session.get(Incident, old.id).description is None


def test_months_before_keeps_to_the_calendar():
    assert months_before(datetime(2026, 3, 31, 5, tzinfo=UTC), 1) == datetime(
        2026, 2, 28, 5, tzinfo=UTC
    )
    assert months_before(datetime(2028, 2, 29, tzinfo=UTC), 24) == datetime(2026, 2, 28, tzinfo=UTC)
    assert months_before(datetime(2026, 1, 15, tzinfo=UTC), 13) == datetime(
        2024, 12, 15, tzinfo=UTC
    )
