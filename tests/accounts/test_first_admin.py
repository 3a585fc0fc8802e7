"""A production start without an active admin says how to create one."""

import logging

from core import create_app
from core.extensions import db

HINT = "flask --app wsgi users create --email E --role admin"


def _start(app_config, caplog, env: str = "production") -> list[logging.LogRecord]:
    app_config["APP_ENV"] = env
    caplog.clear()
    with caplog.at_level(logging.WARNING):
        create_app(app_config)
    return [r for r in caplog.records if HINT in r.getMessage()]


def test_production_start_without_an_admin_warns_how_to_create_one(app, app_config, caplog):
    records = _start(app_config, caplog)
    assert len(records) == 1 and records[0].levelno == logging.WARNING


def test_a_deactivated_or_locked_admin_does_not_count(app, app_config, caplog, make_user):
    from accounts import services

    locked, inactive = make_user("admin"), make_user("admin")
    services.lock_user(locked, actor=None)
    services.set_active(inactive, False, actor=None)
    db.session.commit()
    assert _start(app_config, caplog)


def test_no_warning_with_an_active_admin_or_in_development(app, app_config, caplog, make_user):
    assert not _start(app_config, caplog, env="development")
    make_user("admin")
    assert not _start(app_config, caplog)


def test_a_database_not_yet_migrated_does_not_stop_the_start(app_config, caplog, tmp_path):
    app_config["DATABASE_URL"] = f"sqlite:///{tmp_path / 'empty.db'}"
    assert not _start(app_config, caplog)  # `flask db upgrade` itself must start
