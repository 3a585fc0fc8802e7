"""The app's Twilio settings for a TwilioFake, and `flask reminders dispatch` as a process."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import datetime
from pathlib import Path

from tests.support.twilio_fake import TwilioFake

PUBLIC = "https://harc.example.org"
INBOUND_URL = f"{PUBLIC}/webhooks/twilio/inbound"
SENDER = "+15005550006"
ROOT = Path(__file__).resolve().parents[2]


def twilio_config(fake: TwilioFake) -> dict:
    """App config that sends through `fake` (the fake_twilio fixture applies it)."""
    return {
        "SMS_BACKEND": "twilio",
        "TWILIO_ACCOUNT_SID": fake.account_sid,
        "TWILIO_AUTH_TOKEN": fake.auth_token,
        "TWILIO_FROM_NUMBER": SENDER,
        "TWILIO_API_BASE_URL": fake.base_url,
        "PUBLIC_BASE_URL": PUBLIC,
        "SMS_SEND_TIMEOUT": 2,
        "SMS_MAX_ATTEMPTS": 3,
        # Engine tests send many messages to one contact; the cap has its own tests.
        "SMS_MAX_PER_CONTACT_PER_DAY": 0,
    }


def process_env(app, database_url: str, **extra: str) -> dict[str, str]:
    """The environment of a `flask` process started by a test: the test app's database and keys,
    none of the caller's SMS settings."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TWILIO_", "SMS_"))}
    env.update(
        DATABASE_URL=database_url,
        SECRET_KEY=app.config["SECRET_KEY"],
        DATA_KEYS=",".join(app.config["DATA_KEYS"]),
        INDEX_KEY=app.config["INDEX_KEY"],
        APP_ENV="development",
        PYTHONPATH=str(ROOT),
        PYTHONUNBUFFERED="1",
    )
    env.update(extra)
    return env


def dispatcher_env(app, database_url: str, fake: TwilioFake, **extra: str) -> dict[str, str]:
    """The environment of a `flask reminders dispatch` process on the Twilio-compatible server."""
    env = process_env(
        app,
        database_url,
        SMS_BACKEND="twilio",
        TWILIO_ACCOUNT_SID=fake.account_sid,
        TWILIO_AUTH_TOKEN=fake.auth_token,
        TWILIO_FROM_NUMBER=SENDER,
        TWILIO_API_BASE_URL=fake.base_url,
        PUBLIC_BASE_URL=PUBLIC,
        SMS_MAX_PER_CONTACT_PER_DAY="0",  # bulk tests send several to one contact
    )
    env.update(extra)
    return env


def spawn_dispatch(env: dict[str, str], now: datetime, *args: str) -> subprocess.Popen:
    """Start `flask reminders dispatch --now <now>` as its own process."""
    return subprocess.Popen(
        [sys.executable, "-m", "flask", "--app", "wsgi", "reminders", "dispatch",
         "--now", now.isoformat(), *args],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )  # fmt: skip
