"""`flask reminders dispatch` (one dispatch pass), `flask reminders resume` (lift a pause), and
`flask sms webhooks register` / `list` (our SMSGate webhooks)."""

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


sms_cli = click.Group("sms", help="SMS gateways.")
webhooks_cli = click.Group("webhooks", help="SMSGate webhooks to this app.")
sms_cli.add_command(webhooks_cli)


def _smsgate():
    """The SMSGate gateway of the app's settings, or a click error saying what is missing."""
    from flask import current_app

    from notifications.engine.gateways import build_gateways, get_gateways

    gateway = get_gateways(current_app).get("smsgate")
    if gateway is not None:
        return gateway
    config = current_app.config
    if not (config.get("SMSGATE_USERNAME") and config.get("SMSGATE_PASSWORD")):
        missing = "set SMSGATE_USERNAME and SMSGATE_PASSWORD (and SMSGATE_API_URL if not the cloud)"
        raise click.ClickException(f"SMSGate is not configured: {missing}")
    return build_gateways({**config, "SMS_BACKEND": "smsgate", "SMS_BACKENDS": None})[0]


def _webhook_url(url: str | None) -> str:
    """--url, else PUBLIC_BASE_URL + /webhooks/smsgate; HTTPS (or http://127.0.0.1) only."""
    from urllib.parse import urlsplit

    from flask import current_app

    if not url:
        base = current_app.config.get("PUBLIC_BASE_URL")
        if not base:
            hint = "give --url, or set PUBLIC_BASE_URL (this app's public origin)"
            raise click.ClickException(f"no webhook URL: {hint}")
        url = base.rstrip("/") + "/webhooks/smsgate"
    parts = urlsplit(url)
    local = parts.scheme == "http" and parts.hostname == "127.0.0.1"
    if not (parts.scheme == "https" and parts.hostname) and not local:
        hint = "SMSGate accepts HTTPS webhook URLs only (or http://127.0.0.1)"
        raise click.ClickException(f"{hint}: {url}")
    return url


@webhooks_cli.command("register")
@click.option("--url", default=None, help="Default: PUBLIC_BASE_URL + /webhooks/smsgate.")
@with_appcontext
def webhooks_register(url: str | None) -> None:
    """Register our URL at SMSGate for each event it sends us (ones already there are kept)."""
    from notifications.engine.gateways.smsgate import SmsGateError

    target = _webhook_url(url)
    gateway = _smsgate()
    try:
        before = {(hook.url, hook.event) for hook in gateway.list_webhooks()}
        hooks = gateway.register_webhooks(target)
    except SmsGateError as exc:
        raise click.ClickException(f"SMSGate did not answer as expected: {exc}") from None
    for hook in hooks:
        state = "already registered" if (hook.url, hook.event) in before else "registered"
        click.echo(f"{hook.event}\t{state}\t{hook.id or '-'}")
    click.echo(f"{len(hooks)} events go to {target}")


@webhooks_cli.command("list")
@with_appcontext
def webhooks_list() -> None:
    """The webhooks registered at SMSGate: id, event and URL, one a line."""
    from notifications.engine.gateways.smsgate import SmsGateError

    try:
        hooks = _smsgate().list_webhooks()
    except SmsGateError as exc:
        raise click.ClickException(f"SMSGate did not answer as expected: {exc}") from None
    for hook in hooks:
        click.echo(f"{hook.id or '-'}\t{hook.event}\t{hook.url}")
    if not hooks:
        click.echo("no webhooks registered")
