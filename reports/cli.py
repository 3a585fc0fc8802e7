"""`flask reports dhis2-push --period YYYYMM [--dry-run]`: one month to DHIS2 from the server."""

from __future__ import annotations

import json

import click

from core.web import cli_unit

reports_cli = click.Group("reports", help="Reports and exports.")


@reports_cli.command("dhis2-push")
@click.option("--period", required=True, help="The month, YYYYMM.")
@click.option("--dry-run", is_flag=True, help="DHIS2 checks and counts, and stores nothing.")
def dhis2_push_command(period: str, dry_run: bool) -> None:
    """Send one month's figures to DHIS2 and print its import summary as JSON."""
    from reports.dhis2_push import push_from_cli

    with cli_unit(show_fields=True):
        result = push_from_cli(period, dry_run=dry_run)
    click.echo(json.dumps(result.as_dict(), indent=2))
    if not result.ok:
        raise click.ClickException(f"DHIS2 push: {result.status}")


@reports_cli.command("refresh")
@click.option("--all", "rebuild", is_flag=True, help="Rebuild every month, not the recent ones.")
def refresh_command(rebuild: bool) -> None:
    """Recompute the report summary the reports read (the scheduler does this on its own)."""
    from reports.summary.refresh import refresh

    with cli_unit():
        result = refresh(rebuild=rebuild)
    click.echo(json.dumps(result))
