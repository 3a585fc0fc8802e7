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


SMSGATE_ENV = ("SMS_BACKEND", "SMSGATE_API_URL", "SMSGATE_USERNAME", "SMSGATE_PASSWORD",
               "SMSGATE_SIGNING_KEY", "SMSGATE_ENCRYPTION_PASSPHRASE", "SMSGATE_SIM",
               "SMSGATE_DAILY_LIMIT", "SMSGATE_MIN_INTERVAL", "SMSGATE_PING_STALE",
               "SMSGATE_ID_PREFIX")  # fmt: skip
SMSGATE = {"SMSGATE_USERNAME": "u", "SMSGATE_PASSWORD": "p", "SMSGATE_SIGNING_KEY": "k"}


@pytest.fixture
def clean_env(monkeypatch):
    for name in SMSGATE_ENV:
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


def test_sms_backend_is_a_routing_order_with_smsgate_defaults(tmp_path, clean_env):
    config = load_config(
        {"INSTANCE_PATH": str(tmp_path), "SMS_BACKEND": " smsgate , console", **SMSGATE}
    )
    assert config["SMS_BACKENDS"] == ("smsgate", "console")
    assert config["SMSGATE_API_URL"] == "https://api.sms-gate.app/3rdparty/v1"
    assert (config["SMSGATE_MIN_INTERVAL"], config["SMSGATE_PING_STALE"]) == (5.0, 900)
    assert (config["SMSGATE_SIM"], config["SMSGATE_DAILY_LIMIT"]) == (None, None)
    assert config["SMSGATE_ENCRYPTION_PASSPHRASE"] is None


def test_smsgate_numbers_come_from_the_environment(tmp_path, clean_env):
    for name, value in {"SMSGATE_SIM": "2", "SMSGATE_DAILY_LIMIT": "200",
                        "SMSGATE_MIN_INTERVAL": "7.5", "SMSGATE_PING_STALE": "600",
                        "SMSGATE_API_URL": "http://192.168.1.20:8080/"}.items():  # fmt: skip
        clean_env.setenv(name, value)
    config = load_config({"INSTANCE_PATH": str(tmp_path), "SMS_BACKEND": "smsgate", **SMSGATE})
    assert (config["SMSGATE_SIM"], config["SMSGATE_DAILY_LIMIT"]) == (2, 200)
    assert (config["SMSGATE_MIN_INTERVAL"], config["SMSGATE_PING_STALE"]) == (7.5, 600)
    assert config["SMSGATE_API_URL"] == "http://192.168.1.20:8080"


@pytest.mark.parametrize(
    ("backend", "match"),
    [("sms-gate", "unknown: sms-gate"), ("smsgate,carrier-pigeon", "unknown: carrier-pigeon"),
     (",", "none given"), ("twilio,twilio", "twice")],
)  # fmt: skip
def test_unknown_or_repeated_gateways_are_refused(tmp_path, clean_env, backend, match):
    with pytest.raises(ConfigError, match=match):
        load_config({"INSTANCE_PATH": str(tmp_path), "SMS_BACKEND": backend})


def test_smsgate_without_its_settings_names_every_missing_key(tmp_path, clean_env):
    with pytest.raises(ConfigError) as refused:
        load_config({"INSTANCE_PATH": str(tmp_path), "SMS_BACKEND": "smsgate,twilio"})
    # Twilio's settings are checked too, whichever gateway comes first
    assert "TWILIO_ACCOUNT_SID" in str(refused.value)
    with pytest.raises(ConfigError) as refused:
        load_config({"INSTANCE_PATH": str(tmp_path), "SMS_BACKEND": "smsgate",
                     "SMSGATE_USERNAME": "u"})  # fmt: skip
    message = str(refused.value)
    assert "SMSGATE_PASSWORD" in message and "SMSGATE_SIGNING_KEY" in message
    assert "SMSGATE_USERNAME" not in message


@pytest.mark.parametrize(
    ("name", "value"),
    [("SMSGATE_SIM", "4"), ("SMSGATE_SIM", "first"), ("SMSGATE_DAILY_LIMIT", "0"),
     ("SMSGATE_MIN_INTERVAL", "-1"), ("SMSGATE_PING_STALE", "soon"),
     ("SMSGATE_ID_PREFIX", "harc-site")],
)  # fmt: skip
def test_bad_smsgate_values_are_refused_by_name(tmp_path, clean_env, name, value):
    with pytest.raises(ConfigError, match=name):
        load_config({"INSTANCE_PATH": str(tmp_path), "SMS_BACKEND": "smsgate", **SMSGATE,
                     name: value})  # fmt: skip


def test_a_bad_id_prefix_is_refused_whatever_the_gateway(tmp_path, clean_env):
    """Every attempt is named with the prefix, Twilio's and the console's too."""
    with pytest.raises(ConfigError, match="SMSGATE_ID_PREFIX"):
        load_config({"INSTANCE_PATH": str(tmp_path), "SMSGATE_ID_PREFIX": "site 2"})


def test_twilio_price_per_segment_is_read_from_the_environment(monkeypatch, app_config):
    """The gateways page and the cost reports read Twilio's price from the app's config: it
    must come from the environment (it used to stay unset, so Twilio's cost showed as 0)."""
    from core import create_app
    from notifications.gateway_status import _price

    monkeypatch.setenv("SMS_PRICE_PER_SEGMENT", "0.0412")
    config = {k: v for k, v in app_config.items() if k != "SMS_PRICE_PER_SEGMENT"}
    app = create_app(config)
    with app.app_context():
        assert _price("twilio") == 0.0412
