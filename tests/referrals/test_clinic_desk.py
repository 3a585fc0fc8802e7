"""The clinic partner's desk without dead ends: a mistyped code stays in the box with what is
wrong and the expected code it may have meant; Bangla digits work; another clinic's code offers
to record the visit here; the day's list keeps each code on one line."""

from __future__ import annotations

import re

import pytest

from core.extensions import db
from referrals.models import Referral
from referrals.services import codes
from tests.support.clock import local_at
from tests.support.db import PASSWORD

BANGLA = str.maketrans("0123456789", "০১২৩৪৫৬৭৮৯")


@pytest.fixture
def desk(client, login_as, make_user, new_member, new_referral, clinic_with):
    """A referral expected at a clinic offering HIV testing and STI care (whose partner is
    signed in), and one made for another clinic, for HIV testing and PrEP."""
    pe = make_user("peer_educator")
    member = new_member(pe, nickname="Moni")
    this_clinic = clinic_with(codes=("hiv_testing", "sti"))
    here = new_referral(
        pe,
        member,
        appointment_at=local_at(1, 16),
        services=("hiv_testing",),
        clinic_obj=this_clinic,
    )
    other_clinic = clinic_with(codes=("hiv_testing", "prep"), name="Far Away Clinic")
    away = new_referral(
        pe,
        member,
        appointment_at=local_at(1),
        services=("hiv_testing", "prep"),
        clinic_obj=other_clinic,
    )
    partner = login_as("clinic_partner", clinic_id=this_clinic.id)
    return {"here": here, "away": away, "member": member, "partner": partner, "pe": pe}


def _find(client, typed):
    return client.post("/clinic/find", data={"code": typed})


def test_a_code_typed_with_bangla_digits_opens_the_confirmation(client, desk):
    code = desk["here"].code
    typed = codes.display(code).lower().translate(BANGLA).replace("-", " ")
    response = _find(client, typed)
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/clinic/confirm/{code}")


def test_a_scanned_slip_link_typed_into_the_box_opens_the_confirmation(client, desk):
    code = desk["here"].code
    response = _find(client, f"https://harc.example.org/clinic/confirm/{code}")
    assert response.headers["Location"].endswith(f"/clinic/confirm/{code}")


def test_a_mistyped_code_stays_in_the_box_with_the_expected_code_it_meant(client, desk):
    code = desk["here"].code
    swapped = code[1] + code[0] + code[2:] if code[0] != code[1] else "Z" + code[1:]
    response = _find(client, codes.display(swapped))
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert f'value="{codes.display(swapped)}"' in html
    assert 'aria-invalid="true"' in html
    assert "Did you mean" in html and f"/clinic/confirm/{code}" in html
    # A symbol outside the alphabet is marked; the code is still offered when one slip away.
    with_u = "U" + code[1:]
    html = _find(client, with_u.lower()).get_data(as_text=True)
    assert "<mark>U</mark>" in html and "never in a code" in html
    assert f"/clinic/confirm/{code}" in html
    assert 'value="u' in html  # what she typed, as she typed it


def test_a_wrong_length_and_a_code_nobody_has(client, desk):
    html = _find(client, desk["here"].code[:8]).get_data(as_text=True)
    assert "this one has too few" in html
    assert f"/clinic/confirm/{desk['here'].code}" in html  # one symbol left out
    html = _find(client, "000000000").get_data(as_text=True)
    assert "No referral has that code." in html
    html = _find(client, "").get_data(as_text=True)
    assert 'aria-invalid="true"' in html


def test_another_clinics_code_offers_to_record_the_visit_here(client, desk):
    away = desk["away"]
    response = _find(client, codes.display(away.code))
    assert response.headers["Location"].endswith(f"/clinic/elsewhere/{away.code}")
    # The slip's QR (the confirmation link) lands there too.
    assert (
        client.get(f"/clinic/confirm/{away.code}")
        .headers["Location"]
        .endswith(f"/clinic/elsewhere/{away.code}")
    )
    page = client.get(f"/clinic/elsewhere/{away.code}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "made for another clinic" in html
    assert "Far Away Clinic" not in html and away.clinic.sms_alias not in html
    assert desk["member"].uic not in html and "Moni" not in html
    assert re.search(r"Not offered here:.*prep", html, re.S)
    assert 'name="services_delivered" type="checkbox" value="hiv_testing"' in html
    response = client.post(
        f"/clinic/elsewhere/{away.code}",
        data={"services_delivered": ["hiv_testing"], "linked_to_care": "y"},
    )
    assert response.status_code == 302
    db.session.expire_all()
    moved = db.session.get(Referral, away.id)
    assert moved.clinic_id == desk["partner"].clinic_id and moved.status == "attended"
    assert [e.to_status for e in moved.events] == ["scheduled", "clinic_changed", "attended"]
    # Her peer educator reads the move in the referral's history.
    client.post("/logout")
    client.post("/login", data={"email": desk["pe"].email, "password": PASSWORD})
    html = client.get(f"/referrals/{away.code}").get_data(as_text=True)
    assert "She went to another clinic: the referral moved there" in html


def test_a_service_not_offered_here_cannot_be_recorded(client, desk):
    away = desk["away"]
    response = client.post(f"/clinic/elsewhere/{away.code}", data={"services_delivered": ["prep"]})
    assert response.status_code == 200
    db.session.expire_all()
    assert db.session.get(Referral, away.id).status == "scheduled"


def test_an_unknown_code_on_the_elsewhere_page_is_not_found(client, desk):
    assert client.get("/clinic/elsewhere/000000000").status_code == 404
    assert client.get(f"/clinic/elsewhere/{desk['here'].code}").status_code == 404


def test_the_day_list_keeps_codes_whole_and_services_as_words(client, desk):
    html = client.get("/clinic/today").get_data(as_text=True)
    item = re.search(r'<ul class="clinic-day">.*?</ul>', html, re.S).group(0)
    assert '<span class="code"' in item and codes.display(desk["here"].code) in item
    assert '<span class="badge">hiv_testing</span>' in item  # the test catalogue's name
