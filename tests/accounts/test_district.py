"""A user's own district: set by an admin on the user form or by herself on her account page;
one of the 64 districts (older spellings accepted); step 3 of a new referral starts there."""

from __future__ import annotations

import pytest

from accounts.models import User
from accounts.services import set_district
from core.errors import ValidationFailed
from core.extensions import db


def reload(user) -> User:
    db.session.expire_all()
    return db.session.get(User, user.id)


def test_the_service_takes_a_district_by_name_and_clears_it(make_user):
    pe = make_user("peer_educator")
    set_district(pe, "Chittagong", actor=pe)  # the older spelling, stored as the current name
    db.session.commit()
    assert reload(pe).district == "Chattogram"
    set_district(pe, "", actor=pe)
    db.session.commit()
    assert reload(pe).district is None
    with pytest.raises(ValidationFailed) as refused:
        set_district(pe, "Atlantis", actor=pe)
    assert "district" in refused.value.fields
    with pytest.raises(ValidationFailed):
        set_district(pe, 7, actor=pe)


def test_she_sets_her_own_district_on_her_account_page(client, login_as):
    pe = login_as("peer_educator")
    page = client.get("/account").get_data(as_text=True)
    assert "My district" in page and 'name="district"' in page
    r = client.post("/account/district", data={"district": "Khulna"})
    assert r.status_code == 302
    assert reload(pe).district == "Khulna"
    assert 'selected value="Khulna"' in client.get("/account").get_data(as_text=True)
    client.post("/account/district", data={"district": "Nowhere"})
    assert reload(pe).district == "Khulna"  # not one of the choices: nothing changes


def test_an_admin_sets_it_on_the_user_form(client, login_as, make_user):
    login_as("admin")
    pe = make_user("peer_educator")
    r = client.post(
        f"/admin/users/{pe.id}",
        data={
            "display_name": "Amina",
            "role": "peer_educator",
            "clinic_id": "0",
            "district": "Sylhet",
            "language": "bn",
        },
    )
    assert r.status_code == 302, r.get_data(as_text=True)
    assert reload(pe).district == "Sylhet"
    page = client.get(f"/admin/users/{pe.id}").get_data(as_text=True)
    assert 'selected value="Sylhet"' in page
    r = client.post(
        "/admin/users/new",
        data={
            "email": "new@example.org",
            "role": "peer_educator",
            "clinic_id": "0",
            "district": "Bogura",
            "language": "bn",
            "password": "a long enough pass 1",
        },
    )
    assert r.status_code == 302, r.get_data(as_text=True)
    assert (
        db.session.scalar(db.select(User).filter_by(email="new@example.org")).district == "Bogura"
    )
