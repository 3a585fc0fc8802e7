"""Accounts: users, roles, sign-in, sessions, API tokens and the lock.

Depends on core and (for a clinic partner's clinic) clinics; never on referrals, notifications or
safety. It fills core's hooks: Flask-Login's user loader (sessions checked server-side) and the
registry's bearer-token loader, so core's API authentication never imports accounts. It gives
notifications the peer educators' names as a `NameSource` in the registry.
"""

from __future__ import annotations

import sqlalchemy as sa
from flask import Flask


def init_app(app: Flask) -> None:
    """Register users and sessions: models, pages, API, command, the session and token loaders,
    the admin's home, the seed step, the retention step, the start-up check and the peer
    educators' names the SMS pages show."""
    from accounts import models  # noqa: F401 - users, sessions, tokens
    from accounts.api import routes as api_routes
    from accounts.checks import warn_if_no_admin
    from accounts.cli import users_cli
    from accounts.jobs import purge_old_sessions
    from accounts.models import User
    from accounts.routes import admin, bp, lock, two_factor  # noqa: F401 - they add pages to bp
    from accounts.seed import has_users, seed_users
    from accounts.services import user_for_token
    from accounts.sessions import load_user
    from core.extensions import login_manager
    from core.registry import NameSource, registry

    login_manager.user_loader(load_user)
    app.register_blueprint(bp)
    app.cli.add_command(users_cli)
    harc = registry(app)
    harc.token_loader = user_for_token
    harc.api_routes.append(api_routes)
    harc.role_homes["admin"] = "accounts.admin_home"
    harc.seed_steps.append(seed_users)
    harc.seed_guard = has_users
    harc.add_retention_step("sign-in sessions", purge_old_sessions)
    shown = sa.func.coalesce(sa.func.nullif(User.display_name, ""), User.email)
    by_role = User.role == "peer_educator"
    educators = NameSource(User.id, shown, by_role, (User.display_name, User.id))
    harc.name_sources["peer_educator"] = educators  # for the SMS log
    if app.config["APP_ENV"] == "production":
        harc.startup_checks.append(warn_if_no_admin)  # a fresh install: how to create an admin
