"""More pages: member controls, reschedule, cancel, trace, follow-ups, rules, search, lists."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from core.audit import AuditEvent
from core.db import utcnow
from core.extensions import db
from notifications.models import Contact
from referrals.models import FollowUp, Referral
from referrals.services import lifecycle
from tests.support.clock import local_at


def test_member_page_controls_and_audit(client, login_as, new_member, new_referral):
    pe = login_as("peer_educator")
    member = new_member(pe, phone="01712-345678", nickname="Moni")
    new_referral(pe, member, appointment_at=local_at(2))
    page = client.get(f"/members/{member.id}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "+880•••••••678" in html and "345678" not in html
    assert page.headers["Cache-Control"] == "no-store"
    assert "stops every message at once" in html
    assert db.session.scalar(sa.select(sa.func.count()).where(AuditEvent.action == "member.read"))
    for action, column in (("opt-out", "opted_out"), ("safety-hold", "safety_hold")):
        r = client.post(f"/members/{member.id}/contact/{action}")
        assert r.status_code == 302
        db.session.expire_all()
        assert getattr(db.session.get(Contact, member.contact_id), column) is True
    r = client.post(
        f"/members/{member.id}/preferences",
        data={"language": "en", "contact_window": "19:00-22:00"},
    )
    assert r.status_code == 302
    db.session.expire_all()
    assert db.session.get(Contact, member.contact_id).window_start == "19:00"
    r = client.post(
        f"/members/{member.id}/preferences", data={"language": "en", "contact_window": "later"}
    )
    assert r.status_code == 302
    r = client.post(f"/members/{member.id}/anonymise", data={})
    db.session.expire_all()
    assert db.session.get(Contact, member.contact_id).phone is not None  # not confirmed
    client.post(f"/members/{member.id}/anonymise", data={"confirm": "y"})
    db.session.expire_all()
    assert db.session.get(Contact, member.contact_id).phone is None
    assert client.get("/members").status_code == 200


def test_referral_page_reschedule_cancel(client, login_as, new_member, new_referral):
    pe = login_as("peer_educator")
    referral = new_referral(pe, new_member(pe), appointment_at=local_at(2))
    page = client.get(f"/referrals/{referral.code.lower()}")
    assert page.status_code == 302  # normalised code
    assert client.get(f"/referrals/{referral.code}").status_code == 200
    day = local_at(4).date().isoformat()
    client.post(f"/referrals/{referral.code}/reschedule", data={"day": day, "at": "14:15"})
    db.session.expire_all()
    assert db.session.get(Referral, referral.id).appointment_at == local_at(4, 14, 15)
    past = local_at(-1).date().isoformat()
    r = client.post(
        f"/referrals/{referral.code}/reschedule",
        data={"day": past, "at": "10:00"},
        follow_redirects=True,
    )
    # The form is shown again with the refusal on the day, and the typed day kept.
    assert r.status_code == 422
    assert "In the past" in r.get_data(as_text=True) and past in r.get_data(as_text=True)
    r = client.post(f"/referrals/{referral.code}/cancel", data={"reason": "went home"})
    db.session.expire_all()
    assert db.session.get(Referral, referral.id).status == "cancelled"
    r = client.post(
        f"/referrals/{referral.code}/reschedule",
        data={"day": day, "at": "10:00"},
        follow_redirects=True,
    )
    assert "cannot be rescheduled" in r.get_data(as_text=True)
    assert client.get("/referrals").status_code == 200


def test_tasks_trace_and_follow_up_done(
    client, login_as, new_member, new_referral, make_user, clinic
):
    pe = login_as("peer_educator")
    member = new_member(pe)
    missed = new_referral(pe, member, appointment_at=local_at(1))
    lifecycle.sweep(local_at(2, 12))
    done = new_referral(pe, member, appointment_at=local_at(1), services=("sti",))
    partner = make_user("clinic_partner", clinic_id=clinic.id)
    lifecycle.confirm(done.code, ["sti"], actor=partner)
    db.session.commit()
    page = client.get("/tasks").get_data(as_text=True)
    assert missed.code[:3] in page and "Follow-ups due this week" in page
    client.post(f"/referrals/{missed.code}/trace", data={"outcome": "declined"})
    db.session.expire_all()
    assert db.session.get(Referral, missed.id).trace_outcome == "declined"
    follow_up = db.session.scalar(sa.select(FollowUp))
    client.post(f"/follow-ups/{follow_up.id}/done", data={"note": "seen at drop-in"})
    db.session.expire_all()
    assert db.session.get(FollowUp, follow_up.id).status == "done"


def test_search_page_posts_the_number(client, login_as, new_member, new_referral):
    pe = login_as("peer_educator")
    member = new_member(pe, phone="01712-345678", uic="FIND-ME")
    referral = new_referral(pe, member)
    r = client.post("/search", data={"q": "01712 345678"})
    assert r.status_code == 302 and r.headers["Location"].endswith(f"/members/{member.id}")
    r = client.post("/search", data={"q": referral.code.lower()})
    assert r.headers["Location"].endswith(f"/referrals/{referral.code}")
    r = client.post("/search", data={"q": "nobody"})
    assert r.status_code == 200 and "Nothing found" in r.get_data(as_text=True)


def test_registering_a_known_number_says_so_plainly(client, login_as, new_member):
    pe = login_as("peer_educator")
    new_member(pe, phone="01712-345678")
    r = client.post("/referrals/new/register", data={"phone": "01712345678", "language": "bn"})
    assert r.status_code == 200 and "already registered" in r.get_data(as_text=True)
    r = client.post("/referrals/new/find", data={"lookup": "+8801712345678"})
    assert "Refer her" in r.get_data(as_text=True)
    r = client.post(
        "/referrals/new/register",
        data={"phone": "01712345678", "language": "bn", "shared_phone": "y"},
    )
    assert r.status_code == 302


def test_admin_rules_page(client, login_as, services):
    login_as("admin")
    assert "Follow-up rules" in client.get("/admin").get_data(as_text=True)
    assert client.get("/admin/follow-up-rules").status_code == 200
    r = client.post(
        "/admin/follow-up-rules",
        data={"service_code": "art", "first_after_days": "45", "active": "y"},
    )
    assert r.status_code == 302
    from referrals.models import FollowUpRule

    rule = db.session.scalar(sa.select(FollowUpRule).where(FollowUpRule.service_code == "art"))
    assert rule.first_after_days == 45


def test_clinic_partner_home_lists(client, login_as, make_user, new_member, new_referral, clinic):
    pe = make_user("peer_educator")
    today = new_referral(
        pe,
        new_member(pe),
        appointment_at=utcnow() + timedelta(minutes=30),
    )
    login_as("clinic_partner", clinic_id=clinic.id)
    html = client.get("/clinic/today").get_data(as_text=True)
    assert today.code[:3] in html
    r = client.post("/clinic/find", data={"code": "WRONG-CODE"}, follow_redirects=True)
    assert "not right" in r.get_data(as_text=True)


def test_pages_render_in_bangla(client, login_as, new_member, new_referral, clinic):
    pe = login_as("peer_educator", language="bn")
    member = new_member(pe)
    referral = new_referral(pe, member, appointment_at=local_at(2))
    for url in (
        "/tasks",
        "/members",
        f"/members/{member.id}",
        f"/referrals/{referral.code}",
        f"/referrals/{referral.code}/slip",
        "/referrals/new",
        f"/referrals/new/{member.id}/what",
        f"/referrals/new/{member.id}/where?services=hiv_testing",
        "/referrals",
    ):
        r = client.get(url)
        assert r.status_code == 200, url
        assert 'lang="bn"' in r.get_data(as_text=True)


def test_admin_reassigns_on_the_member_page(client, login_as, make_user, new_member):
    pe = make_user("peer_educator")
    other = make_user("peer_educator")
    member = new_member(pe)
    login_as("admin")
    assert "Reassign" in client.get(f"/members/{member.id}").get_data(as_text=True)
    assert (
        client.post(f"/members/{member.id}/reassign", data={"peer_educator_id": "x"}).status_code
        == 302
    )
    client.post(f"/members/{member.id}/reassign", data={"peer_educator_id": str(other.id)})
    db.session.expire_all()
    from referrals.models import Member

    assert db.session.get(Member, member.id).peer_educator_id == other.id
