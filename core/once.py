"""One action, one effect for page forms: every state-changing POST form carries a one-time token.

`once_field()` (a Jinja global) renders a hidden `_once` input beside the CSRF token. Before the
view runs, the token is claimed: a row keyed by its SHA-256, inserted and committed in its own
short transaction, so a second request with the same token (a double click, a resent POST, back
and submit again) finds the row. After the view, a redirect records where it led (the row then
answers every resubmission: a flash "This was already saved." and the same redirect, nothing
changed); a form shown again (a validation error, a refusal flashed as an error) releases the
token so that she can fix the form and send it again. static/js/once.js puts the token used
back into a form re-fetched by the back button (pages are `no-store`, so the server renders a
fresh one). Rows are scoped to the user and purged after 24 hours (core.retention).

Exempt (no token needed, see EXEMPT): signing in (there is no user yet, and a second sign-in
changes nothing), signing out, the quick exit and the seized-phone lock (never put anything in
the way of leaving or locking), the language switch (choosing a language twice is choosing it
once) and the searches, which only read (they are POSTs to keep a phone number out of the URL).
The API and the webhooks have their own rules (Idempotency-Key; callbacks' own ids).
"""

from __future__ import annotations

import hashlib
import re
import secrets
import time
from datetime import datetime, timedelta
from urllib.parse import urlsplit

import sqlalchemy as sa
from flask import (
    Flask,
    flash,
    g,
    has_request_context,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, mapped_column
from werkzeug.wrappers import Response

from core import db as core_db
from core.db import UTCDateTime, rowcount
from core.extensions import Model, db, login_manager

FIELD = "_once"
TOKEN_TEXT = re.compile(r"[A-Za-z0-9_-]{20,64}")
KEEP = timedelta(hours=24)  # a token answers resubmissions this long, then retention purges it
STALE = timedelta(seconds=60)  # a claim with no answer this old: its request died
WAIT_SECONDS = 3.0  # a double click waits this long for the first request's answer
REDIRECTS = frozenset({301, 302, 303, 307, 308})
EXEMPT = frozenset(
    {
        "accounts.login",
        "accounts.logout",
        "core.set_language",
        "accounts.quick_exit",
        "core.lock",
        "referrals.search",
        "referrals.new_find",
        "referrals.clinic_find",
    }
)
EXEMPT_PATHS = ("/exit", "/lock", "/api/", "/webhooks/")


class FormToken(Model):
    """A one-time form token that was used: its hash, its user and where its answer led."""

    __tablename__ = "form_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    user_id: Mapped[int | None] = mapped_column(sa.Integer)
    location: Mapped[str | None] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)


def new_token() -> str:
    """A fresh random token (32 URL-safe characters)."""
    return secrets.token_urlsafe(24)


def once_field() -> Markup:
    """The hidden `_once` input of a POST form (a Jinja global); the page's first also loads
    static/js/once.js, which gives a form re-fetched by the back button its sent token back."""
    field = Markup('<input type="hidden" name="%s" value="%s">') % (FIELD, new_token())
    if not has_request_context() or g.get("once_script"):
        return field
    g.once_script = True
    script = url_for("static", filename="js/once.js")
    return field + Markup('<script src="%s" defer></script>') % script


def token_hash(token: str) -> str:
    """How a token is stored: its SHA-256, in hex."""
    return hashlib.sha256(token.encode("ascii")).hexdigest()


def applies() -> bool:
    """Whether this request is a page POST that needs a token."""
    return (
        request.method == "POST"
        and request.endpoint is not None
        and request.endpoint not in EXEMPT
        and not request.path.startswith(EXEMPT_PATHS)
    )


def _user_id() -> int | None:
    return int(current_user.id) if current_user and current_user.is_authenticated else None


def _required(app: Flask) -> bool:
    """A POST without a token is refused unless FORM_TOKENS_REQUIRED is off (by default it is on
    outside tests, whose clients post without reading the page first)."""
    return bool(app.config.get("FORM_TOKENS_REQUIRED", not app.testing))


# ---- the claim ------------------------------------------------------------------------------


def _insert(digest: str, user_id: int | None) -> bool:
    """Claim the token in a transaction of its own; False when it is already claimed."""
    db.session.rollback()  # nothing of the request's own is pending yet
    try:
        db.session.execute(
            sa.insert(FormToken).values(
                token_hash=digest, user_id=user_id, created_at=core_db.utcnow()
            )
        )
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        return False
    return True


