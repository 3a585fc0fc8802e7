"""`Idempotency-Key` on the API's creating POSTs (CONTRACT.md "Idempotency", the IETF draft).

The same key and body from the same user on the same path within 24 hours answers the first
response again (status and body, with `Idempotent-Replayed: true`) and creates nothing; the same
key with another body is a 422 `idempotency_mismatch`; while the first request is still running,
409 `idempotency_in_flight`, until 60 seconds have passed without an answer (its request died).
The claim is committed in a transaction of its own before the view runs; the answer is stored in
the view's transaction, so a created record and its stored answer commit together. Only 2xx
answers are kept, encrypted (they may hold a nickname or a UIC); anything else frees the key.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from flask import Response, current_app, request
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, mapped_column

from core import db as core_db
from core.crypto import EncryptedText
from core.db import UTCDateTime, rowcount
from core.errors import BadInput, Conflict, ValidationFailed
from core.extensions import Model, db
from core.i18n import N_

HEADER = "Idempotency-Key"
REPLAYED = "Idempotent-Replayed"
MAX_KEY = 255
KEEP = timedelta(hours=24)
STALE = timedelta(seconds=60)


class IdempotencyKey(Model):
    """One key of one user on one path: the body's hash and, once answered, the answer."""

    __tablename__ = "idempotency_keys"
    __table_args__ = (sa.UniqueConstraint("user_id", "path", "key_hash"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.Integer)
    path: Mapped[str] = mapped_column(sa.String(255))
    key_hash: Mapped[str] = mapped_column(sa.String(64))
    body_hash: Mapped[str] = mapped_column(sa.String(64))
    status: Mapped[int | None] = mapped_column(sa.Integer)
    response: Mapped[str | None] = mapped_column(EncryptedText)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    claimed_at: Mapped[datetime] = mapped_column(UTCDateTime)


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def body_hash(data: Any) -> str:
    """SHA-256 of the body's canonical JSON (sorted keys, no spaces, UTF-8)."""
    return _sha256(json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False))


def request_key() -> str | None:
    """The request's Idempotency-Key, None when absent; 400 when empty or too long."""
    if HEADER not in request.headers:
        return None
    key = request.headers[HEADER].strip()
    if not key or len(key) > MAX_KEY:
        raise BadInput(
            N_("%(header)s must be 1 to %(max)s characters."),
            code="bad_idempotency_key",
            params={"header": HEADER, "max": MAX_KEY},
            fields={HEADER: N_("Must be 1 to %(max)s characters.")},
        )
    return key


def _claim(user_id: int, path: str, key: str, digest: str) -> int | IdempotencyKey:
    """Insert the claim and commit it: its id when claimed, else the row that holds the key."""
    now = core_db.utcnow()
    key_hash = _sha256(key)
    db.session.rollback()
    try:
        claimed = db.session.scalar(
            sa.insert(IdempotencyKey)
            .values(
                user_id=user_id, path=path, key_hash=key_hash, body_hash=digest,
                created_at=now, claimed_at=now,
            )
            .returning(IdempotencyKey.id)
        )  # fmt: skip
        db.session.commit()
        assert claimed is not None
        return claimed
    except IntegrityError:
        db.session.rollback()
    row = db.session.scalar(
        sa.select(IdempotencyKey).where(
            IdempotencyKey.user_id == user_id,
            IdempotencyKey.path == path,
            IdempotencyKey.key_hash == key_hash,
        )
    )
    if row is not None:
        db.session.expunge(row)  # kept as read: the rollback below would expire it
    db.session.rollback()
    if row is None:  # freed in between
        return _claim(user_id, path, key, digest)
    if row.created_at <= now - KEEP or (row.status is None and row.claimed_at <= now - STALE):
        # Expired (not yet purged), or its request died: the first to move it takes the key.
        taken = rowcount(
            db.session.execute(
                sa.update(IdempotencyKey)
                .where(IdempotencyKey.id == row.id, IdempotencyKey.claimed_at == row.claimed_at)
                .values(
                    body_hash=digest, status=None, response=None, created_at=now, claimed_at=now
                )
            )
        )
        db.session.commit()
        if taken == 1:
            return row.id
        return _claim(user_id, path, key, digest)
    return row


def _answer(row: IdempotencyKey, digest: str) -> Response:
    """The stored answer of the first request, or why there is none to give."""
    if row.body_hash != digest:
        raise ValidationFailed(
            N_("This %(header)s was used with another body."),
            code="idempotency_mismatch",
            params={"header": HEADER},
        )
    if row.status is None or row.response is None:
        raise Conflict(
            N_("A request with this %(header)s is still in progress; try again shortly."),
            params={"header": HEADER},
            code="idempotency_in_flight",
        )
    response = current_app.response_class(row.response, row.status, mimetype="application/json")
    response.headers[REPLAYED] = "true"
    return response


def _free(row_id: int) -> None:
    db.session.rollback()
    db.session.execute(sa.delete(IdempotencyKey).where(IdempotencyKey.id == row_id))
    db.session.commit()


def run(user_id: int, view: Callable[[], Any]) -> Any:
    """Call `view` under the request's Idempotency-Key (if any), inside the view's transaction."""
    key = request_key()
    data = request.get_json(silent=True)
    if key is None or data is None:
        return view()  # no key, or a body the view refuses anyway
    digest = body_hash(data)
    row_id = _claim(user_id, request.path, key, digest)
    if isinstance(row_id, IdempotencyKey):
        return _answer(row_id, digest)  # the key is another request's
    try:
        response = current_app.make_response(view())
    except BaseException:
        _free(row_id)  # rolls the view's work back first
        raise
    if not 200 <= response.status_code < 300:
        _free(row_id)
        return response
    db.session.execute(
        sa.update(IdempotencyKey)
        .where(IdempotencyKey.id == row_id)
        .values(status=response.status_code, response=response.get_data(as_text=True))
    )  # committed with the view's work by its transaction
    return response


def purge(now: datetime) -> int:
    """Delete keys older than KEEP; returns how many (the caller commits)."""
    return rowcount(
        db.session.execute(sa.delete(IdempotencyKey).where(IdempotencyKey.created_at < now - KEEP))
    )
