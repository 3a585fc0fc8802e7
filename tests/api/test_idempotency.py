"""Idempotency-Key on POST /api/v1/members and /api/v1/referrals (CONTRACT.md "Idempotency")."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
import sqlalchemy as sa

from core.db import utcnow
from core.extensions import db
from core.idempotency import IdempotencyKey
from core.retention import purge_all
from notifications.models import OutboxMessage
from referrals.models import Member, Referral
from tests.support import factories
from tests.support.clock import local_at
from tests.support.factories import ALL_WEEK

MEMBERS = "/api/v1/members"


@pytest.fixture
def pe(make_user):
    return make_user("peer_educator")


@pytest.fixture
def h(api_headers, pe):
    return api_headers(user=pe)


def count(model) -> int:
    db.session.rollback()
    return db.session.scalar(sa.select(sa.func.count()).select_from(model)) or 0


def member_body(**kw) -> dict:
    data = {"phone": "01712-345678", "language": "bn", "sms_consent": True, "nickname": "Moni"}
    data.update(kw)
    return data


def post(client, h, key: str | None, body: dict, path: str = MEMBERS):
    headers = dict(h) if key is None else {**h, "Idempotency-Key": key}
    return client.post(path, json=body, headers=headers)


def test_the_same_key_and_body_answer_the_first_response_and_create_nothing(client, h):
    first = post(client, h, "k-1", member_body())
    assert first.status_code == 201, first.json
    assert "Idempotent-Replayed" not in first.headers
    # The same body, its keys in another order: the same canonical JSON.
    again = post(client, h, "k-1", dict(reversed(list(member_body().items()))))
    assert again.status_code == 201
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.json == first.json
    assert count(Member) == 1


def test_the_same_key_with_another_body_is_422_idempotency_mismatch(client, h):
    assert post(client, h, "k-2", member_body()).status_code == 201
    other = post(client, h, "k-2", member_body(nickname="Rina"))
    assert other.status_code == 422
    assert other.json["error"]["code"] == "idempotency_mismatch"
    assert count(Member) == 1


def test_a_key_still_in_flight_is_409_until_its_request_is_a_minute_old(client, h, pe):
    import hashlib

    from core.idempotency import body_hash

    now = utcnow()
    row = IdempotencyKey(
        user_id=pe.id,
        path=MEMBERS,
        key_hash=hashlib.sha256(b"k-3").hexdigest(),
        body_hash=body_hash(member_body()),
        created_at=now,
        claimed_at=now,
    )
    db.session.add(row)
    db.session.commit()
    busy = post(client, h, "k-3", member_body())
    assert busy.status_code == 409
    assert busy.json["error"]["code"] == "idempotency_in_flight"
    assert count(Member) == 0
    died = now - timedelta(seconds=61)  # its request died
    db.session.execute(sa.update(IdempotencyKey).values(created_at=died, claimed_at=died))
    db.session.commit()
    free = post(client, h, "k-3", member_body())
    assert free.status_code == 201 and "Idempotent-Replayed" not in free.headers
    assert count(Member) == 1


@pytest.mark.parametrize("key", ["", "   ", "x" * 256])
def test_an_empty_or_too_long_key_is_400(client, h, key):
    r = post(client, h, key, member_body())
    assert r.status_code == 400
    assert "Idempotency-Key" in r.json["error"]["fields"]
    assert count(Member) == 0


def test_a_key_of_255_characters_is_taken(client, h):
    assert post(client, h, "x" * 255, member_body()).status_code == 201
    assert post(client, h, "x" * 255, member_body()).headers["Idempotent-Replayed"] == "true"


def test_only_2xx_answers_are_kept(client, h):
    bad = member_body(phone="12345")
    first = post(client, h, "k-4", bad)
    assert first.status_code == 422
    again = post(client, h, "k-4", bad)
    assert again.status_code == 422 and "Idempotent-Replayed" not in again.headers
    assert count(IdempotencyKey) == 0
    # The key is free: a corrected body under it creates her once.
    assert post(client, h, "k-4", member_body()).status_code == 201
    assert post(client, h, "k-4", member_body()).headers["Idempotent-Replayed"] == "true"
    assert count(Member) == 1


def test_keys_are_scoped_by_user(client, h, api_headers):
    assert post(client, h, "shared", member_body()).status_code == 201
    other = post(client, api_headers("peer_educator"), "shared", member_body(phone="01812345678"))
    assert other.status_code == 201 and "Idempotent-Replayed" not in other.headers
    assert count(Member) == 2


def test_the_stored_answer_is_encrypted(client, h):
    post(client, h, "k-5", member_body(nickname="Shapla"))
    raw = db.session.execute(
        sa.select(sa.type_coerce(IdempotencyKey.response, sa.Text())).limit(1)
    ).scalar_one()
    assert "Shapla" not in raw and "uic" not in raw


def test_keys_are_purged_after_24_hours_and_an_old_key_is_free(client, h):
    assert post(client, h, "k-6", member_body()).status_code == 201
    db.session.execute(sa.update(IdempotencyKey).values(created_at=utcnow() - timedelta(hours=25)))
    db.session.commit()
    # Not yet purged, but older than a day: a new request, not a replay.
    late = post(client, h, "k-6", member_body(phone="01812345678"))
    assert late.status_code == 201 and "Idempotent-Replayed" not in late.headers
    assert count(Member) == 2
    results = dict(purge_all(utcnow() + timedelta(hours=25)))
    assert results["form tokens and idempotency keys"]["idempotency_keys"] == 1
    assert count(IdempotencyKey) == 0


@pytest.fixture
def clinic(app):
    factories.add_services(factories.SERVICE_CODES, follow_up_rules=True)
    return factories.make_clinic(offering=factories.SERVICE_CODES, hours=ALL_WEEK)


def test_a_referral_sent_twice_is_one_referral_with_one_set_of_messages(client, h, clinic):
    member = post(client, h, None, member_body()).json
    body = {
        "member_id": member["id"],
        "clinic_id": clinic.id,
        "services": ["hiv_testing"],
        "appointment_at": local_at(3, 11).isoformat(),
    }
    first = post(client, h, "r-1", body, path="/api/v1/referrals")
    assert first.status_code == 201, first.json
    messages = count(OutboxMessage)
    assert messages >= 1
    again = post(client, h, "r-1", body, path="/api/v1/referrals")
    assert again.status_code == 201 and again.headers["Idempotent-Replayed"] == "true"
    assert again.json["code"] == first.json["code"]
    assert count(Referral) == 1 and count(OutboxMessage) == messages
    # Keys are scoped by path: the same key on /members is another key.
    assert post(client, h, "r-1", member_body(phone="01812345678")).status_code == 201


def test_the_openapi_document_names_the_header(client):
    doc = client.get("/api/v1/openapi.json").json
    for path in ("/members", "/referrals"):
        operation = doc["paths"][path]["post"]
        names = [p["name"] for p in operation.get("parameters", [])]
        assert "Idempotency-Key" in names
        assert "Idempotent-Replayed" in operation["responses"]["201"]["headers"]
        assert {"409", "422"} <= set(operation["responses"])
    assert "parameters" not in doc["paths"]["/members"]["get"] or "Idempotency-Key" not in [
        p["name"] for p in doc["paths"]["/members"]["get"]["parameters"]
    ]


def test_two_requests_racing_with_one_key_create_one_member(app, h, database_url):
    if not database_url.startswith("postgresql"):
        pytest.skip("a real race needs PostgreSQL's concurrent writers")
    barrier = threading.Barrier(4)
    answers: list = []

    def send() -> None:
        with app.test_client() as own:
            barrier.wait()
            r = post(own, h, "race", member_body())
            answers.append((r.status_code, r.headers.get("Idempotent-Replayed"), r.json))

    threads = [threading.Thread(target=send) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    statuses = sorted(status for status, _replayed, _json in answers)
    assert len(answers) == 4 and set(statuses) <= {201, 409}, answers
    fresh = [a for a in answers if a[0] == 201 and a[1] is None]
    assert len(fresh) == 1, answers
    for status, replayed, body in answers:
        if status == 409:
            assert body["error"]["code"] == "idempotency_in_flight"
        elif replayed:
            assert body == fresh[0][2]
    assert count(Member) == 1
