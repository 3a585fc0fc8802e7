"""Start-up checks of the accounts package."""

from __future__ import annotations

import logging

import sqlalchemy as sa
from flask import Flask

from accounts.models import User
from core.extensions import db
from core.security import ADMIN

log = logging.getLogger(__name__)

NO_ADMIN_HINT = (
    "No active admin exists, so nobody can sign in to manage this service. Create one with: "
    "flask --app wsgi users create --email E --role admin"
)


def warn_if_no_admin(app: Flask) -> None:
    """Log a WARNING with the command to run when no active, unlocked admin exists.

    A database not yet migrated says nothing: `flask db upgrade` starts the app too."""
    with app.app_context():
        try:
            count = db.session.scalar(
                sa.select(sa.func.count())
                .select_from(User)
                .where(User.role == ADMIN, User.active.is_(True), User.locked_at.is_(None))
            )
        except sa.exc.SQLAlchemyError:
            db.session.rollback()
            return
    if not count:
        log.warning(NO_ADMIN_HINT)
