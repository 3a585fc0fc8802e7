"""The whole loop through the pages: register, three steps, slip, clinic confirmation."""

from __future__ import annotations

import re

from core.extensions import db
from tests.support.clock import local_at


def test_three_steps_slip_and_clinic_confirmation(client, login_as, clinic, app):
    from referrals.models import Referral

    login_as("peer_educator")
    r = client.get("/tasks")
    assert r.status_code == 200 and b"New referral" in r.data
    r = client.post("/referrals/new/find", data={"lookup": "01812-345678"})
    assert r.status_code == 200 and b"No member found" in r.data
    assert b"01812" not in r.data or b'value="01812-345678"' in r.data  # only in the form field
    r = client.post(
        "/referrals/new/register",
        data={"phone": "01812-345678", "language": "en", "sms_consent": "y"},
    )
    assert r.status_code == 302, r.get_data(as_text=True)
    what_url = r.headers["Location"]
    assert "018" not in what_url
    when = local_at(2, 10, 30)
    r = client.post(
        what_url,
        data={
            "services": ["hiv_testing", "sti"],
            "day": when.date().isoformat(),
            "at": "10:30",
            "urgency": "urgent",
        },
    )
    assert r.status_code == 302, r.get_data(as_text=True)
    where_url = r.headers["Location"]
    r = client.get(where_url)
    assert r.status_code == 200 and clinic.name.encode() in r.data
    r = client.post(where_url, data={"clinic_id": str(clinic.id), "notes": "secret note"})
    assert r.status_code == 302, r.get_data(as_text=True)
    assert "/slip" in r.headers["Location"]
    slip = client.get(r.headers["Location"])
    assert slip.status_code == 200
    html = slip.get_data(as_text=True)
    assert "<svg" in html and "data:" not in html
    referral = db.session.scalar(db.select(Referral))
    assert referral.status == "scheduled" and referral.urgency == "urgent"
    assert referral.member.uic not in html and "secret note" not in html
    display = re.search(r'class="code-big slip-code">([^<]+)<', html).group(1)
    assert display.replace("-", "") == referral.code
    r = client.get("/tasks")
    assert r.status_code == 200
    client.post("/logout")

    login_as("clinic_partner", clinic_id=clinic.id)
    r = client.get("/clinic/today")
    assert r.status_code == 200
    r = client.post("/clinic/find", data={"code": display.lower().replace("-", " ")})
    assert r.status_code == 302 and referral.code in r.headers["Location"]
    page = client.get(r.headers["Location"])
    assert page.status_code == 200
    body = page.get_data(as_text=True)
    assert referral.member.uic not in body and "secret note" not in body
    r = client.post(
        f"/clinic/confirm/{referral.code}",
        data={"services_delivered": ["hiv_testing"], "linked_to_care": "y"},
    )
    assert r.status_code == 302, r.get_data(as_text=True)
    db.session.expire_all()
    referral = db.session.get(Referral, referral.id)
    assert referral.status == "attended" and referral.services_delivered == ["hiv_testing"]
    assert [e.channel for e in referral.events] == ["web", "web"]


def test_step_three_lists_clinics_offering_the_services_open_first(
    client, login_as, new_member, clinic_with
):
    pe = login_as("peer_educator")
    member = new_member(pe)
    open_one = clinic_with(codes=("prep", "sti"), name="Open Place", free_of_charge=True)
    clinic_with(
        codes=("prep", "sti"),
        name="Closed Place",
        hours={"mon": [["09:00", "10:00"]]},
    )
    clinic_with(codes=("contraception",), name="Other Services")
    when = local_at(2, 15)
    r = client.get(
        f"/referrals/new/{member.id}/where",
        query_string={"services": ["prep", "sti"], "at": when.isoformat(), "urgency": "routine"},
    )
    html = r.get_data(as_text=True)
    assert r.status_code == 200
    assert "Other Services" not in html
    assert html.index("Open Place") < html.index("Closed Place")
    assert "closed at that time" in html and "Free of charge" in html
    r = client.post(
        f"/referrals/new/{member.id}/where?services=prep&urgency=routine&at={when.isoformat()}".replace(
            "+", "%2B"
        ),
        data={"clinic_id": str(open_one.id)},
    )
    assert r.status_code == 302 and "/slip" in r.headers["Location"]


def test_step_two_refuses_a_past_time(client, login_as, new_member, services):
    pe = login_as("peer_educator")
    member = new_member(pe)
    r = client.post(
        f"/referrals/new/{member.id}/what",
        data={"services": ["prep"], "day": local_at(-1).date().isoformat(), "at": "10:00"},
    )
    assert r.status_code == 200 and "in the past" in r.get_data(as_text=True)
    r = client.post(f"/referrals/new/{member.id}/what", data={"services": ["prep"]})
    assert r.status_code == 200 and "No appointment yet" in r.get_data(as_text=True)
    r = client.post(
        f"/referrals/new/{member.id}/what", data={"services": ["prep"], "no_appointment": "y"}
    )
    assert r.status_code == 302 and "at=" not in r.headers["Location"]
