"""Commands that span packages: keys, the scheduler, retention and the demo data."""

from __future__ import annotations

from datetime import datetime

import click
from flask import current_app
from flask.cli import with_appcontext

from core.extensions import db
from core.registry import registry
from core.web import unit_of_work


def parse_cli_time(value: str | None) -> datetime:
    """`--now T`: ISO 8601, read in APP_TIMEZONE when it has no offset; default: the clock."""
    from core.api import parse_datetime
    from core.db import utcnow
    from core.errors import DomainError

    if not value:
        return utcnow()
    try:
        return parse_datetime(value, "now")
    except DomainError as exc:
        raise click.BadParameter(exc.message, param_hint="--now") from None


keys_cli = click.Group("keys", help="Encryption keys.")


@keys_cli.command("rotate")
@with_appcontext
def keys_rotate() -> None:
    """Re-encrypt every encrypted field under the first of DATA_KEYS."""
    from core.crypto import rotate_all

    with unit_of_work():
        changed = rotate_all(db.session, db.metadata)
    click.echo(f"re-encrypted {changed} values under the first key")


scheduler_cli = click.Group("scheduler", help="The periodic jobs.")


@scheduler_cli.command("run")
@with_appcontext
def scheduler_run() -> None:
    """Run the scheduler in this process until SIGTERM (safe to run several on PostgreSQL)."""
    from core.scheduler import run_forever

    run_forever(current_app._get_current_object())  # type: ignore[attr-defined]


retention_cli = click.Group("retention", help="Data retention.")


@retention_cli.command("purge")
@click.option("--now", "now_text", default=None, help="ISO 8601; the clock by default.")
@with_appcontext
def retention_purge(now_text: str | None) -> None:
    """Apply the retention rules of DESIGN.md (the scheduler also runs them daily)."""
    from core.retention import purge_all

    for name, counts in purge_all(parse_cli_time(now_text)):
        click.echo(f"{name}: " + ", ".join(f"{k}={v}" for k, v in counts.items()))


@click.command("seed-demo")
@click.option("--if-empty", is_flag=True, help="Only when the database has no users yet.")
@with_appcontext
def seed_demo(if_empty: bool) -> None:
    """Demo clinics, users and members (each package's seed steps, in the factory's order: clinics
    first, so the demo clinic partner belongs to one); safe to run twice; prints the demo logins."""
    if current_app.config["APP_ENV"] == "production":
        raise click.ClickException("seed-demo is refused when APP_ENV=production.")
    steps = registry()
    if if_empty and steps.seed_guard is not None and steps.seed_guard():
        click.echo("The database already has users; demo data not seeded (run `flask seed-demo`).")
        return
    for step in steps.seed_steps:
        with unit_of_work():
            lines = step()
        for line in lines:
            click.echo(line)
