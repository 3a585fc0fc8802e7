"""`flask users create` and `flask users token`."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from accounts import services
from core.errors import DomainError
from core.extensions import db

users_cli = click.Group("users", help="Users and API tokens.")


@users_cli.command("create")
@click.option("--email", required=True)
@click.option(
    "--role",
    required=True,
    type=click.Choice(["admin", "peer_educator", "clinic_partner", "viewer"]),
)
@click.option("--clinic-id", type=int, default=None)
@click.option("--name", "display_name", default=None)
@click.option("--language", type=click.Choice(["bn", "en"]), default="bn")
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
@with_appcontext
def create(email, role, clinic_id, display_name, language, password) -> None:
    """Create a user (prompts for the password when --password is not given)."""
    try:
        user = services.create_user(
            email=email,
            role=role,
            password=password,
            clinic_id=clinic_id,
            display_name=display_name,
            language=language,
        )
    except DomainError as exc:
        db.session.rollback()
        details = "; ".join(f"{k}: {v}" for k, v in exc.fields.items())
        raise click.ClickException(f"{exc.message} {details}".strip()) from None
    db.session.commit()
    click.echo(f"created user {user.id} {user.email} ({user.role})")


@users_cli.command("token")
@click.argument("email")
@with_appcontext
def token(email: str) -> None:
    """Print a new API token for the user, alone on the last line (shown once)."""
    user = services.find_by_email(email)
    if user is None or not user.active:
        raise click.ClickException(f"no active user {email}")
    value = services.issue_token(user)
    db.session.commit()
    click.echo("New API token (shown once; stored hashed):")
    click.echo(value)
