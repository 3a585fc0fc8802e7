"""Configuration from the environment (and `.env`), with development keys kept in `instance/`."""

from __future__ import annotations

import logging
import os
import secrets
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from cryptography.fernet import Fernet

log = logging.getLogger(__name__)

REPO_ROOT = Path(__file__).resolve().parent.parent


class ConfigError(RuntimeError):
    """The configuration cannot start the service; the message says what to set."""


def _bool(value: str | None, default: bool) -> bool:
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _hours_list(value: str | None, default: tuple[int, ...]) -> tuple[int, ...]:
    """Parse "24,2" into (24, 2); a bad value stops start-up with the variable named."""
    if not value:
        return default
    try:
        hours = tuple(int(part) for part in value.split(",") if part.strip())
    except ValueError:
        raise ConfigError("REMINDER_OFFSETS_HOURS must be whole hours, e.g. 24,2") from None
    if not hours or any(h <= 0 for h in hours):
        raise ConfigError("REMINDER_OFFSETS_HOURS must be positive whole hours, e.g. 24,2")
    return hours


def _read_or_create_key(instance: Path, name: str, make: Callable[[], str]) -> str:
    """Create a development key atomically (O_EXCL) and read it back, so racing processes agree."""
    instance.mkdir(parents=True, exist_ok=True)
    path = instance / name
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        pass
    else:
        with os.fdopen(fd, "w") as handle:
            handle.write(make())
    for _ in range(50):
        value = path.read_text().strip()
        if value:
            return value
        # Another process created the file and has not written it yet.
        time.sleep(0.02)
    raise ConfigError(f"{path} is empty; delete it to generate a new key")


