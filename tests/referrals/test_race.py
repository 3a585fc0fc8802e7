"""Two confirmations of one referral at once: one wins, the other gets 409 (PostgreSQL)."""

from __future__ import annotations

import threading

import pytest
import sqlalchemy as sa

from core.extensions import db
from referrals.models import Referral, ReferralEvent
from tests.support.clock import local_at
from tests.support.pg import wait_for_lock_waiter


@pytest.fixture
def scheduled(app, make_user, new_member, new_referral, clinic):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("row locking races are tested on PostgreSQL")
    pe = make_user("peer_educator")
    referral = new_referral(pe, new_member(pe), appointment_at=local_at(2))
    partners = [make_user("clinic_partner", clinic_id=clinic.id) for _ in range(2)]
    return referral.code, partners


def test_second_confirmation_waits_then_gets_409(app, client, api_headers, scheduled):
    from referrals.services import lifecycle

    code, (first, second) = scheduled
    headers = api_headers(user=second)
    first_id = first.id
    started, result = threading.Event(), {}

    def confirm_in_request():
        started.wait(10)
        response = client.post(
            f"/api/v1/referrals/{code}/confirm",
            json={"services_delivered": ["hiv_testing"]},
            headers=headers,
        )
        result["status"], result["body"] = response.status_code, response.json

    other = threading.Thread(target=confirm_in_request)
    other.start()
    with app.app_context():  # a session of its own: the first confirmation, not yet committed
        from accounts.models import User

        actor = db.session.get(User, first_id)
        lifecycle.confirm(code, ["hiv_testing"], actor=actor, channel="api")
        started.set()
        assert wait_for_lock_waiter(), "the second confirmation never reached the row lock"
        db.session.commit()
    other.join(20)
    assert result["status"] == 409, result
    with app.app_context():
        assert db.session.scalar(sa.select(Referral.status)) == "attended"
        events = db.session.scalars(sa.select(ReferralEvent.to_status)).all()
        assert sorted(events) == ["attended", "scheduled"]


def test_two_simultaneous_confirmations_one_200_one_409(app, api_headers, scheduled):
    code, partners = scheduled
    headers = [api_headers(user=p) for p in partners]
    barrier = threading.Barrier(2)
    statuses: list[int] = []

    def confirm(h):
        client = app.test_client()
        barrier.wait(10)
        r = client.post(
            f"/api/v1/referrals/{code}/confirm",
            json={"services_delivered": ["hiv_testing"]},
            headers=h,
        )
        statuses.append(r.status_code)

    threads = [threading.Thread(target=confirm, args=(h,)) for h in headers]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert sorted(statuses) == [200, 409]
    with app.app_context():
        assert (
            db.session.scalar(
                sa.select(sa.func.count())
                .select_from(ReferralEvent)
                .where(ReferralEvent.to_status == "attended")
            )
            == 1
        )
