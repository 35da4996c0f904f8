from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest

from datadeed.config import Settings
from datadeed.errors import CalendarNotCovered, ConfigurationError

DOCS = Path(__file__).resolve().parents[2] / "docs" / "configuration.md"


def test_every_setting_is_documented():
    documented = set(re.findall(r"`DATADEED_([A-Z_]+)`", DOCS.read_text(encoding="utf-8")))
    fields = {name.upper() for name in Settings.model_fields}
    assert fields - documented == set(), "document these settings in docs/configuration.md"
    assert all(f.description for f in Settings.model_fields.values())


def test_environment_variables_are_read(monkeypatch):
    monkeypatch.setenv("DATADEED_PORT", "9001")
    monkeypatch.setenv("DATADEED_HOME", "/srv/datadeed")
    settings = Settings()
    assert settings.port == 9001
    assert settings.effective_database_url == "sqlite:////srv/datadeed/datadeed.db"


def test_toml_file_is_read_and_env_wins(monkeypatch, tmp_path):
    config = tmp_path / "datadeed.toml"
    config.write_text('port = 7000\nlog_level = "DEBUG"\n', encoding="utf-8")
    monkeypatch.setenv("DATADEED_CONFIG_FILE", str(config))
    monkeypatch.setenv("DATADEED_LOG_LEVEL", "WARNING")
    settings = Settings()
    assert settings.port == 7000 and settings.log_level == "WARNING"


def test_missing_config_file_is_a_clear_error(monkeypatch, tmp_path):
    monkeypatch.setenv("DATADEED_CONFIG_FILE", str(tmp_path / "absent.toml"))
    with pytest.raises(ConfigurationError, match="config file not found"):
        Settings()


def test_unknown_setting_is_refused(tmp_path, monkeypatch):
    config = tmp_path / "datadeed.toml"
    config.write_text("prot = 7000\n", encoding="utf-8")
    monkeypatch.setenv("DATADEED_CONFIG_FILE", str(config))
    with pytest.raises(ValueError, match="prot"):
        Settings()


def test_production_refuses_the_placeholder_secret():
    with pytest.raises(ConfigurationError, match="SECRET_KEY must be set"):
        Settings(env="production")  # type: ignore[arg-type]
    with pytest.raises(ConfigurationError, match="at least 32"):
        Settings(env="production", secret_key="short")  # type: ignore[arg-type]
    ok = Settings(env="production", secret_key="x" * 40)  # type: ignore[arg-type]
    assert ok.env == "production"


def test_public_view_masks_secrets():
    view = Settings(
        database_url="postgresql+psycopg://u:hunter2@db/x",  # type: ignore[arg-type]
        secret_key="s" * 40,
    ).public_view()
    assert "hunter2" not in str(view) and "s" * 40 not in str(view)


def test_calendar_overrides_extend_the_calendar(tmp_path):
    overrides = tmp_path / "cal.toml"
    overrides.write_text('holidays = ["2027-01-01"]\nworkdays = []\n', encoding="utf-8")
    calendar = Settings(calendar_overrides=overrides).workday_calendar()  # type: ignore[arg-type]
    assert not calendar.is_workday(dt.date(2027, 1, 1))
    with pytest.raises(CalendarNotCovered):
        Settings(calendar_strict=True).workday_calendar().is_workday(dt.date(2031, 1, 2))


def test_uncovered_years_count_weekdays_with_a_warning_by_default(caplog):
    calendar = Settings().workday_calendar()
    with caplog.at_level("WARNING", logger="datadeed.workdays"):
        assert calendar.is_workday(dt.date(2031, 1, 2))  # a Thursday
        assert not calendar.is_workday(dt.date(2031, 1, 4))  # a Saturday
    assert "no holiday notice for 2031" in caplog.text


def test_an_unset_base_url_follows_the_address_served():
    assert Settings(port=8765).base_url == "http://127.0.0.1:8765"  # type: ignore[call-arg]
    wildcard = Settings(host="0.0.0.0", port=9000)  # type: ignore[call-arg]  # noqa: S104
    assert wildcard.base_url == "http://127.0.0.1:9000"
    assert Settings().serving_at(None, 8123).base_url == "http://127.0.0.1:8123"
    public = Settings(base_url="https://data.example.cn", port=8765)  # type: ignore[call-arg]
    assert public.serving_at("0.0.0.0", 9000).base_url == "https://data.example.cn"  # noqa: S104