def load_config(overrides: dict[str, Any] | None = None) -> dict[str, Any]:
    """Build the Flask config from the environment; `overrides` (tests) win over everything."""
    overrides = dict(overrides or {})
    env = {**os.environ, **{k: v for k, v in overrides.items() if isinstance(v, str)}}
    app_env = env.get("APP_ENV", "development")
    production = app_env == "production"
    instance = Path(overrides.get("INSTANCE_PATH") or REPO_ROOT / "instance")

    config: dict[str, Any] = {
        "APP_ENV": app_env,
        "SQLALCHEMY_DATABASE_URI": env.get("DATABASE_URL") or f"sqlite:///{instance / 'harc.db'}",
        "APP_TIMEZONE": env.get("APP_TIMEZONE", "Asia/Dhaka"),
        "QUIET_HOURS": env.get("QUIET_HOURS", "21:00-08:00"),
        # Where the quick exit lands: a page that says nothing about HARC or its members.
        "QUICK_EXIT_URL": env.get("QUICK_EXIT_URL", "https://www.google.com/"),
        "SMS_BACKEND": env.get("SMS_BACKEND", "console"),
        "TWILIO_ACCOUNT_SID": env.get("TWILIO_ACCOUNT_SID"),
        "TWILIO_AUTH_TOKEN": env.get("TWILIO_AUTH_TOKEN"),
        "TWILIO_FROM_NUMBER": env.get("TWILIO_FROM_NUMBER"),
        "TWILIO_MESSAGING_SERVICE_SID": env.get("TWILIO_MESSAGING_SERVICE_SID"),
        "TWILIO_API_BASE_URL": env.get("TWILIO_API_BASE_URL"),
        # Twilio's price per segment (the SMS log, the template editor, the cost reports).
        "SMS_PRICE_PER_SEGMENT": env.get("SMS_PRICE_PER_SEGMENT") or "0.0537",
        "SMS_PRICE_CURRENCY": env.get("SMS_PRICE_CURRENCY") or "USD",
        # The report summary: how often its recent months are recomputed, and how far back
        # "recent" reaches (older months are rebuilt once a night).
        "REPORT_SUMMARY_SECONDS": int(env.get("REPORT_SUMMARY_SECONDS") or 900),
        "REPORT_SUMMARY_RECENT_DAYS": int(env.get("REPORT_SUMMARY_RECENT_DAYS") or 120),
        **_smsgate_settings(env),
        "PUBLIC_BASE_URL": (env.get("PUBLIC_BASE_URL") or "").rstrip("/") or None,
        "PROXY_HOPS": int(env.get("PROXY_HOPS", "0") or 0),
        "RATELIMIT_STORAGE_URI": env.get("RATELIMIT_STORAGE_URI", "memory://"),
        "RATELIMIT_ENABLED": _bool(env.get("RATELIMIT_ENABLED"), True),
        "RATELIMIT_HEADERS_ENABLED": True,
        "SQLALCHEMY_TRACK_MODIFICATIONS": False,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": production,
        "SESSION_COOKIE_NAME": "harc_session",
        "PERMANENT_SESSION_LIFETIME": 30 * 60,
        "SESSION_REFRESH_EACH_REQUEST": True,
        "REMEMBER_COOKIE_DURATION": 0,
        "WTF_CSRF_TIME_LIMIT": None,  # the session's idle timeout bounds the token instead
        "BABEL_DEFAULT_LOCALE": "en",
        "BABEL_DEFAULT_TIMEZONE": env.get("APP_TIMEZONE", "Asia/Dhaka"),
        "BABEL_TRANSLATION_DIRECTORIES": str(REPO_ROOT / "translations"),
        "LANGUAGES": ["en", "bn"],
        "SCHEDULER_ENABLED": _bool(env.get("SCHEDULER_ENABLED"), True),
        "MAX_CONTENT_LENGTH": 2 * 1024 * 1024,
        "REMINDER_OFFSETS_HOURS": _hours_list(env.get("REMINDER_OFFSETS_HOURS"), (24, 2)),
        # The most safety alerts one member gets in 7 days (issue 13; 0: none at all).
        "SAFETY_ALERTS_PER_MEMBER_PER_WEEK": int(env.get("SAFETY_ALERTS_PER_MEMBER_PER_WEEK") or 2),
    }
    config.update(overrides)
    config.setdefault("INSTANCE_PATH", str(instance))
    _load_keys(config, env, production, Path(config["INSTANCE_PATH"]))
    config["SMS_BACKENDS"] = parse_backends(config["SMS_BACKEND"])
    if not str(config["QUICK_EXIT_URL"]).startswith(("https://", "http://")):
        raise ConfigError("QUICK_EXIT_URL must be an http(s) address (the quick exit lands there)")
    for name in _SMSGATE_NUMBERS:  # an override may bring a number as text
        config[name] = _smsgate_number(name, config.get(name))
    config["SMSGATE_API_URL"] = str(config.get("SMSGATE_API_URL") or SMSGATE_DEFAULT_URL).rstrip(
        "/"
    )
    _check_gateways(config)
    if production and config["SMS_BACKENDS"] == ("console",):
        # Allowed (a site may start before its gateway is ready), but no member gets any SMS.
        log.warning(CONSOLE_IN_PRODUCTION)
    return config


CONSOLE_IN_PRODUCTION = (
    "SMS_BACKEND=console in production: messages are only written to the log, no SMS is sent. "
    "Set SMS_BACKEND=smsgate or twilio (and its settings) to reach members."
)
SMS_BACKENDS = ("console", "twilio", "smsgate")
SMSGATE_DEFAULT_URL = "https://api.sms-gate.app/3rdparty/v1"
_SMSGATE_NUMBERS = {  # setting: (default, smallest allowed)
    "SMSGATE_SIM": (None, 1),
    "SMSGATE_DAILY_LIMIT": (None, 1),
    "SMSGATE_MIN_INTERVAL": (5.0, 0),
    "SMSGATE_PING_STALE": (900, 1),
}


def parse_backends(value: str | None) -> tuple[str, ...]:
    """SMS_BACKEND as a routing order ("smsgate,twilio"); an unknown name stops start-up."""
    names = tuple(part.strip().lower() for part in (value or "console").split(",") if part.strip())
    unknown = [name for name in names if name not in SMS_BACKENDS]
    if unknown or not names:
        raise ConfigError(
            f"SMS_BACKEND must be one of {', '.join(SMS_BACKENDS)} or a comma-separated order of "
            f"them (e.g. smsgate,twilio); unknown: {', '.join(unknown) or 'none given'}"
        )
    if len(set(names)) != len(names):
        raise ConfigError("SMS_BACKEND names a gateway twice")
    return names


