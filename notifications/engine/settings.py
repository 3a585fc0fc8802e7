"""The SMS engine's settings: the app's config first, then the environment, then a default.

`core/config.py` only copies the keys it knows from the environment; these keys belong to the
sending side, so they are read here (a test may put them in the app config, a process in its
environment).
"""

from __future__ import annotations

import os

from flask import current_app

DEFAULTS: dict[str, float | int | bool] = {
    "SMS_POOL_SIZE": 8,  # concurrent sends per dispatcher process
    "SMS_SEND_TIMEOUT": 10.0,  # seconds to connect, and to wait for each read of the reply
    "SMS_BATCH_SIZE": 50,  # rows claimed per claim transaction
    "SMS_LEASE_SECONDS": 300,  # a claim older than this belongs to a dead dispatcher
    "SMS_MAX_ATTEMPTS": 5,  # transient failures before a message is `failed`
    "SMS_RETRY_BASE_SECONDS": 60,  # first backoff; doubles each attempt
    "SMS_RETRY_MAX_SECONDS": 3600,  # backoff cap
    "SMS_VALIDITY_PERIOD": 4 * 3600,  # Twilio drops a message that queued longer than this
    "SMS_UNKNOWN_LOOKUP_AFTER": 300,  # wait this long for a status callback before a lookup
    "SMS_ACCOUNT_PAUSE_SECONDS": 900,  # an account-level error pauses dispatch this long
    "SMS_UNREACHABLE_RETRY_SECONDS": 3600,  # 30003 (handset off): one new attempt this much later
    "SMS_DISPATCH_INTERVAL": 5,  # seconds between scheduler dispatch ticks
    "SMS_DAILY_SEGMENT_BUDGET": 0,  # segments a local day; 0 = no budget
    "SMS_MAX_PER_CONTACT_PER_DAY": 3,  # messages to one contact a local day; 0 = no cap
    "SMS_GATEWAY_MAX_FAILURES": 3,  # API failures in a row before a gateway is left alone
    "SMS_GATEWAY_COOLDOWN": 300,  # seconds a failing gateway is left alone before a new try
    "SMSGATE_MIN_INTERVAL": 5,  # seconds between two sends of the phone (operators block a SIM)
    "SMSGATE_PING_STALE": 900,  # seconds without a ping before the phone counts as down
    "HEALTH_MAX_HEARTBEAT_AGE": 120,  # seconds; older → /healthz 503 (when a scheduler is expected)
    "HEALTH_MAX_DUE_AGE": 900,  # seconds a due message may wait before /healthz says 503
}


def _raw(name: str) -> object:
    value = current_app.config.get(name)
    if value is None or value == "":
        value = os.environ.get(name)
    return value


def setting_float(name: str) -> float:
    """A numeric setting (config, then environment, then DEFAULTS)."""
    value = _raw(name)
    return float(DEFAULTS[name]) if value is None or value == "" else float(value)  # type: ignore[arg-type]


def setting_int(name: str) -> int:
    """An integer setting (config, then environment, then DEFAULTS)."""
    return int(setting_float(name))


def gateway_setting(gateway: str, key: str) -> float:
    """A gateway's own setting `{GATEWAY}_{key}` (e.g. SMSGATE_DAILY_LIMIT); 0 when unset."""
    name = f"{gateway.upper()}_{key}"
    value = _raw(name)
    if value is None or value == "":
        return float(DEFAULTS.get(name, 0))
    try:
        return float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return 0.0


def scheduler_expected() -> bool:
    """SCHEDULER_EXPECTED: default true in production (a scheduler must be running), else false."""
    value = _raw("SCHEDULER_EXPECTED")
    if value is None or value == "":
        return current_app.config.get("APP_ENV") == "production"
    if isinstance(value, bool):
        return value
    return str(value).strip().lower() in {"1", "true", "yes", "on"}
