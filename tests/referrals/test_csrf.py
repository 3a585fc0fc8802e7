"""With CSRF on (as in production), every referrals form carries its token."""

from __future__ import annotations

import pytest

from tests.support.clock import local_at
from tests.support.db import csrf_token_from


@pytest.fixture
def app_config(app_config):
    app_config["WTF_CSRF_ENABLED"] = True
    return app_config


def test_the_new_referral_flow_with_csrf(client, make_user, clinic):
    from tests.support.db import PASSWORD

    pe = make_user("peer_educator")
    page = client.get("/login").get_data(as_text=True)
    client.post(
        "/login",
        data={"email": pe.email, "password": PASSWORD, "csrf_token": csrf_token_from(page)},
    )
    page = client.get("/referrals/new").get_data(as_text=True)
    token = csrf_token_from(page)
    r = client.post(
        "/referrals/new/register",
        data={"phone": "01712345678", "language": "bn", "sms_consent": "y"},
    )
    assert r.status_code == 400  # refused without the token
    r = client.post(
        "/referrals/new/register",
        data={"phone": "01712345678", "language": "bn", "sms_consent": "y", "csrf_token": token},
    )
    assert r.status_code == 302, r.get_data(as_text=True)
    what = r.headers["Location"]
    token = csrf_token_from(client.get(what).get_data(as_text=True))
    day = local_at(2).date().isoformat()
    r = client.post(
        what, data={"services": ["hiv_testing"], "day": day, "at": "11:00", "csrf_token": token}
    )
    assert r.status_code == 302
    where = r.headers["Location"]
    token = csrf_token_from(client.get(where).get_data(as_text=True))
    r = client.post(where, data={"clinic_id": str(clinic.id), "csrf_token": token})
    assert r.status_code == 302 and "/slip" in r.headers["Location"]
    tasks = client.get("/tasks").get_data(as_text=True)
    assert csrf_token_from(tasks)
