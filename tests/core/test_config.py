"""Configuration: development keys are generated once; production refuses missing keys."""

import multiprocessing

import pytest

from core.config import ConfigError, load_config


def _load(instance, queue):
    config = load_config({"INSTANCE_PATH": str(instance)})
    queue.put((config["SECRET_KEY"], tuple(config["DATA_KEYS"]), config["INDEX_KEY"]))


def test_development_keys_are_generated_once_and_shared(tmp_path, monkeypatch):
    for name in ("SECRET_KEY", "DATA_KEYS", "INDEX_KEY", "APP_ENV"):
        monkeypatch.delenv(name, raising=False)
    context = multiprocessing.get_context("spawn")
    queue = context.Queue()
    processes = [context.Process(target=_load, args=(tmp_path, queue)) for _ in range(4)]
    for process in processes:
        process.start()
    results = {queue.get(timeout=60) for _ in processes}
    for process in processes:
        process.join(timeout=60)
    assert len(results) == 1  # every process read the same keys
    assert (tmp_path / "secret_key").stat().st_mode & 0o777 == 0o600


@pytest.mark.parametrize("missing", ["SECRET_KEY", "DATA_KEYS", "INDEX_KEY"])
def test_production_refuses_missing_keys(tmp_path, monkeypatch, missing):
    for name in ("SECRET_KEY", "DATA_KEYS", "INDEX_KEY"):
        monkeypatch.delenv(name, raising=False)
    keys = {
        "SECRET_KEY": "s" * 40,
        "DATA_KEYS": "bKX4Z3k0YjFnbm5hZ2FpbnN0dGhlbW9zdHdvcmxkcz0=",
        "INDEX_KEY": "i" * 40,
    }
    keys.pop(missing)
    with pytest.raises(ConfigError, match=missing):
        load_config({"APP_ENV": "production", "INSTANCE_PATH": str(tmp_path), **keys})
    assert not (tmp_path / missing.lower()).exists()


def test_production_with_the_console_backend_warns_that_no_sms_leaves(tmp_path, caplog):
    keys = {
        "SECRET_KEY": "s" * 40,
        "DATA_KEYS": "bKX4Z3k0YjFnbm5hZ2FpbnN0dGhlbW9zdHdvcmxkcz0=",
        "INDEX_KEY": "i" * 40,
    }
    with caplog.at_level("WARNING", logger="core.config"):
        load_config({"APP_ENV": "production", "INSTANCE_PATH": str(tmp_path), **keys})
    assert "SMS_BACKEND=console in production" in caplog.text
    caplog.clear()
    with caplog.at_level("WARNING", logger="core.config"):
        load_config({"INSTANCE_PATH": str(tmp_path), **keys})
    assert "SMS_BACKEND=console" not in caplog.text


def test_twilio_backend_needs_credentials(tmp_path):
    with pytest.raises(ConfigError, match="TWILIO_ACCOUNT_SID"):
        load_config(
            {
                "SMS_BACKEND": "twilio",
                "INSTANCE_PATH": str(tmp_path),
                "TWILIO_ACCOUNT_SID": "",
                "TWILIO_AUTH_TOKEN": "",
            }
        )


def test_bad_data_keys_are_refused(tmp_path):
    with pytest.raises(ConfigError, match="Fernet"):
        load_config({"DATA_KEYS": "not-a-key", "INSTANCE_PATH": str(tmp_path)})


def test_reminder_offsets_come_from_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("REMINDER_OFFSETS_HOURS", "48,3")
    assert load_config({"INSTANCE_PATH": str(tmp_path)})["REMINDER_OFFSETS_HOURS"] == (48, 3)
    monkeypatch.setenv("REMINDER_OFFSETS_HOURS", "soon")
    with pytest.raises(ConfigError, match="REMINDER_OFFSETS_HOURS"):
        load_config({"INSTANCE_PATH": str(tmp_path)})