def _smsgate_number(name: str, raw: object) -> float | int | None:
    default, least = _SMSGATE_NUMBERS[name]
    if raw is None or str(raw).strip() == "":
        return default
    try:
        text = str(raw).strip()
        value = float(text) if name == "SMSGATE_MIN_INTERVAL" else int(text)
    except ValueError:
        raise ConfigError(f"{name} must be a number (got {raw!r})") from None
    if value < least or (name == "SMSGATE_SIM" and value > 3):
        limits = "1, 2 or 3" if name == "SMSGATE_SIM" else f"at least {least}"
        raise ConfigError(f"{name} must be {limits} (got {raw!r})")
    return value


def _smsgate_settings(env: dict) -> dict[str, Any]:
    """The SMSGATE_* settings from the environment, numbers parsed (CONTRACT.md)."""
    settings: dict[str, Any] = {
        "SMSGATE_API_URL": env.get("SMSGATE_API_URL") or SMSGATE_DEFAULT_URL,
        "SMSGATE_PRICE_PER_SEGMENT": env.get("SMSGATE_PRICE_PER_SEGMENT") or "0",
        # The local SIM is paid in taka; Twilio's price is in SMS_PRICE_CURRENCY.
        "SMSGATE_PRICE_CURRENCY": env.get("SMSGATE_PRICE_CURRENCY") or "BDT",
    }
    for name in (
        "SMSGATE_USERNAME",
        "SMSGATE_PASSWORD",
        "SMSGATE_SIGNING_KEY",
        "SMSGATE_ENCRYPTION_PASSPHRASE",
        "SMSGATE_ID_PREFIX",
    ):
        settings[name] = env.get(name) or None
    for name in _SMSGATE_NUMBERS:
        settings[name] = _smsgate_number(name, env.get(name))
    return settings


def _check_gateways(config: dict[str, Any]) -> None:
    """Start-up stops, naming the missing keys, when a selected gateway lacks its settings."""
    backends = config["SMS_BACKENDS"]
    if "twilio" in backends:
        missing = [k for k in ("TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN") if not config.get(k)]
        if not (config.get("TWILIO_FROM_NUMBER") or config.get("TWILIO_MESSAGING_SERVICE_SID")):
            missing.append("TWILIO_FROM_NUMBER or TWILIO_MESSAGING_SERVICE_SID")
        if missing:
            raise ConfigError("SMS_BACKEND=twilio needs " + ", ".join(missing))
    if "smsgate" in backends:
        needed = ("SMSGATE_USERNAME", "SMSGATE_PASSWORD", "SMSGATE_SIGNING_KEY")
        missing = [k for k in needed if not config.get(k)]
        if missing:
            raise ConfigError("SMS_BACKEND=smsgate needs " + ", ".join(missing))
    prefix = str(config.get("SMSGATE_ID_PREFIX") or "")  # every attempt's reference starts so
    if prefix and not (prefix.isascii() and prefix.isalnum() and len(prefix) <= 12):
        raise ConfigError("SMSGATE_ID_PREFIX must be at most 12 letters or digits")


def _load_keys(config: dict[str, Any], env: dict, production: bool, instance: Path) -> None:
    generators = {
        "SECRET_KEY": lambda: secrets.token_urlsafe(48),
        "DATA_KEYS": lambda: Fernet.generate_key().decode(),
        "INDEX_KEY": lambda: secrets.token_urlsafe(48),
    }
    for name, make in generators.items():
        value = config.get(name) or env.get(name)
        if not value:
            if production:
                raise ConfigError(
                    f"{name} is not set. In production every key must come from the environment "
                    "(see README: key custody); generated keys are refused."
                )
            value = _read_or_create_key(instance, name.lower(), make)
        config[name] = value
    keys = [k.strip() for k in str(config["DATA_KEYS"]).split(",") if k.strip()]
    try:
        for key in keys:
            Fernet(key.encode())
    except (ValueError, TypeError) as exc:
        raise ConfigError("DATA_KEYS must be comma-separated Fernet keys") from exc
    config["DATA_KEYS"] = keys
