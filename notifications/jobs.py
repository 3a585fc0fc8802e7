"""The dispatch tick: every few seconds, shared by every scheduler process (not exclusive)."""

from __future__ import annotations

from flask import Flask

from core.scheduler import stopping


def dispatch_tick() -> None:
    """One dispatch pass at the real clock; stops claiming as soon as the scheduler stops."""
    from notifications.engine.dispatch import dispatch_pass

    dispatch_pass(stop=stopping)


def dispatch_interval(app: Flask) -> int:
    """Seconds between ticks: SMS_DISPATCH_INTERVAL (the app's config, then the environment)."""
    from notifications.engine.settings import setting_float

    with app.app_context():
        return max(1, int(setting_float("SMS_DISPATCH_INTERVAL")))
