"""`flask clinics import|export`."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from core.web import cli_unit

clinics_cli = click.Group("clinics", help="The clinic directory.")


@clinics_cli.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option("--skip-invalid", is_flag=True, help="Import the valid rows, report the others.")
@with_appcontext
def import_command(path: str, skip_invalid: bool) -> None:
    """Import clinics from CSV; a file with errors writes nothing unless --skip-invalid."""
    from clinics.services.csvio import import_csv

    try:
        with cli_unit(), open(path, encoding="utf-8-sig", newline="") as handle:
            report = import_csv(handle, actor=None, skip_invalid=skip_invalid)
    except UnicodeDecodeError:  # cli_unit has rolled back
        raise click.ClickException("The file is not UTF-8 text.") from None
    for error in report.errors:
        click.echo(f"skipped {error}", err=True)
    click.echo(
        f"imported: {report.created} created, {report.updated} updated, {report.skipped} skipped"
    )


@clinics_cli.command("export")
@click.argument("path", type=click.Path(dir_okay=False, writable=True))
@with_appcontext
def export_command(path: str) -> None:
    """Write the whole directory as CSV."""
    from clinics.services.csvio import export_csv

    with open(path, "w", encoding="utf-8", newline="") as handle:
        count = export_csv(handle)
    click.echo(f"exported {count} clinics to {path}")
