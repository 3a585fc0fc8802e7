"""The application factory: the one place that knows every package."""

from __future__ import annotations

import logging
from importlib import import_module
from typing import Any

from flask import Flask, current_app, has_request_context, request, session
from flask_babel import get_locale
from flask_login import current_user
from werkzeug.middleware.proxy_fix import ProxyFix

from core.assets import install_assets
from core.config import load_config
from core.edge import install_edge
from core.extensions import babel, csrf, db, limiter, login_manager, migrate
from core.logging import install_phone_masking
from core.registry import init_registry, registry

# The domain packages, in dependency order: each one's `init_app(app)` registers its models,
# pages, API endpoints, commands and periodic work. Seed steps, retention steps and admin links
# run in this order too (clinics before the users who work at them, before their members).
PACKAGES = ("clinics", "notifications", "accounts", "referrals", "safety", "reports")


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
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops, x_port=hops
        )
    install_edge(app)  # first: routes take its `int` converter, its check runs before any hook
    install_assets(app)  # hashed static URLs; its after-request hook runs after every other
    init_registry(app)
    register_extensions(app)
    register_core(app)
    for name in PACKAGES:
        import_module(name).init_app(app)
    register_api(app)
    register_template_context(app)
    for check in registry(app).startup_checks:
        check(app)
    _maybe_start_scheduler(app)
    return app


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
    """Bind every extension to this app (each package imports its own models in its init_app)."""
    import core.audit
    import core.scheduler  # noqa: F401 - core's tables (audit_events, scheduler_heartbeats)

    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        app.config.setdefault("SQLALCHEMY_ENGINE_OPTIONS", {"connect_args": {"timeout": 30}})
    else:
        # A server restart cuts every pooled connection: test each one as it is checked out,
        # so that an idle worker's next request reconnects instead of failing.
        app.config.setdefault("SQLALCHEMY_ENGINE_OPTIONS", {"pool_pre_ping": True})
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


def register_core(app: Flask) -> None:
    """core's own pages, error handlers, headers, commands and its daily retention job."""
    from core.cli import keys_cli, retention_cli, scheduler_cli, seed_demo
    from core.errors import register_error_handlers
    from core.health import bp as core_bp
    from core.labels import register_core_labels
    from core.once import install_once
    from core.scheduler import daily_retention
    from core.security import register_security_headers

    app.register_blueprint(core_bp)
    register_error_handlers(app)
    register_security_headers(app)
    install_once(app)  # one-time form tokens; Idempotency-Keys' table and their retention
    register_core_labels(app)
    for command in (keys_cli, scheduler_cli, retention_cli, seed_demo):
        app.cli.add_command(command)
    # Retention spans the packages (each adds its steps); looked at hourly, it purges once a day.
    registry(app).add_job("retention.daily", daily_retention, seconds=3600)


def register_api(app: Flask) -> None:
    """The JSON API: one blueprint holding every package's endpoints (CSRF does not apply)."""
    from core.api import build_api_blueprint

    api = build_api_blueprint(app)
    csrf.exempt(api)
    app.register_blueprint(api)


def register_template_context(app: Flask) -> None:
    """Template helpers shared by every page."""
    from core.forms import register_form_helpers
    from core.security import can
    from core.templating import register_template_helpers

    register_template_helpers(app)
    register_form_helpers(app)
    endpoints = frozenset(app.view_functions)
    links = registry(app).admin_links

    @app.context_processor
    def inject_helpers():
        return {
            "can": lambda permission: can(current_user, permission),
            "locale": str(get_locale()),
            "url_map_endpoints": endpoints,
            "admin_links": [(e, label) for e, label in links if e in endpoints],
        }
