"""Account rules: passwords, hashing, sign-in, tokens."""

import pytest

from accounts import services
from core.errors import Conflict, ValidationFailed
from core.extensions import db


def test_password_rules():
    assert services.password_problem("short") is not None
    assert services.password_problem("password1234") is not None  # in the common list
    assert services.password_problem("aaaaaaaaaaaa") is not None  # too few distinct characters
    assert services.password_problem("rina.secret.2026", "rina@example.org") is not None
    assert services.password_problem("tin-roof-mango-42") is None


def test_passwords_are_stored_as_argon2id(make_user):
    user = make_user("viewer")
    assert user.password_hash.startswith("$argon2id$")


def test_authenticate_checks_password_and_active(make_user):
    user = make_user("viewer", password="tin-roof-mango-42")
    assert services.authenticate(user.email.upper(), "tin-roof-mango-42") == user
    assert services.authenticate(user.email, "wrong-password-here") is None
    assert services.authenticate("nobody@example.org", "tin-roof-mango-42") is None
    services.set_active(user, False, actor=None)
    assert services.authenticate(user.email, "tin-roof-mango-42") is None


def test_clinic_partner_needs_a_clinic(app):
    with pytest.raises(ValidationFailed) as error:
        services.create_user(
            email="c@example.org", role="clinic_partner", password="tin-roof-mango-42"
        )
    assert "clinic_id" in error.value.fields


def test_duplicate_email_is_a_conflict(make_user):
    user = make_user("viewer")
    with pytest.raises(Conflict):
        services.create_user(email=user.email.upper(), role="viewer", password="tin-roof-mango-42")


def test_tokens_are_stored_hashed_and_die_with_the_user(make_user):
    from accounts.models import ApiToken

    user = make_user("admin")
    token = services.issue_token(user)
    db.session.commit()
    assert db.session.query(ApiToken).one().token_hash != token
    assert token not in db.session.query(ApiToken).one().token_hash
    assert services.user_for_token(token) == user
    services.set_active(user, False, actor=None)
    assert services.user_for_token(token) is None
    assert services.user_for_token("harc_forged") is None


def test_production_hasher_uses_recommended_argon2id_parameters(app):
    from accounts.services import _HASHERS

    hasher = _HASHERS["default"]
    assert hasher.type.name == "ID"
    assert hasher.memory_cost >= 19 * 1024 and hasher.time_cost >= 2
