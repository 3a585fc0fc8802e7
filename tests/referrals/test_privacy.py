"""No phone number in clear: not in the database, not in the logs, not in a URL."""

from __future__ import annotations

import logging

import sqlalchemy as sa

from core.extensions import db
from tests.support.clock import local_at

DIGITS = ("1712345678", "01712-345678", "345678")


def test_no_phone_digits_in_logs_through_registration_and_referral(
    client, login_as, clinic, caplog, api_headers
):
    caplog.set_level(logging.DEBUG)
    logging.getLogger("sqlalchemy.engine").setLevel(logging.INFO)  # statements and parameters
    try:
        user = login_as("peer_educator")
        r = client.post(
            "/referrals/new/register",
            data={"phone": "01712-345678", "language": "bn", "sms_consent": "y"},
        )
        assert r.status_code == 302
        assert all(d not in r.headers["Location"] for d in DIGITS)
        h = api_headers(user=user)
        client.post("/api/v1/members", json={"phone": "01712-345678"}, headers=h)  # 409
        client.post("/api/v1/members/search", json={"q": "01712345678"}, headers=h)
        member_id = r.headers["Location"].split("/")[3]
        r = client.post(
            "/api/v1/referrals",
            json={
                "member_id": int(member_id),
                "clinic_id": clinic.id,
                "services": ["hiv_testing"],
                "appointment_at": local_at(2).isoformat(),
            },
            headers=h,
        )
        assert r.status_code == 201
        client.get(f"/members/{member_id}")
        client.post("/search", data={"q": "01712345678"})
    finally:
        logging.getLogger("sqlalchemy.engine").setLevel(logging.WARNING)
    text = "\n".join(rec.getMessage() for rec in caplog.records) + caplog.text
    assert caplog.records  # something was logged
    for digits in DIGITS:
        assert digits not in text


def test_raw_tables_hold_no_clear_phone(client, api_headers, clinic):
    h = api_headers("peer_educator")
    m = client.post(
        "/api/v1/members",
        json={"phone": "01712-345678", "sms_consent": True, "nickname": "Moni"},
        headers=h,
    ).json
    client.post(
        "/api/v1/referrals",
        json={
            "member_id": m["id"],
            "clinic_id": clinic.id,
            "services": ["hiv_testing"],
            "appointment_at": local_at(2).isoformat(),
            "notes": "note text",
        },
        headers=h,
    )
    for table in ("contacts", "members", "referrals", "outbox_messages", "audit_events"):
        rows = db.session.execute(sa.text(f"SELECT * FROM {table}")).all()
        assert rows or table == "audit_events"
        dump = repr(rows)
        for secret in ("1712345678", "345678", "Moni", "note text"):
            assert secret not in dump, (table, secret)
