"""Session rules: the user loader checks the session version, activity and the idle timeout."""

from __future__ import annotations

import time

from flask import current_app, session

from accounts.models import User
from core.extensions import db


def load_user(session_user_id: str) -> User | None:
    """Flask-Login's loader: the id carries the session version; old versions and idle or
    deactivated users sign out at their next request."""
    user_id, _, version = session_user_id.partition(":")
    if not user_id.isdigit() or not version.isdigit():
        return None
    now = time.time()
    last_seen = session.get("seen")
    if (
        last_seen is not None
        and now - float(last_seen) > current_app.config["PERMANENT_SESSION_LIFETIME"]
    ):
        session.clear()
        return None
    user = db.session.get(User, int(user_id))
    if user is None or not user.active or user.session_version != int(version):
        session.clear()
        return None
    session["seen"] = int(now)
    return user
