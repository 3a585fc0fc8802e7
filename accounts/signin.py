"""The steps of signing in to the pages: the password, then (when she has one) the second factor.

Between the two steps the session holds only a short-lived marker "the password passed", bound to
the user's session version; she is not signed in until the code passes. Both steps share the same
failure counters (Flask-Limiter scopes): five failures a minute per account, a hundred an hour per
address, so a code cannot be guessed faster than a password.
"""

from __future__ import annotations

import time

from flask import redirect, request, session, url_for
from flask_login import current_user, login_user
from werkzeug.wrappers import Response

from accounts import services, sessions
from accounts.models import User
from core.extensions import db, limiter
from core.redirects import safe_next

PENDING_KEY = "password_passed"
PENDING_SECONDS = 5 * 60  # the code must follow the password within five minutes


def _failed(response: Response) -> bool:
    """Only failures count against the limits: a wrong password or code (401, or 400 on a
    signed-in page asking for a code again). A passed step redirects or shows its result."""
    return response.status_code in (400, 401)


def _account_key() -> str:
    if current_user.is_authenticated:  # a code asked again on a signed-in page
        return "account:" + current_user.email
    if request.endpoint == "accounts.login_code":
        user = pending_user()
        return "account:" + (user.email if user else "-")
    return "account:" + services.normalise_email(request.form.get("email", ""))


account_limit = limiter.shared_limit(
    "5/minute",
    scope="sign-in-account",
    key_func=_account_key,
    methods=["POST"],
    deduct_when=_failed,
)
address_limit = limiter.shared_limit(
    "100/hour", scope="sign-in-address", methods=["POST"], deduct_when=_failed
)


def _fresh_session() -> None:
    """A new session at each step (only the chosen language survives)."""
    lang = session.get("lang")
    session.clear()
    session.permanent = True
    if lang:
        session["lang"] = lang


def password_passed(user: User) -> Response:
    """After the password: sign in, or, when she has a second factor, ask for a code next."""
    if not user.two_factor_on:
        return complete(user)
    _fresh_session()
    session[PENDING_KEY] = {
        "user": user.id,
        "version": user.session_version,
        "at": int(time.time()),
    }
    db.session.commit()
    return redirect(url_for("accounts.login_code", next=request.args.get("next")))


def pending_user() -> User | None:
    """The user whose password passed in this session a moment ago, if she is still active and
    her session version has not moved since."""
    marker = session.get(PENDING_KEY)
    if not isinstance(marker, dict):
        return None
    user_id, version, at = marker.get("user"), marker.get("version"), marker.get("at")
    if not (isinstance(user_id, int) and isinstance(version, int) and isinstance(at, int)):
        return None
    if not 0 <= time.time() - at <= PENDING_SECONDS:
        return None
    user = db.session.get(User, user_id)
    if user is None or not user.is_active or user.session_version != version:
        return None
    return user


def complete(user: User) -> Response:
    """Sign her in: a fresh session recorded server-side; then where she was going."""
    _fresh_session()
    login_user(user, remember=False)
    session[sessions.SESSION_KEY] = sessions.start_session(user)
    db.session.commit()
    return redirect(safe_next(request.args.get("next"), url_for("core.home")))
