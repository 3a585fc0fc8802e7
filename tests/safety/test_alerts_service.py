"""The alert rules (safety.services.alerts): the incident's alert consent, known districts, texts
that pass the extended discretion check and fit two SMS, an expiry within 14 days; two admins
always; approval plans one message per consenting, non-shared, non-held member of those
districts; withdrawal and expiry cancel what is pending."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from core.audit import AuditEvent
from core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from core.extensions import db
from core.registry import registry
from notifications.models import OutboxMessage
from safety.services import alerts
from tests.support.alerts import alert_body, alert_incident, alert_member
from tests.support.clock import NOW


@pytest.fixture
def admins(make_user):
    return make_user("admin"), make_user("admin")


@pytest.fixture
def incident(admins):
    return alert_incident(admins[0])


def _draft(admin, incident, **changes):
    alert = alerts.draft_alert(alert_body(incident, **changes), admin, NOW)
    db.session.commit()
    return alert


def _messages(subject: str | None = None) -> list[OutboxMessage]:
    query = sa.select(OutboxMessage).where(OutboxMessage.kind == "safety_alert")
    if subject:
        query = query.where(OutboxMessage.subject == subject)
    return list(db.session.scalars(query.order_by(OutboxMessage.id)))


def test_a_draft_is_saved_and_audited_without_sending(admins, incident):
    alert = _draft(admins[0], incident, districts=["chittagong", "Dhaka", "Dhaka"])
    assert alert.status == "draft" and alert.drafted_by_id == admins[0].id
    assert alert.districts == ["Chattogram", "Dhaka"]
    assert _messages() == []
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "alert.draft"))
    assert event.details == {"incident_id": incident.id, "districts": ["Chattogram", "Dhaka"]}


def test_no_alert_consent_is_422(admins, make_user):
    refused = alert_incident(admins[0], consent=False)
    with pytest.raises(ValidationFailed) as caught:
        alerts.draft_alert(alert_body(refused), admins[0], NOW)
    assert caught.value.status == 422 and caught.value.code == "no_alert_consent"
    assert "incident_id" in caught.value.fields


def test_banned_words_are_422_naming_them(admins, incident):
    body = alert_body(
        incident,
        text_en="Police raid at Green Point tonight",
        text_bn="আজ রাতে পুলিশ আসতে পারে, সাবধান",
    )
    with pytest.raises(ValidationFailed) as caught:
        alerts.draft_alert(body, admins[0], NOW)
    error = caught.value
    assert error.code == "alert_words"
    assert "police" in error.fields["text_en"].lower() and "raid" in error.fields["text_en"].lower()
    assert "পুলিশ" in error.fields["text_bn"]
    assert "পুলিশ" in error.params["words"] and "police" in error.params["words"].lower()
    assert "পুলিশ" in error.message


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"incident_id": 999_999}, "incident_id"),
        ({"incident_id": "7"}, "incident_id"),
        ({"districts": []}, "districts"),
        ({"districts": ["Atlantis"]}, "districts"),
        ({"text_en": ""}, "text_en"),
        ({"text_bn": None}, "text_bn"),
        ({"text_en": "Take care. " * 28}, "text_en"),  # over 300 characters
        ({"text_bn": "আপা, সাবধানে থাকুন। " * 8}, "text_bn"),  # 3 UCS-2 segments
        ({"expires_at": NOW - timedelta(minutes=1)}, "expires_at"),
        ({"expires_at": NOW + timedelta(days=14, minutes=1)}, "expires_at"),
        ({"expires_at": "tomorrow"}, "expires_at"),
    ],
)
def test_each_bad_field_is_422(admins, incident, changes, field):
    with pytest.raises(ValidationFailed) as caught:
        alerts.draft_alert(alert_body(incident, **changes), admins[0], NOW)
    assert field in caught.value.fields


def test_two_segments_of_bangla_are_allowed():
    assert alerts.sms_segments("আ" * 70) == 1 and alerts.sms_segments("আ" * 71) == 2
    assert alerts.sms_segments("আ" * 134) == 2 and alerts.sms_segments("আ" * 135) == 3
    assert alerts.sms_segments("a" * 160) == 1 and alerts.sms_segments("a" * 306) == 2
    assert alerts.sms_segments("€" * 80) == 1 and alerts.sms_segments("€" * 81) == 2


def test_only_admins(make_user, incident, admins):
    for role in ("peer_educator", "clinic_partner", "viewer"):
        with pytest.raises(Forbidden):
            alerts.draft_alert(alert_body(incident), make_user(role), NOW)
    alert = _draft(admins[0], incident)
    with pytest.raises(Forbidden):
        alerts.approve_alert(alert.id, make_user("peer_educator"), NOW)


def test_the_drafter_can_never_approve(admins, incident):
    alert = _draft(admins[0], incident)
    with pytest.raises(Conflict) as caught:
        alerts.approve_alert(alert.id, admins[0], NOW)
    assert caught.value.status == 409 and caught.value.code == "own_draft"
    db.session.rollback()
    assert alert.status == "draft" and _messages() == []


def test_approval_plans_only_for_eligible_members_each_once(admins, incident, make_user):
    pe = make_user("peer_educator")
    bn = alert_member(pe, language="bn")
    en = alert_member(pe, language="en")
    alert_member(pe, consent=False)  # did not agree
    alert_member(pe, district="Sylhet")  # another district
    alert_member(pe, held=True)  # on safety hold
    alert_member(pe, opted_out=True)
    shared_phone = "01712-555444"
    alert_member(pe, phone=shared_phone, shared=True)
    alert_member(pe, phone=shared_phone, shared=True)
    alert = _draft(admins[0], incident)
    approved = alerts.approve_alert(alert.id, admins[1], NOW)
    db.session.commit()
    assert approved.status == "approved" and approved.approved_by_id == admins[1].id
    assert approved.recipients == 2
    rows = _messages(f"alert:{alert.id}")
    assert sorted(r.contact_id for r in rows) == sorted([bn.contact_id, en.contact_id])
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "alert.approve"))
    assert event.details == {"planned": 2, "capped": 0}
    with pytest.raises(Conflict) as again:
        alerts.approve_alert(alert.id, admins[1], NOW)
    assert again.value.code == "not_a_draft"
    db.session.rollback()
    assert len(_messages()) == 2


def test_an_expired_draft_cannot_be_approved(admins, incident):
    alert = _draft(admins[0], incident, expires_at=NOW + timedelta(hours=6))
    with pytest.raises(Conflict) as caught:
        alerts.approve_alert(alert.id, admins[1], NOW + timedelta(hours=6))
    assert caught.value.code == "expired"
    with pytest.raises(NotFound):
        alerts.approve_alert(999_999, admins[1], NOW)


def test_withdrawal_cancels_what_is_pending(admins, incident, make_user):
    pe = make_user("peer_educator")
    alert_member(pe)
    alert_member(pe, language="en")
    alert = _draft(admins[0], incident)
    alerts.approve_alert(alert.id, admins[1], NOW)
    db.session.commit()
    withdrawn = alerts.withdraw_alert(alert.id, admins[0], NOW + timedelta(minutes=5))
    db.session.commit()
    assert withdrawn.status == "withdrawn" and withdrawn.withdrawn_by_id == admins[0].id
    assert {r.status for r in _messages()} == {"cancelled"}
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "alert.withdraw"))
    assert event.details == {"cancelled": 2}
    with pytest.raises(Conflict):
        alerts.withdraw_alert(alert.id, admins[0], NOW)


def test_a_draft_can_be_withdrawn_and_then_not_approved(admins, incident):
    alert = _draft(admins[0], incident)
    alerts.withdraw_alert(alert.id, admins[0], NOW)
    db.session.commit()
    with pytest.raises(Conflict) as caught:
        alerts.approve_alert(alert.id, admins[1], NOW)
    assert caught.value.code == "not_a_draft"


def test_the_expiry_job_stops_alerts_past_their_time(app, admins, incident, make_user):
    pe = make_user("peer_educator")
    alert_member(pe)
    short = _draft(admins[0], incident, expires_at=NOW + timedelta(hours=6))
    long = _draft(admins[0], incident, expires_at=NOW + timedelta(days=3))
    waiting = _draft(admins[0], incident, expires_at=NOW + timedelta(hours=6))
    for alert in (short, long):
        alerts.approve_alert(alert.id, admins[1], NOW)
    db.session.commit()
    pending = [r for r in _messages() if r.status == "pending"]
    assert len(pending) == 2
    assert alerts.expire_alerts(NOW + timedelta(hours=5)) == 0
    assert alerts.expire_alerts(NOW + timedelta(hours=6)) == 2
    db.session.commit()
    assert (short.status, long.status, waiting.status) == ("expired", "approved", "expired")
    by_subject = {r.subject: r.status for r in _messages()}
    assert by_subject == {f"alert:{short.id}": "cancelled", f"alert:{long.id}": "pending"}
    assert "safety.alerts_expire" in registry(app).jobs


def test_the_registered_job_commits_the_expiry(app, admins, incident, make_user):
    from core.db import utcnow

    then = utcnow() - timedelta(days=2)
    alert_member(make_user("peer_educator"))
    alert = alerts.draft_alert(alert_body(incident, now=then), admins[0], then)
    db.session.commit()
    alerts.approve_alert(alert.id, admins[1], then)
    db.session.commit()
    assert registry(app).jobs["safety.alerts_expire"].func() == 1
    db.session.rollback()  # what the job committed is there for a new transaction
    assert alert.status == "expired"
    assert {r.status for r in _messages()} == {"cancelled"}
