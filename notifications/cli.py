"""`flask reminders dispatch` (one dispatch pass) and `flask reminders resume` (lift a pause)."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

reminders_cli = click.Group("reminders", help="SMS reminders.")


@reminders_cli.command("dispatch")
@click.option("--now", "now_text", default=None, help="ISO 8601; the clock by default.")
@click.option("--limit", type=click.IntRange(min=1), default=None, help="Claim at most N rows.")
@with_appcontext
def dispatch(now_text: str | None, limit: int | None) -> None:
    """One dispatch pass, as if the clock read --now; prints sent, failed and deferred."""
    from core.cli import parse_cli_time
    from notifications.engine.dispatch import dispatch_pass

    stats = dispatch_pass(now=parse_cli_time(now_text), limit=limit)
    click.echo(stats.line())


@reminders_cli.command("resume")
@with_appcontext
def resume() -> None:
    """Lift a pause caused by an account-level provider error (after fixing the account)."""
    from core.extensions import db
    from notifications.engine.pause import resume as lift

    lifted = lift()
    db.session.commit()
    click.echo("dispatch resumed" if lifted else "dispatch was not paused")
