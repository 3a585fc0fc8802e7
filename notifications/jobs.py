"""The dispatch tick: every few seconds, shared by every scheduler process (not exclusive)."""

from __future__ import annotations

import os

from core.scheduler import register_job, stopping


def dispatch_tick() -> None:
    """One dispatch pass at the real clock; stops claiming as soon as the scheduler stops."""
    from notifications.dispatch import dispatch_pass

    dispatch_pass(stop=stopping)


# Dispatch shares rows through SKIP LOCKED, so every scheduler process may run it at once. The
# interval is read from the environment: jobs are registered at import, before any app exists.
register_job(
    "reminders.dispatch",
    dispatch_tick,
    seconds=max(1, int(float(os.environ.get("SMS_DISPATCH_INTERVAL") or 5))),
    exclusive=False,
)
