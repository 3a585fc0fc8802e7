"""The seized-phone lock: her lock phrase on the lock page (no sign-in), a colleague peer
educator's lock, and only an admin unlocking."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from accounts import tokens
from core.audit import AuditEvent
from core.extensions import db
from tests.support.db import PASSWORD, csrf_token_from
from tests.support.signin import sign_in

PHRASE = "mango rain on the tin roof"


def _bearer(user) -> dict:
    token = tokens.issue_token(user)
    db.session.commit()
    return {"Authorization": f"Bearer {token}"}


def _set_phrase(client, phrase: str = PHRASE):
    data = {"current_password": PASSWORD, "phrase": phrase}
    return client.post("/account/lock-phrase", data=data)


def _lock(client, email: str, phrase: str):
    return client.post("/lock", data={"email": email, "phrase": phrase}, follow_redirects=True)


def _events(user, action: str) -> list[AuditEvent]:
    query = sa.select(AuditEvent).where(
        AuditEvent.entity_id == str(user.id), AuditEvent.action == action
    )
    return list(db.session.scalars(query))


def test_the_lock_ends_a_session_in_another_browser_and_her_token(app, client, login_as):
    educator = login_as("peer_educator")
    assert _set_phrase(client).status_code == 302
    headers = _bearer(educator)
    assert client.get("/api/v1/me", headers=headers).status_code == 200
    stranger = app.test_client()  # any phone, nobody signed in
    assert stranger.get("/lock").status_code == 200
    answer = _lock(stranger, educator.email.upper(), "  Mango RAIN on the tin roof ")
    assert answer.status_code == 200
    assert client.get("/members").headers["Location"].startswith("/login")
    assert client.get("/api/v1/me", headers=headers).status_code == 401
    db.session.refresh(educator)
    assert educator.locked_at is not None
    assert _events(educator, "user.lock")[0].details == {"by": "lock_phrase"}
    signin = client.post("/login", data={"email": educator.email, "password": PASSWORD})
    assert signin.status_code == 401


def test_the_answer_does_not_reveal_whether_the_email_exists(app, client, make_user):
    with_phrase = make_user("peer_educator")
    sign_in(client, with_phrase)
    _set_phrase(client)
    client.post("/logout")
    without = make_user("peer_educator")
    answers = set()
    for email, phrase in (
        ("nobody-here@example.org", PHRASE),
        (with_phrase.email, "a wrong phrase entirely"),
        (without.email, PHRASE),
        (with_phrase.email, PHRASE),
    ):
        response = _lock(app.test_client(), email, phrase)
        assert response.status_code == 200
        main = response.get_data(as_text=True).split("<main>")[1]
        answers.add(re.sub(r'name="_once" value="[^"]+"', "", main))  # a fresh token each time
    assert len(answers) == 1
    db.session.refresh(with_phrase)
    db.session.refresh(without)
    assert with_phrase.locked_at is not None and without.locked_at is None


def test_a_lock_phrase_is_long_enough_and_asks_for_the_password(client, login_as):
    educator = login_as("peer_educator")
    assert _set_phrase(client, "two words").status_code == 400
    wrong = client.post(
        "/account/lock-phrase", data={"current_password": "nope-nope-1", "phrase": PHRASE}
    )
    assert wrong.status_code == 400
    db.session.refresh(educator)
    assert educator.lock_phrase_hash is None
    assert _set_phrase(client, "ঘর বাড়ি নদী").status_code == 302  # three Bangla words
    db.session.refresh(educator)
    assert educator.lock_phrase_hash.startswith("$argon2")
    assert "ঘর" not in educator.lock_phrase_hash


def test_a_peer_educator_locks_a_colleague_but_cannot_unlock(app, client, login_as, make_user):
    colleague = make_user("peer_educator")
    theirs = app.test_client()
    sign_in(theirs, colleague)
    headers = _bearer(colleague)
    me = login_as("peer_educator")
    assert "Lock a colleague" in client.get("/account").get_data(as_text=True)
    response = client.post("/account/lock-colleague", data={"email": colleague.email})
    assert response.status_code == 302
    assert theirs.get("/members").headers["Location"].startswith("/login")
    assert theirs.get("/api/v1/me", headers=headers).status_code == 401
    event = _events(colleague, "user.lock")[0]
    assert event.details == {"by": "colleague"} and event.actor_id == me.id
    assert client.post(f"/admin/users/{colleague.id}/unlock").status_code == 403
    db.session.refresh(colleague)
    assert colleague.locked_at is not None


def test_a_colleague_lock_touches_only_peer_educators(client, login_as, make_user):
    admin = make_user("admin")
    login_as("peer_educator")
    client.post("/account/lock-colleague", data={"email": admin.email})
    db.session.refresh(admin)
    assert admin.locked_at is None


@pytest.mark.parametrize("role", ["clinic_partner", "viewer", "admin"])
def test_other_roles_cannot_use_the_colleague_lock(client, login_as, make_user, role):
    educator = make_user("peer_educator")
    login_as(role)
    assert client.get("/account/lock-colleague").status_code == 403
    assert client.post("/account/lock-colleague", data={"email": educator.email}).status_code == 403
    db.session.refresh(educator)
    assert educator.locked_at is None


class TestLockPageLimitsAndCsrf:
    @pytest.fixture
    def app_config(self, app_config):
        app_config["RATELIMIT_ENABLED"] = True
        app_config["WTF_CSRF_ENABLED"] = True
        return app_config

    def test_csrf_is_on_and_attempts_are_limited_per_account(self, app, client, make_user):
        educator = make_user("peer_educator")
        assert (
            client.post("/lock", data={"email": educator.email, "phrase": PHRASE}).status_code
            == 400
        )
        token = csrf_token_from(client.get("/lock").get_data(as_text=True))
        data = {"email": educator.email, "phrase": "not it at all", "csrf_token": token}
        for _ in range(10):
            assert client.post("/lock", data=data).status_code == 302
        assert client.post("/lock", data=data).status_code == 429
        other = {**data, "email": "someone-else@example.org"}
        assert client.post("/lock", data=other).status_code == 302
