"""Encrypted columns, the blind index and key rotation."""

import sqlalchemy as sa
from cryptography.fernet import Fernet

from core import create_app
from core.crypto import blind_index, decrypt, encrypt
from core.extensions import db
from notifications.models import Contact


def test_encrypted_column_holds_no_plaintext(app):
    db.session.add(Contact(phone="+8801712345678", phone_index=blind_index("+8801712345678")))
    db.session.commit()
    raw = db.session.execute(sa.text("SELECT phone, phone_index FROM contacts")).one()
    assert "1712345678" not in raw.phone
    assert "1712345678" not in raw.phone_index
    assert db.session.scalar(sa.select(Contact.phone)) == "+8801712345678"


def test_blind_index_depends_on_the_key(app_config):
    first = create_app(app_config)
    with first.app_context():
        a = blind_index("+8801712345678")
        assert a == blind_index("+8801712345678")
    app_config["INDEX_KEY"] = "another-index-key"
    with create_app(app_config).app_context():
        assert blind_index("+8801712345678") != a


def test_keys_rotate_reencrypts_everything_under_the_first_key(app, app_config):
    old = app_config["DATA_KEYS"]
    for n in range(7):
        db.session.add(Contact(phone=f"+88017123456{n:02d}"))
    db.session.commit()
    old_token = encrypt("x")
    new = Fernet.generate_key().decode()
    app_config["DATA_KEYS"] = f"{new},{old}"
    rotated = create_app(app_config)
    with rotated.app_context():
        result = rotated.test_cli_runner().invoke(args=["keys", "rotate"])
    assert result.exit_code == 0, result.output
    assert "re-encrypted 7 values" in result.output
    app_config["DATA_KEYS"] = new  # the old key is gone: everything must still read
    with create_app(app_config).app_context():
        phones = sorted(db.session.scalars(sa.select(Contact.phone)))
        assert phones == [f"+88017123456{n:02d}" for n in range(7)]
        tokens = db.session.scalars(sa.text("SELECT phone FROM contacts")).all()
        assert all(Fernet(new.encode()).decrypt(t.encode()) for t in tokens)
    with rotated.app_context():
        assert decrypt(old_token) == "x"  # rotation period: both keys read
