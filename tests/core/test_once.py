"""One-time form tokens (core/once.py): a resubmitted form changes nothing and answers as the
first submission did; a form shown again frees its token; a POST without one is refused."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from core import once
from core.db import utcnow
from core.extensions import db
from core.once import FormToken, token_hash
from core.retention import purge_all

REGISTER = "/referrals/new/register"


@pytest.fixture
def app_config(app_config):
    app_config["FORM_TOKENS_REQUIRED"] = True  # as in production
    return app_config


def _members() -> int:
    from referrals.models import Member

    return db.session.scalar(sa.select(sa.func.count()).select_from(Member)) or 0


def _token(client, path: str = "/referrals/new") -> str:
    """The one-time token of the last POST form on a page, as the browser would send it."""
    html = client.get(path).get_data(as_text=True)
    tokens = re.findall(r'name="_once" value="([^"]+)"', html)
    assert tokens, f"no one-time token on {path}"
    return tokens[-1]


def _register(client, token: str | None, phone: str = "01712345678"):
    data = {"phone": phone, "language": "bn", "sms_consent": "y"}
    if token is not None:
        data["_once"] = token
    return client.post(REGISTER, data=data)


def test_the_same_form_sent_twice_registers_one_member_and_answers_as_the_first(client, login_as):
    login_as("peer_educator")
    token = _token(client)
    first = _register(client, token)
    assert first.status_code == 302, first.get_data(as_text=True)
    again = _register(client, token)
    assert again.status_code == 303
    assert again.headers["Location"] == first.headers["Location"]
    assert _members() == 1
    page = client.get(again.headers["Location"]).get_data(as_text=True)
    assert "This was already saved." in page


def test_the_flash_is_in_her_language(client, login_as):
    login_as("peer_educator", language="bn")
    token = _token(client)
    _register(client, token)
    again = _register(client, token)
    page = client.get(again.headers["Location"]).get_data(as_text=True)
    assert "এটি আগেই সংরক্ষণ করা হয়েছে।" in page
    assert "This was already saved." not in page


def test_a_form_shown_again_with_an_error_frees_its_token(client, login_as):
    login_as("peer_educator")
    token = _token(client)
    shown = _register(client, token, phone="0" * 40)  # too long: the form comes back
    assert shown.status_code == 200
    assert db.session.scalar(sa.select(sa.func.count()).select_from(FormToken)) == 0
    fixed = _register(client, token)
    assert fixed.status_code == 302
    assert _members() == 1


def test_a_post_without_a_token_is_refused_with_a_page_that_says_why(client, login_as):
    login_as("peer_educator")
    refused = _register(client, None)
    assert refused.status_code == 400
    assert "This form is out of date." in refused.get_data(as_text=True)
    assert _members() == 0
    assert _register(client, "not a token").status_code == 400


def test_sign_in_sign_out_and_the_language_switch_need_no_token(client, make_user):
    from tests.support.db import PASSWORD

    user = make_user("peer_educator")
    assert (
        client.post("/login", data={"email": user.email, "password": PASSWORD}).status_code == 302
    )
    assert client.post("/language", data={"lang": "bn", "next": "/"}).status_code == 302
    assert client.post("/logout").status_code == 302


def test_a_token_is_the_user_s_own(client, login_as):
    login_as("peer_educator")
    token = _token(client)
    _register(client, token)
    client.post("/logout")
    login_as("peer_educator")
    other = _register(client, token, phone="01712345679")
    assert other.status_code == 400
    assert _members() == 1


def test_a_second_click_while_the_first_is_saving_is_told_so(client, login_as, monkeypatch):
    user = login_as("peer_educator")
    token = "a" * 32
    db.session.add(FormToken(token_hash=token_hash(token), user_id=user.id, created_at=utcnow()))
    db.session.commit()
    monkeypatch.setattr(once, "WAIT_SECONDS", 0.2)
    busy = _register(client, token)
    assert busy.status_code == 409
    assert "This is still being saved." in busy.get_data(as_text=True)
    assert _members() == 0


def test_a_claim_whose_request_died_is_free_after_a_minute(client, login_as):
    user = login_as("peer_educator")
    token = "b" * 32
    old = utcnow() - timedelta(seconds=61)
    db.session.add(FormToken(token_hash=token_hash(token), user_id=user.id, created_at=old))
    db.session.commit()
    assert _register(client, token).status_code == 302
    assert _members() == 1


def test_a_refusal_flashed_as_an_error_frees_the_token(client, login_as):
    """A view that says no with an error flash and a redirect changed nothing: she may retry."""
    from referrals.services import members

    pe = login_as("peer_educator")
    member = members.register_member(actor=pe, phone="01712345600", language="bn")
    db.session.commit()
    page = f"/members/{member.id}"
    token = _token(client, page)
    # A language the form does not offer: "Check the form." and back to her page, nothing saved.
    url = f"/members/{member.id}/preferences"
    refused = client.post(url, data={"language": "xx", "_once": token})
    assert refused.status_code == 302
    assert db.session.scalar(sa.select(sa.func.count()).select_from(FormToken)) == 0
    # Corrected, the same form (the same token) is taken.
    assert client.post(url, data={"language": "en", "_once": token}).status_code == 302
    kept = db.session.scalars(sa.select(FormToken.location)).all()
    assert kept == [f"/members/{member.id}"]
    again = client.post(url, data={"language": "en", "_once": token})
    assert again.status_code == 303


def test_tokens_are_stored_hashed_and_purged_after_a_day(client, login_as):
    login_as("peer_educator")
    token = _token(client)
    _register(client, token)
    stored = db.session.scalars(sa.select(FormToken.token_hash)).all()
    assert stored == [token_hash(token)] and token not in stored
    results = dict(purge_all(utcnow() + timedelta(hours=23)))
    assert results["form tokens and idempotency keys"]["form_tokens"] == 0
    results = dict(purge_all(utcnow() + timedelta(hours=25)))
    assert results["form tokens and idempotency keys"]["form_tokens"] == 1
    assert db.session.scalar(sa.select(sa.func.count()).select_from(FormToken)) == 0


def test_a_form_sent_after_her_session_ended_leaves_its_token_free(client, login_as):
    login_as("peer_educator")
    token = _token(client)
    client.post("/logout")
    to_sign_in = _register(client, token)
    assert to_sign_in.status_code == 302 and "/login" in to_sign_in.headers["Location"]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(FormToken)) == 0


def test_a_double_click_acts_once_and_both_answers_lead_to_the_same_page(
    app, client, login_as, database_url
):
    """Two requests with one token at the same moment (PostgreSQL: real concurrent writers)."""
    import threading

    if not database_url.startswith("postgresql"):
        pytest.skip("a real race needs PostgreSQL's concurrent writers")
    login_as("peer_educator")
    token = _token(client)
    cookie = client.get_cookie("harc_session")
    assert cookie is not None
    barrier = threading.Barrier(2)
    answers: list = []

    def click() -> None:
        with app.test_client() as own:
            own.set_cookie("harc_session", cookie.value)
            barrier.wait()
            r = _register(own, token)
            answers.append((r.status_code, r.headers.get("Location")))

    threads = [threading.Thread(target=click) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert sorted(status for status, _ in answers) == [302, 303], answers
    assert answers[0][1] == answers[1][1]
    assert _members() == 1
