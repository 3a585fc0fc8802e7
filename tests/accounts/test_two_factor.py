"""Two-factor sign-in: forced enrolment for admins and clinic partners, the code step, no replay,
recovery codes, shared rate limits, the admin's reset, a peer educator's own choice."""

from __future__ import annotations

import re

import pyotp
import pytest
import sqlalchemy as sa

from accounts.models import RecoveryCode, User
from accounts.two_factor import normalise_code
from core.audit import AuditEvent
from core.db import utcnow
from core.extensions import db
from core.templating import to_bangla_digits
from tests.support.db import PASSWORD
from tests.support.factories import TOTP_SECRET
from tests.support.signin import current_code, sign_in

ADMIN_PAGES = (
    "/",
    "/admin",
    "/admin/users",
    "/admin/users/new",
    "/admin/audit",
    "/account",
    "/clinics",
    "/reports",
    "/admin/sms",
    "/members",
)


def _actions(user) -> list[str]:
    query = sa.select(AuditEvent.action).where(AuditEvent.entity_id == str(user.id))
    return list(db.session.scalars(query))


def _password_step(client, user, **options):
    response = client.post("/login", data={"email": user.email, "password": PASSWORD}, **options)
    assert response.status_code == 302
    return response


def _to_enrolment(response) -> bool:
    return response.status_code == 302 and response.headers["Location"].endswith(
        "/account/two-factor"
    )


def _enrol(client, user) -> list[str]:
    """Enrol through the page: read the key shown, answer a code; returns the recovery codes."""
    page = client.get("/account/two-factor").get_data(as_text=True)
    secret = re.search(r'id="totp-secret"[^>]*>([A-Z2-7 ]+)<', page).group(1).replace(" ", "")
    code = pyotp.TOTP(secret).now()
    done = client.post("/account/two-factor", data={"code": code})
    assert done.status_code == 200, done.get_data(as_text=True)
    codes = re.findall(r'<code class="code">([0-9 ]+)</code>', done.get_data(as_text=True))
    assert len(codes) == 10
    return codes


def test_an_admin_with_only_a_password_reaches_nothing_but_enrolment(client, make_user):
    admin = make_user("admin", two_factor=False)
    _password_step(client, admin)
    for url in ADMIN_PAGES:
        assert _to_enrolment(client.get(url)), url
    assert _to_enrolment(client.post("/admin/users/new", data={"email": "x@example.org"}))
    assert db.session.scalar(sa.select(sa.func.count()).select_from(User)) == 1
    page = client.get("/account/two-factor")
    assert page.status_code == 200 and "nothing else opens" in page.get_data(as_text=True)
    assert client.post("/logout").headers["Location"].endswith("/login")


def test_a_clinic_partner_must_enrol_too_but_a_token_still_works(client, make_user, api_headers):
    partner = make_user("clinic_partner", two_factor=False)
    _password_step(client, partner)
    assert _to_enrolment(client.get("/clinic/today"))
    # The second factor guards the pages, not the API's tokens (CONTRACT.md).
    assert client.get("/api/v1/me", headers=api_headers(user=partner)).status_code == 200


def test_enrolment_with_a_correct_code_opens_the_pages(client, make_user):
    admin = make_user("admin", two_factor=False)
    _password_step(client, admin)
    wrong = client.post("/account/two-factor", data={"code": "000000"})
    assert wrong.status_code == 400 and "not right" in wrong.get_data(as_text=True)
    codes = _enrol(client, admin)
    assert all(re.fullmatch(r"\d{4} \d{4} \d{4} \d{4}", code) for code in codes)
    assert client.get("/admin/users").status_code == 200
    db.session.refresh(admin)
    assert admin.two_factor_on and "user.mfa_enrol" in _actions(admin)
    # Stored: the secret encrypted, the recovery codes hashed.
    raw = db.session.execute(sa.text("SELECT totp_secret FROM users")).scalar()
    assert admin.totp_secret not in raw
    stored = db.session.scalars(sa.select(RecoveryCode.code_hash)).all()
    assert len(stored) == 10 and not set(stored) & {c.replace(" ", "") for c in codes}


