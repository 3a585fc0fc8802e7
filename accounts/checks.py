"""Start-up checks of the accounts package."""

from __future__ import annotations

import logging

import sqlalchemy as sa
from flask import Flask

from accounts.services import usable_admin_count
from core.extensions import db

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
            count = usable_admin_count()
        except sa.exc.SQLAlchemyError:
            db.session.rollback()
            return
    if not count:
        log.warning(NO_ADMIN_HINT)
