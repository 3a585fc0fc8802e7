"""The application factory: the one place that knows every package."""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask, current_app, has_request_context, request, session
from flask_babel import get_locale
from flask_login import current_user
from werkzeug.middleware.proxy_fix import ProxyFix

from core.config import load_config
from core.edge import install_edge
from core.extensions import babel, csrf, db, limiter, login_manager, migrate
from core.logging import install_phone_masking


def create_app(config: dict[str, Any] | None = None) -> Flask:
    """Build the app; `config` (tests) overrides the environment."""
    install_phone_masking()
    settings = load_config(config)
    app = Flask(
        __name__.split(".")[0],
        instance_path=settings["INSTANCE_PATH"],
        template_folder="../templates",
        static_folder="../static",
    )
    app.config.update(settings)
    if not logging.getLogger().handlers:
        logging.basicConfig(
            level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s"
        )
    if app.config["PROXY_HOPS"]:
        hops = app.config["PROXY_HOPS"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops, x_port=hops)
    install_edge(app)  # first: routes take its `int` converter, its check runs before any hook
    register_extensions(app)
    register_blueprints(app)
    register_commands(app)
    register_request_hooks(app)
    register_package_hooks()
    register_cross_package_hooks(app)
    _maybe_start_scheduler(app)
    if app.config["APP_ENV"] == "production":
        from accounts.checks import warn_if_no_admin

        warn_if_no_admin(app)  # a fresh install: say how to create the first admin
    return app


def register_package_hooks() -> None:
    """Import each package's `jobs` (scheduler ticks) and `health` (/healthz checks), if any."""
    import importlib
    import importlib.util

    for package in ("accounts", "clinics", "notifications", "referrals", "reports"):
        for module in ("jobs", "health"):
            if importlib.util.find_spec(f"{package}.{module}") is not None:
                importlib.import_module(f"{package}.{module}")


def register_cross_package_hooks(app: Flask) -> None:
    """Hooks a lower package offers and a higher one fills (DESIGN.md): clinic feedback names a
    member only within the caller's scope, which referrals (owner of members) decides."""
    from clinics.services.feedback import MEMBER_SCOPE
    from referrals.services.scope import may_name_member

    app.extensions[MEMBER_SCOPE] = may_name_member


def _maybe_start_scheduler(app: Flask) -> None:
    """`make run` runs the scheduler beside the development server: in the reloader's child only,
    so it starts once (gunicorn workers never start it: `flask scheduler run` is its process)."""
    import os

    if os.environ.get("HARC_RUN_SCHEDULER") != "1" or not app.config["SCHEDULER_ENABLED"]:
        return
    if os.environ.get("WERKZEUG_RUN_MAIN") != "true":
        return
    from core.scheduler import start_background

    start_background(app)


def register_extensions(app: Flask) -> None:
    """Bind every extension to this app."""
    import core.models_registry  # noqa: F401 - every model must be known before mappers configure

    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        app.config.setdefault("SQLALCHEMY_ENGINE_OPTIONS", {"connect_args": {"timeout": 30}})
    db.init_app(app)
    with app.app_context():
        if db.engine.dialect.name == "sqlite":
            from core.sqlite import enable_wal

            enable_wal(db.engine)
    migrate.init_app(app, db, render_as_batch=True, compare_type=True)
    csrf.init_app(app)
    limiter.init_app(app)
    babel.init_app(
        app, locale_selector=select_locale, timezone_selector=lambda: app.config["APP_TIMEZONE"]
    )
    login_manager.init_app(app)
    login_manager.login_view = "accounts.login"
    login_manager.session_protection = "basic"
    login_manager.login_message = None

    from accounts.sessions import load_user

    login_manager.user_loader(load_user)


def select_locale() -> str:
    """The signed-in user's language, else the session's choice, else the browser's."""
    if not has_request_context():
        return current_app.config["BABEL_DEFAULT_LOCALE"]  # CLI, jobs: English
    if current_user and current_user.is_authenticated:
        return current_user.language
    chosen = session.get("lang")
    if chosen in ("en", "bn"):
        return chosen
    return request.accept_languages.best_match(["bn", "en"]) or "bn"


def register_blueprints(app: Flask) -> None:
    """Pages, the API (each package adds its endpoints to one blueprint) and webhooks."""
    import accounts.api  # noqa: F401 - these modules add their endpoints to `api`
    import clinics.api  # noqa: F401
    import notifications.api  # noqa: F401
    import referrals.api  # noqa: F401
    import reports.api  # noqa: F401
    from accounts.routes import bp as accounts_bp
    from clinics.routes import bp as clinics_bp
    from core.api import api
    from core.health import bp as core_bp
    from notifications import inbound  # noqa: F401 - adds /webhooks/twilio/inbound
    from notifications.routes import bp as notifications_bp
    from notifications.webhooks import bp as webhooks_bp
    from referrals.routes import bp as referrals_bp
    from reports.routes import bp as reports_bp

    for blueprint in (core_bp, accounts_bp, clinics_bp, referrals_bp, notifications_bp, reports_bp):
        app.register_blueprint(blueprint)
    csrf.exempt(api)
    csrf.exempt(webhooks_bp)
    app.register_blueprint(api)
    app.register_blueprint(webhooks_bp)

    from core.errors import register_error_handlers
    from core.security import register_security_headers

    register_error_handlers(app)
    register_security_headers(app)


def register_commands(app: Flask) -> None:
    """The CLI of CONTRACT.md; each package contributes its own group."""
    from accounts.cli import users_cli
    from clinics.cli import clinics_cli
    from core.cli import keys_cli, retention_cli, scheduler_cli, seed_demo
    from notifications.cli import reminders_cli
    from referrals.cli import referrals_cli

    for command in (
        users_cli,
        clinics_cli,
        keys_cli,
        scheduler_cli,
        retention_cli,
        seed_demo,
        reminders_cli,
        referrals_cli,
    ):
        app.cli.add_command(command)


def register_request_hooks(app: Flask) -> None:
    """Template helpers shared by every page."""
    from core.security import can
    from core.templating import register_template_helpers

    register_template_helpers(app)

    from core.templating import ADMIN_LINKS

    endpoints = frozenset(app.view_functions)

    @app.context_processor
    def inject_helpers():
        return {
            "can": lambda permission: can(current_user, permission),
            "locale": str(get_locale()),
            "url_map_endpoints": endpoints,
            "admin_links": [(e, label) for e, label in ADMIN_LINKS if e in endpoints],
        }