def test_sign_in_asks_for_the_code_after_the_password(client, make_user):
    admin = make_user("admin")
    response = _password_step(client, admin, query_string={"next": "/admin/users"})
    assert "/login/code" in response.headers["Location"]
    # The password alone signs nobody in.
    assert client.get("/admin/users").headers["Location"].startswith("/login")
    wrong = client.post(response.headers["Location"], data={"code": "123456"})
    assert wrong.status_code == 401
    code = to_bangla_digits(current_code(admin)[:3] + " " + current_code(admin)[3:])
    done = client.post(response.headers["Location"], data={"code": code})
    assert done.status_code == 302 and done.headers["Location"] == "/admin/users"
    assert client.get("/admin/users").status_code == 200


def test_the_code_step_needs_the_password_step_first(client, make_user):
    admin = make_user("admin")
    response = client.post("/login/code", data={"code": current_code(admin)})
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert client.get("/admin").status_code == 302


def test_the_password_passed_marker_ends_with_the_session_version(client, make_user):
    admin = make_user("admin")
    _password_step(client, admin)
    admin.session_version += 1  # e.g. an admin reset her password meanwhile
    db.session.commit()
    response = client.post("/login/code", data={"code": current_code(admin)})
    assert response.status_code == 302 and "/login/code" not in response.headers["Location"]
    assert client.get("/admin").headers["Location"].startswith("/login")


def test_a_replayed_code_is_refused(app, client, make_user):
    admin = make_user("admin")
    code = pyotp.TOTP(TOTP_SECRET).now()
    _password_step(client, admin)
    assert client.post("/login/code", data={"code": code}).status_code == 302
    other = app.test_client()
    _password_step(other, admin)
    replay = other.post("/login/code", data={"code": code})
    assert replay.status_code == 401 and "already used" in replay.get_data(as_text=True)
    assert other.get("/admin").status_code == 302


def test_a_recovery_code_works_once(app, client, make_user):
    admin = make_user("admin", two_factor=False)
    _password_step(client, admin)
    codes = _enrol(client, admin)
    other = app.test_client()
    _password_step(other, admin)
    typed = to_bangla_digits(codes[3])  # Bangla digits and spaces are read as the code
    used = other.post("/login/code", data={"code": typed}, follow_redirects=True)
    assert used.status_code == 200 and "9 recovery codes are left" in used.get_data(as_text=True)
    assert "user.mfa_recovery" in _actions(admin)
    third = app.test_client()
    _password_step(third, admin)
    assert third.post("/login/code", data={"code": codes[3]}).status_code == 401
    assert third.post("/login/code", data={"code": codes[4]}).status_code == 302


class TestLimits:
    @pytest.fixture
    def app_config(self, app_config):
        app_config["RATELIMIT_ENABLED"] = True
        return app_config

    def test_wrong_codes_count_toward_the_password_limit(self, client, make_user):
        admin = make_user("admin")
        for _ in range(3):
            data = {"email": admin.email, "password": "wrong-wrong-1"}
            assert client.post("/login", data=data).status_code == 401
        _password_step(client, admin)
        for _ in range(2):
            assert client.post("/login/code", data={"code": "000000"}).status_code == 401
        # Five failures this minute, passwords and codes together: the right code waits too.
        blocked = client.post("/login/code", data={"code": current_code(admin)})
        assert blocked.status_code == 429
        assert (
            client.post("/login", data={"email": admin.email, "password": PASSWORD}).status_code
            == 429
        )

    def test_wrong_codes_on_her_own_pages_count_too(self, client, login_as):
        login_as("admin")
        for _ in range(5):
            data = {"new-code": "000000"}
            assert client.post("/account/two-factor/recovery-codes", data=data).status_code == 400
        assert client.post("/account/two-factor/off", data={"off-code": "0"}).status_code == 429


def test_the_admin_resets_a_second_factor_and_ends_her_sessions(app, client, login_as, make_user):
    login_as("admin")
    partner = make_user("clinic_partner")
    theirs = app.test_client()
    assert sign_in(theirs, partner).status_code == 302
    assert theirs.get("/clinic/today").status_code == 200
    page = client.get(f"/admin/users/{partner.id}").get_data(as_text=True)
    assert "Reset two-factor sign-in" in page
    assert client.post(f"/admin/users/{partner.id}/two-factor/reset").status_code == 302
    assert theirs.get("/clinic/today").headers["Location"].startswith("/login")
    db.session.refresh(partner)
    assert not partner.two_factor_on and "user.mfa_reset" in _actions(partner)
    # At her next sign-in she enrols again before anything else.
    again = app.test_client()
    assert sign_in(again, partner).headers["Location"] == "/"
    assert _to_enrolment(again.get("/clinic/today"))


