"""Field encryption (MultiFernet over DATA_KEYS) and the HMAC blind index over INDEX_KEY."""

from __future__ import annotations

import hashlib
import hmac
from typing import Any

import sqlalchemy as sa
from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from flask import current_app


def _fernet() -> MultiFernet:
    state = current_app.extensions.get("harc_crypto")
    if state is None:
        keys = current_app.config["DATA_KEYS"]
        state = MultiFernet([Fernet(k.encode() if isinstance(k, str) else k) for k in keys])
        current_app.extensions["harc_crypto"] = state
    return state


def encrypt(plaintext: str) -> str:
    """Encrypt text under the first of DATA_KEYS."""
    return _fernet().encrypt(plaintext.encode("utf-8")).decode("ascii")


def decrypt(token: str) -> str:
    """Decrypt text encrypted under any of DATA_KEYS."""
    try:
        return _fernet().decrypt(token.encode("ascii")).decode("utf-8")
    except InvalidToken as exc:
        raise RuntimeError("a field could not be decrypted: is a DATA_KEYS key missing?") from exc


def rotate_token(token: str) -> str:
    """Re-encrypt a token under the first key (MultiFernet.rotate)."""
    return _fernet().rotate(token.encode("ascii")).decode("ascii")


def blind_index(value: str) -> str:
    """A keyed hash to find a value (a phone number) without storing it in clear."""
    key = current_app.config["INDEX_KEY"].encode("utf-8")
    return hmac.new(key, value.encode("utf-8"), hashlib.sha256).hexdigest()


class EncryptedText(sa.types.TypeDecorator):
    """Text encrypted at rest; the database only ever sees Fernet tokens."""

    impl = sa.Text
    cache_ok = True

    def process_bind_param(self, value: str | None, dialect: Any) -> str | None:
        return None if value is None else encrypt(value)

    def process_result_value(self, value: str | None, dialect: Any) -> str | None:
        return None if value is None else decrypt(value)


def encrypted_columns(metadata: sa.MetaData) -> list[tuple[sa.Table, sa.Column]]:
    """Every (table, column) whose type is EncryptedText."""
    return [
        (table, column)
        for table in metadata.sorted_tables
        for column in table.columns
        if isinstance(column.type, EncryptedText)
    ]


def rotate_all(session: Any, metadata: sa.MetaData, batch: int = 500) -> int:
    """Re-encrypt every encrypted column under the first key; returns how many values changed."""
    changed = 0
    for table, column in encrypted_columns(metadata):
        pk = next(iter(table.primary_key.columns))
        raw = sa.type_coerce(column, sa.Text())
        last = None
        while True:
            query = sa.select(pk, raw).where(column.is_not(None)).order_by(pk).limit(batch)
            if last is not None:
                query = query.where(pk > last)
            rows = session.execute(query).all()
            if not rows:
                break
            for key, token in rows:
                session.execute(
                    sa.update(table)
                    .where(pk == key)
                    .values({column.name: sa.type_coerce(rotate_token(token), sa.Text())})
                )
                changed += 1
            last = rows[-1][0]
    return changed
