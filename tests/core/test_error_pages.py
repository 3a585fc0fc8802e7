"""Errors on pages in the reader's language: a Bangla page shows a service's refusal, a form's
own messages and an import's problems in Bangla; the API keeps its English `message` and `code`."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest

from core.db import utcnow
from core.extensions import db
from tests.support import factories
from tests.support.catalog import compile_if_stale, english_in


@pytest.fixture(autouse=True)
def compiled() -> None:
    """The pages read the compiled catalogue."""
    compile_if_stale()


def test_invalid_phone_on_the_bangla_register_page(client, login_as):
    login_as("peer_educator", language="bn")
    response = client.post(
        "/referrals/new/register", data={"phone": "12345", "language": "bn", "sms_consent": "y"}
    )
    html = response.get_data(as_text=True)
    assert "সঠিক ফোন নম্বর নয়।" in html
    assert "Not a valid phone number" not in html
    empty = client.post("/referrals/new/find", data={"lookup": ""}).get_data(as_text=True)
    assert "এই ঘরটি পূরণ করতে হবে।" in empty and "This field is required" not in empty


def test_the_clinic_forms_hour_errors_are_bangla(client, login_as, catalogue):
    login_as("admin", language="bn")
    clinic = factories.make_clinic(offering=("hiv_testing",))
    base = {"name": "Alpha", "sms_alias": "Alpha Point", "district": "Dhaka", "status": "active"}
    for hours, bangla in (
        ({"hours_mon": "09:00-13:00, 12:00-17:00"}, "সোমবার ১২:০০-১৭:০০ একটির ওপর আরেকটি পড়ছে"),
        ({"hours_tue": "nine to five"}, "শুরু-শেষ আকারে নেই"),
        ({"hours_wed": "09:00-25:00"}, "বুধবার: ০৯:০০-২৫:০০ সঠিক সময় নয়"),
    ):
        response = client.post(f"/clinics/{clinic.id}/edit", data={**base, **hours})
        html = response.get_data(as_text=True)
        assert response.status_code == 200 and bangla in html, hours
        assert english_in(bangla) is None and "overlaps" not in html and "is not" not in html


def test_the_clinic_import_problems_are_bangla(client, login_as, catalogue):
    login_as("admin", language="bn")
    csv_text = "name,sms_alias,district,services\nBad Centre,Bad Point,Atlantis,sti\n"
    for extra in ({}, {"skip_invalid": "y"}):
        response = client.post(
            "/admin/clinics/import",
            data={"file": (io.BytesIO(csv_text.encode()), "clinics.csv"), **extra},
            content_type="multipart/form-data",
        )
        html = response.get_data(as_text=True)
        assert "লাইন ২: district: অজানা জেলা &#39;Atlantis&#39;" in html, extra
        assert "Unknown district" not in html


def test_an_http_error_page_does_not_show_werkzeugs_english(client):
    client.post("/language", data={"lang": "bn"})
    response = client.put("/login")
    html = response.get_data(as_text=True)
    assert response.status_code == 405 and 'lang="bn"' in html
    assert "method is not allowed" not in html.lower()


@pytest.fixture
def referral(app, catalogue):
    from referrals.services import lifecycle, members

    pe = factories.make_user("peer_educator", language="bn")
    hours = {day: [["00:00", "23:59"]] for day in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}
    clinic = factories.make_clinic(offering=("hiv_testing",), hours=hours)
    member = members.register_member(actor=pe, phone="01712345678", language="bn", sms_consent=True)
    made, _ = lifecycle.create_referral(
        actor=pe,
        member_id=member.id,
        clinic_id=clinic.id,
        services=["hiv_testing"],
        appointment_at=utcnow() + timedelta(days=2),
    )
    db.session.commit()
    return pe, made


def test_a_refused_reschedule_is_bangla_on_the_page(client, referral):
    from tests.conftest import PASSWORD

    pe, made = referral
    client.post("/login", data={"email": pe.email, "password": PASSWORD})
    past = (utcnow() - timedelta(days=3)).date().isoformat()
    response = client.post(
        f"/referrals/{made.code}/reschedule",
        data={"day": past, "at": "10:00"},
        follow_redirects=True,
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "সময় পেরিয়ে গেছে।" in html and "In the past" not in html


def test_the_api_keeps_english_and_the_code(client, referral, api_headers):
    pe, made = referral
    past = (utcnow() - timedelta(days=3)).isoformat()
    response = client.post(
        f"/api/v1/referrals/{made.code}/reschedule",
        json={"appointment_at": past},
        headers={**api_headers(user=pe), "Accept-Language": "bn"},
    )
    assert response.status_code == 422
    error = response.get_json()["error"]
    assert error["code"] == "invalid"
    assert error["message"] == "The appointment is in the past; choose a later time."
    assert error["fields"] == {"appointment_at": "In the past."}