def test_only_admins_reset_and_not_their_own(client, login_as, make_user):
    me = login_as("admin")
    response = client.post(f"/admin/users/{me.id}/two-factor/reset", follow_redirects=True)
    assert "Ask another admin" in response.get_data(as_text=True)
    db.session.refresh(me)
    assert me.two_factor_on
    other = make_user("peer_educator", two_factor=True)
    client.post("/logout")
    sign_in(client, other)
    assert client.post(f"/admin/users/{me.id}/two-factor/reset").status_code == 403


def test_a_peer_educator_may_enrol_and_turn_it_off(client, login_as):
    educator = login_as("peer_educator")
    assert client.get("/members").status_code == 200  # optional for her
    _enrol(client, educator)
    db.session.refresh(educator)
    refused = client.post("/account/two-factor/off", data={"off-code": "000000"})
    assert refused.status_code == 400 and "not right" in refused.get_data(as_text=True)
    db.session.refresh(educator)
    assert educator.two_factor_on
    educator.totp_last_step = None  # half a minute later: the app shows a new code
    db.session.commit()
    code = pyotp.TOTP(educator.totp_secret).now()
    assert client.post("/account/two-factor/off", data={"off-code": code}).status_code == 302
    db.session.refresh(educator)
    assert not educator.two_factor_on and "user.mfa_off" in _actions(educator)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(RecoveryCode)) == 0


def test_an_admin_cannot_turn_it_off(client, login_as):
    admin = login_as("admin")
    admin.totp_last_step = None
    db.session.commit()
    code = pyotp.TOTP(TOTP_SECRET).now()
    client.post("/account/two-factor/off", data={"off-code": code})
    db.session.refresh(admin)
    assert admin.two_factor_on


def test_codes_are_read_in_any_digits_with_spaces():
    assert normalise_code("১২৩ ৪৫৬") == "123456"
    assert normalise_code("1234-5678 9012 3456") == "1234567890123456"
    assert normalise_code("12a456") is None
    assert normalise_code("") is None
    assert normalise_code(None) is None


def test_a_code_from_the_wrong_time_is_refused(make_user):
    from accounts.two_factor import check_code

    admin = make_user("admin")
    totp = pyotp.TOTP(TOTP_SECRET)
    old = totp.at(utcnow().timestamp() - 120)
    with pytest.raises(Exception, match="not right"):
        check_code(admin, old)
    db.session.rollback()


def test_the_command_line_resets_the_only_admins_second_factor(app, client, login_as, runner):
    admin = login_as("admin")
    result = runner.invoke(args=["users", "reset-two-factor", admin.email])
    assert result.exit_code == 0, result.output
    assert client.get("/admin").headers["Location"].startswith("/login")
    db.session.refresh(admin)
    assert not admin.two_factor_on and "user.mfa_reset" in _actions(admin)
    assert runner.invoke(args=["users", "reset-two-factor", "nobody@example.org"]).exit_code != 0


def test_seed_demo_enrols_the_admin_and_the_clinic_partner_and_prints_their_secrets(runner):
    first = runner.invoke(args=["seed-demo"])
    assert first.exit_code == 0, first.output
    secrets = dict(re.findall(r"TOTP secret of (\S+@\S+): ([A-Z2-7]+)", first.output))
    assert set(secrets) == {"admin@demo.harc", "clinic@demo.harc"}
    for email, secret in secrets.items():
        user = db.session.scalar(sa.select(User).where(User.email == email))
        assert user.two_factor_on and user.totp_secret == secret
    again = runner.invoke(args=["seed-demo"])
    assert dict(re.findall(r"TOTP secret of (\S+@\S+): ([A-Z2-7]+)", again.output)) == secrets


def test_the_users_page_shows_who_has_not_set_up_two_factor_sign_in(client, login_as, make_user):
    login_as("admin")
    make_user("clinic_partner", two_factor=False)
    page = client.get("/admin/users").get_data(as_text=True)
    assert page.count("must set up two-factor sign-in") == 1
    assert page.count(">two-factor sign-in<") == 1
