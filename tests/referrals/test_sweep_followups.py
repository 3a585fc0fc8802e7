"""Missed and expired referrals, follow-ups and their rules, the task list; time passed in."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from core.extensions import db
from notifications.models import OutboxMessage
from referrals.models import FollowUp, Referral
from referrals.services import followups, lifecycle, tasks
from tests.support.clock import local_at


def test_sweep_marks_missed_plans_the_message_and_allows_late_confirmation(
    runner, make_user, new_member, new_referral, clinic
):
    pe = make_user("peer_educator")
    member = new_member(pe)
    referral = new_referral(pe, member, appointment_at=local_at(2, 11))
    later = (local_at(3, 12)).isoformat()
    result = runner.invoke(args=["referrals", "sweep", "--now", later])
    assert result.exit_code == 0, result.output
    assert "missed=1" in result.output
    db.session.expire_all()
    referral = db.session.get(Referral, referral.id)
    assert referral.status == "missed"
    assert referral.events[-1].channel == "system" and referral.events[-1].by_id is None
    kinds = {m.kind: m.status for m in db.session.scalars(sa.select(OutboxMessage))}
    assert kinds["missed_appointment"] == "pending"
    # Running again changes nothing.
    assert "missed=0" in runner.invoke(args=["referrals", "sweep", "--now", later]).output
    todo = tasks.task_list(pe, now=local_at(3, 12))
    assert [r.id for r in todo.to_trace] == [referral.id]
    lifecycle.record_trace(referral.code, "unreachable", actor=pe, now=local_at(3, 13))
    assert tasks.task_list(pe, now=local_at(3, 13)).to_trace == []
    partner = make_user("clinic_partner", clinic_id=clinic.id)
    lifecycle.confirm(referral.code, ["hiv_testing"], actor=partner, now=local_at(3, 14))
    db.session.commit()
    # The trace outcome is in the history, as an event of its own.
    assert [(e.to_status, e.trace_outcome) for e in referral.events] == [
        ("scheduled", None),
        ("missed", None),
        ("missed", "unreachable"),
        ("attended", None),
    ]


def test_sweep_expires_referrals_without_a_visit(make_user, new_member, new_referral):
    pe = make_user("peer_educator")
    member = new_member(pe)
    waiting = new_referral(pe, member)
    assert tasks.task_list(pe).no_appointment[0].id == waiting.id
    counts = lifecycle.sweep(waiting.created_at + timedelta(days=29))
    assert counts["expired"] == 0
    counts = lifecycle.sweep(waiting.created_at + timedelta(days=30, minutes=1))
    db.session.commit()
    assert counts["expired"] == 1 and db.session.get(Referral, waiting.id).status == "expired"


def test_confirmation_creates_follow_ups_by_rule_and_prep_repeats(
    make_user, new_member, new_referral, clinic
):
    pe = make_user("peer_educator")
    partner = make_user("clinic_partner", clinic_id=clinic.id)
    member = new_member(pe)
    referral = new_referral(
        pe, member, appointment_at=local_at(1), services=("prep", "sti", "general_none")[:2]
    )
    visit = local_at(1, 11, 30)
    lifecycle.confirm(referral.code, ["prep", "sti"], actor=partner, now=visit)
    db.session.commit()
    due = {f.service_code: f for f in db.session.scalars(sa.select(FollowUp))}
    today = visit.date()
    assert due["prep"].due_on == today + timedelta(days=30)
    assert due["sti"].due_on == today + timedelta(days=7)
    subjects = {
        m.subject for m in db.session.scalars(sa.select(OutboxMessage)) if m.kind == "follow_up_due"
    }
    assert f"followup:{due['prep'].id}" in subjects
    # Done by a new referral made from it; that visit's follow-up comes 90 days later.
    again, _ = lifecycle.create_referral(
        actor=pe,
        member_id=member.id,
        clinic_id=clinic.id,
        services=["prep"],
        from_follow_up_id=due["prep"].id,
        now=visit + timedelta(days=28),
    )
    assert due["prep"].status == "done" and due["prep"].done_referral_id == again.id
    second_visit = visit + timedelta(days=29)
    lifecycle.confirm(again.code, ["prep"], actor=partner, now=second_visit)
    db.session.commit()
    newest = db.session.scalar(
        sa.select(FollowUp).where(FollowUp.referral_id == again.id, FollowUp.service_code == "prep")
    )
    assert newest.due_on == second_visit.date() + timedelta(days=90)
    # The STI review: done by a note, or missed 14 days after its day.
    followups.complete_by_note(due["sti"].id, "came by the office", actor=pe, now=visit)
    assert due["sti"].status == "done"
    lifecycle.sweep(visit + timedelta(days=30 + 15))
    db.session.commit()
    assert db.session.get(FollowUp, newest.id).status == "due"


def test_follow_up_missed_after_fourteen_days(
    make_user, new_member, new_referral, clinic, client, api_headers
):
    pe = make_user("peer_educator")
    partner = make_user("clinic_partner", clinic_id=clinic.id)
    member = new_member(pe)
    referral = new_referral(pe, member, appointment_at=local_at(1), services=("sti",))
    lifecycle.confirm(referral.code, ["sti"], actor=partner, now=local_at(1, 12))
    db.session.commit()
    h = api_headers(user=pe)
    items = client.get("/api/v1/follow-ups?status=due", headers=h).json["items"]
    assert items[0]["service"] == "sti" and items[0]["referral_code"] == referral.code
    assert len(tasks.task_list(pe, now=local_at(5)).follow_ups) == 1
    lifecycle.sweep(local_at(1 + 7 + 13, 12))
    db.session.commit()
    assert client.get("/api/v1/follow-ups?status=due", headers=h).json["total"] == 1
    lifecycle.sweep(local_at(1 + 7 + 14, 12))
    db.session.commit()
    assert client.get("/api/v1/follow-ups?status=missed", headers=h).json["total"] == 1
    assert client.get("/api/v1/follow-ups?due_before=bad", headers=h).status_code == 400


def test_admin_edits_rules(make_user, services):
    admin = make_user("admin")
    rules = {r.service_code: r for r in followups.list_rules()}
    assert (rules["hiv_testing"].first_after_days, rules["prep"].repeat_every_days) == (90, 90)
    followups.save_rule(actor=admin, service_code="art", first_after_days=60)
    assert {r.service_code: r for r in followups.list_rules()}["art"].first_after_days == 60


def test_an_inbound_no_puts_the_referral_on_her_task_list(make_user, new_member, new_referral):
    from core.db import utcnow
    from notifications.signals import inbound_reply

    pe = make_user("peer_educator")
    member = new_member(pe)
    referral = new_referral(pe, member, appointment_at=local_at(2))
    inbound_reply.send(
        None,
        contact_id=member.contact_id,
        keyword="no",
        subject=f"referral:{referral.code}",
        received_at=utcnow(),
    )
    db.session.commit()
    assert [r.id for r in tasks.task_list(pe).replied_no] == [referral.id]
    lifecycle.reschedule(referral.code, local_at(3), actor=pe)
    db.session.commit()
    assert tasks.task_list(pe).replied_no == []


def test_retention_purge_erases_numbers_inactive_for_a_year(runner, make_user, new_member):
    from notifications.models import Contact

    pe = make_user("peer_educator")
    member = new_member(pe)
    contact = db.session.get(Contact, member.contact_id)
    later = (contact.last_activity_at + timedelta(days=366)).isoformat()
    result = runner.invoke(args=["retention", "purge", "--now", later])
    assert result.exit_code == 0, result.output
    assert "numbers_erased=1" in result.output
    db.session.expire_all()
    assert db.session.get(Contact, member.contact_id).phone is None


def test_reminder_offsets_are_configurable(make_user, services, make_clinic):
    from flask import current_app

    current_app.config["REMINDER_OFFSETS_HOURS"] = (48, 3)
    from referrals.services import members

    pe = make_user("peer_educator")
    from clinics.models import Service
    from clinics.services import set_hours

    clinic = make_clinic()
    set_hours(
        clinic, {d: [["00:00", "24:00"]] for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}
    )
    clinic.services = [db.session.get(Service, "prep")]
    member = members.register_member(actor=pe, phone="01712345678", sms_consent=True)
    appointment = local_at(5, 14)
    lifecycle.create_referral(
        actor=pe,
        member_id=member.id,
        clinic_id=clinic.id,
        services=["prep"],
        appointment_at=appointment,
    )
    sends = {m.kind: m.send_at for m in db.session.scalars(sa.select(OutboxMessage))}
    assert sends["reminder_24h"] == appointment - timedelta(hours=48)
    assert sends["reminder_2h"] == appointment - timedelta(hours=3)
