"""Account settings: the app's config first, then the environment, then a default.

`core/config.py` copies only the keys it knows; these belong to accounts, so they are read here
(a test may put them in the app config, a process in its environment).
"""

from __future__ import annotations

import os
from datetime import timedelta

from flask import current_app

DEFAULTS = {
    "API_TOKEN_DAYS": 90,  # an API token's lifetime
    "PEER_EDUCATOR_IDLE_MINUTES": 15,  # a peer educator's phone is easily picked up by someone else
}


def _int_setting(name: str) -> int:
    value = current_app.config.get(name)
    if value is None or value == "":
        value = os.environ.get(name)
    if value is None or str(value).strip() == "":
        return DEFAULTS[name]
    return int(value)


def token_lifetime() -> timedelta:
    """How long a new API token lives (API_TOKEN_DAYS)."""
    return timedelta(days=_int_setting("API_TOKEN_DAYS"))


def idle_limit(role: str) -> timedelta:
    """How long a session of this role may sit unused: peer educators PEER_EDUCATOR_IDLE_MINUTES,
    everyone else the session lifetime (30 minutes)."""
    if role == "peer_educator":
        return timedelta(minutes=_int_setting("PEER_EDUCATOR_IDLE_MINUTES"))
    return timedelta(seconds=float(current_app.config["PERMANENT_SESSION_LIFETIME"]))
