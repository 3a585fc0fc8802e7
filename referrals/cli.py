"""`flask referrals sweep`."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

referrals_cli = click.Group("referrals", help="Referrals.")


@referrals_cli.command("sweep")
@click.option("--now", "now_text", default=None, help="ISO 8601; the clock by default.")
@with_appcontext
def sweep_command(now_text: str | None) -> None:
    """Mark missed and expired referrals and missed follow-ups (as if the clock read --now)."""
    from core.cli import parse_cli_time
    from core.extensions import db
    from referrals.services import lifecycle

    counts = lifecycle.sweep(parse_cli_time(now_text))
    db.session.commit()
    click.echo(", ".join(f"{k}={v}" for k, v in counts.items()))
