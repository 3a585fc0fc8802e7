"""`flask users …`: create, token, revoke-tokens, reset-password, lock, unlock, reset-two-factor."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from accounts import services, tokens, two_factor
from accounts.settings import token_lifetime
from core.edge import MAX_INT
from core.web import cli_unit

users_cli = click.Group("users", help="Users, their sessions and API tokens.")


@users_cli.command("create")
@click.option("--email", required=True)
@click.option(
    "--role",
    required=True,
    type=click.Choice(["admin", "peer_educator", "clinic_partner", "viewer"]),
)
@click.option("--clinic-id", type=click.IntRange(1, MAX_INT), default=None)
@click.option("--name", "display_name", default=None)
@click.option("--language", type=click.Choice(["bn", "en"]), default="bn")
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
@with_appcontext
def create(email, role, clinic_id, display_name, language, password) -> None:
    """Create a user (prompts for the password when --password is not given)."""
    with cli_unit(show_fields=True):
        user = services.create_user(
            email=email,
            role=role,
            password=password,
            clinic_id=clinic_id,
            display_name=display_name,
            language=language,
        )
    click.echo(f"created user {user.id} {user.email} ({user.role})")


@users_cli.command("token")
@click.argument("email")
@with_appcontext
def token(email: str) -> None:
    """Print a new API token for the user, alone on the last line (shown once)."""
    user = services.find_by_email(email)
    if user is None or not user.is_active:
        raise click.ClickException(f"no active, unlocked user {email}")
    with cli_unit():
        value = tokens.issue_token(user)
    click.echo(
        f"New API token, valid for {token_lifetime().days} days (shown once; stored hashed):"
    )
    click.echo(value)


def _user(email: str):
    user = services.find_by_email(email)
    if user is None:
        raise click.ClickException(f"no user {email}")
    return user


@users_cli.command("revoke-tokens")
@click.argument("email")
@with_appcontext
def revoke_tokens(email: str) -> None:
    """End every API token of the user."""
    with cli_unit():
        count = tokens.revoke_tokens(_user(email), actor=None, reason="requested")
    click.echo(f"revoked {count} API token(s) of {email}")


@users_cli.command("reset-password")
@click.argument("email")
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
@with_appcontext
def reset_password(email: str, password: str) -> None:
    """Set a new password (prompts without --password); ends the user's sessions and API tokens."""
    with cli_unit():
        services.reset_password(_user(email), password, actor=None)
    click.echo(f"password reset for {email}; their sessions and API tokens have ended")


@users_cli.command("lock")
@click.argument("email")
@with_appcontext
def lock(email: str) -> None:
    """The seized-phone lock: ends every session and API token; sign-in refused until unlocked."""
    with cli_unit():
        services.lock_user(_user(email), actor=None)
    click.echo(f"locked {email}; their sessions and API tokens have ended")


@users_cli.command("unlock")
@click.argument("email")
@with_appcontext
def unlock(email: str) -> None:
    """Lift the lock (sessions and tokens ended by it stay ended)."""
    with cli_unit():
        services.unlock_user(_user(email), actor=None)
    click.echo(f"unlocked {email}")


@users_cli.command("reset-two-factor")
@click.argument("email")
@with_appcontext
def reset_two_factor(email: str) -> None:
    """Remove the user's second factor (a lost phone, e.g. the only admin's); ends her sessions.
    If her role needs one she enrols again at her next sign-in."""
    with cli_unit():
        two_factor.reset(_user(email), actor=None)
    click.echo(f"two-factor sign-in reset for {email}; their sessions have ended")