def _existing(digest: str) -> FormToken | None:
    db.session.rollback()  # a fresh snapshot: see what the other request committed
    row = db.session.scalar(sa.select(FormToken).where(FormToken.token_hash == digest))
    if row is not None:
        db.session.expunge(row)
    db.session.rollback()
    return row


def _take_over(row: FormToken) -> bool:
    """A claim whose request died (no answer after STALE) is taken over, by one request only."""
    now = core_db.utcnow()
    if row.location is not None or row.created_at > now - STALE:
        return False
    taken = rowcount(
        db.session.execute(
            sa.update(FormToken)
            .where(FormToken.id == row.id, FormToken.created_at == row.created_at)
            .where(FormToken.location.is_(None))
            .values(created_at=now)
        )
    )
    db.session.commit()
    return taken == 1


def _replay(location: str) -> Response:
    flash(_("This was already saved."), "info")
    return redirect(location, 303)


def _refuse(status: int, detail: str) -> tuple[str, int]:
    return render_template("core/error.html", status=status, detail=detail, message=detail), status


def _out_of_date() -> tuple[str, int]:
    return _refuse(
        400, _("This form is out of date. Go back, reload the page and fill it in again.")
    )


def claim(app: Flask) -> Response | tuple[str, int] | None:
    """before_request: claim the request's form token, or answer for the first submission."""
    if not applies():
        return None
    token = request.form.get(FIELD, "")
    if not TOKEN_TEXT.fullmatch(token):
        return _out_of_date() if token or _required(app) else None
    digest, user_id = token_hash(token), _user_id()
    deadline = time.monotonic() + WAIT_SECONDS
    while not _insert(digest, user_id):
        row = _existing(digest)
        if row is not None and row.user_id != user_id:
            return _out_of_date()
        if row is not None and row.location is not None:
            return _replay(row.location)
        if row is not None and _take_over(row):
            break
        if row is not None and time.monotonic() >= deadline:
            return _refuse(
                409, _("This is still being saved. Wait a moment, then open the page again.")
            )
        time.sleep(0.1)
    g.once_token = digest
    g.once_flashes = len(session.get("_flashes", []))
    return None


# ---- after the view -------------------------------------------------------------------------


def _refused(response: Response) -> bool:
    """Whether the view changed nothing and she may send again: it flashed an error, or sent
    her to sign in (her session had ended)."""
    new = session.get("_flashes", [])[g.get("once_flashes", 0) :]
    if any(category == "error" for category, _message in new):
        return True
    login = login_manager.login_view
    return bool(login) and urlsplit(response.location or "").path == url_for(str(login))


def release(digest: str) -> None:
    """Free a claimed token (its request changed nothing)."""
    db.session.rollback()
    db.session.execute(sa.delete(FormToken).where(FormToken.token_hash == digest))
    db.session.commit()


def finish(response: Response) -> Response:
    """after_request: a redirect keeps the token with its location; anything else frees it."""
    digest = g.pop("once_token", None)
    if digest is None:
        return response
    if response.status_code in REDIRECTS and response.location and not _refused(response):
        db.session.rollback()
        db.session.execute(
            sa.update(FormToken)
            .where(FormToken.token_hash == digest)
            .values(location=response.location)
        )
        db.session.commit()
    else:
        release(digest)
    return response


def teardown(exc: BaseException | None) -> None:
    """teardown_request: a request that died before its answer frees its token."""
    digest = g.pop("once_token", None)
    if digest is not None:
        release(digest)


def purge(now: datetime) -> int:
    """Delete tokens older than KEEP; returns how many (the caller commits)."""
    return rowcount(
        db.session.execute(sa.delete(FormToken).where(FormToken.created_at < now - KEEP))
    )


def install_once(app: Flask) -> None:
    """The Jinja global, the claim before every view, the answer after it, and the retention
    step that purges form tokens and Idempotency-Keys (core.idempotency's table too)."""
    from core import idempotency  # noqa: F401 - its table
    from core.registry import registry
    from core.retention import purge_replay_records

    registry(app).add_retention_step("form tokens and idempotency keys", purge_replay_records)
    app.jinja_env.globals["once_field"] = once_field
    app.before_request(lambda: claim(app))
    app.after_request(finish)
    app.teardown_request(teardown)
