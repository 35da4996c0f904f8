"""Settings: one typed class, read from DATADEED_* environment variables and an optional
TOML file (``DATADEED_CONFIG_FILE``). Nothing is read from the environment at import.

Every field carries a description; ``docs/configuration.md`` lists them all and a test
fails when one is missing there.
"""

from __future__ import annotations

import os
from enum import StrEnum
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

from datadeed.errors import ConfigurationError
from datadeed.workdays import WorkdayCalendar

PLACEHOLDER_SECRET = "dev-insecure-change-me"  # noqa: S105 - the documented placeholder


class Environment(StrEnum):
    DEVELOPMENT = "development"
    TEST = "test"
    PRODUCTION = "production"


class Settings(BaseSettings):
    """All of datadeed's configuration."""

    model_config = SettingsConfigDict(env_prefix="DATADEED_", extra="forbid")

    config_file: Path | None = Field(
        default=None,
        description="Optional TOML file with any of these settings (keys in lower case).",
    )
    env: Environment = Field(
        default=Environment.DEVELOPMENT,
        description="development, test or production. Production refuses placeholder secrets.",
    )
    home: Path = Field(
        default=Path("var"),
        description="Folder for the SQLite database, blobs and signing keys.",
    )
    database_url: str | None = Field(
        default=None,
        description="SQLAlchemy URL. Default: SQLite at HOME/datadeed.db. "
        "PostgreSQL: postgresql+psycopg://user:pass@host/db.",
    )
    secret_key: SecretStr = Field(
        default=SecretStr(PLACEHOLDER_SECRET),
        description="Key that signs cookies and CSRF tokens. Must be set in production.",
    )
    host: str = Field(default="127.0.0.1", description="Address `datadeed serve` binds to.")
    port: int = Field(default=8000, ge=1, le=65535, description="Port `datadeed serve` binds to.")
    base_url: str = Field(
        default="http://127.0.0.1:8000",
        description="Public URL of the platform, used in QR codes and links in certificates. "
        "Unset: the address `datadeed serve` binds to (http://HOST:PORT).",
    )
    default_locale: str = Field(default="zh_CN", description="Page language: zh_CN or en.")
    log_level: str = Field(default="INFO", description="Python logging level.")
    max_body_bytes: int = Field(
        default=1_048_576, ge=1024, description="Largest request body accepted outside uploads."
    )
    upload_max_bytes: int = Field(
        default=2_147_483_648, ge=1024, description="Largest dataset or evidence file accepted."
    )
    dataset_max_bytes: int = Field(
        default=2_147_483_648,
        ge=1024,
        description="Largest dataset file (or folder, in total) that intake reads.",
    )
    report_cache_max_bytes: int = Field(
        default=512 << 20,
        ge=0,
        description="Report PDFs kept under HOME/cache/reports; the least recently used go first.",
    )
    xlsx_max_uncompressed_bytes: int = Field(
        default=1 << 30, ge=1024, description="XLSX: largest total uncompressed size (zip bombs)."
    )
    xlsx_max_ratio: float = Field(
        default=200.0, gt=1, description="XLSX: largest compression ratio of any zip member."
    )
    xlsx_max_entries: int = Field(
        default=10_000, ge=1, description="XLSX: most files inside the workbook's zip."
    )
    xlsx_max_rows: int = Field(
        default=1_048_576, ge=1, description="XLSX: most rows read from a sheet."
    )
    xlsx_max_cells: int = Field(
        default=50_000_000, ge=1, description="XLSX: most cells (rows × columns) read from a sheet."
    )
    duckdb_memory_limit: str = Field(
        default="1GB", description="Memory limit of each DuckDB connection (intake, assessment)."
    )
    overlap_sketch_k: int = Field(
        default=256,
        ge=16,
        le=65_535,
        description="Size k of the bottom-k MinHash overlap sketch stored per dataset version "
        "(standard error ≤ 0.5/√k). Sketches of another k are not compared.",
    )
    quality_engine: Literal["duckdb", "spark"] = Field(
        default="duckdb", description="Engine of server-side assessments: duckdb or spark."
    )
    sensitive_important_pi_subjects: int = Field(
        default=10_000_000,
        ge=1,
        description="Sensitivity scan: personal information of this many people (rows) "
        "makes a dataset important data (GB/T 43697; number not confirmed).",
    )
    sensitive_important_spi_subjects: int = Field(
        default=1_000_000,
        ge=1,
        description="Sensitivity scan: sensitive personal information of this many people "
        "(rows) makes a dataset important data (number not confirmed).",
    )
    sensitive_k_min: int = Field(
        default=5, ge=2, description="De-identification check: smallest accepted k (k-anonymity)."
    )
    sensitive_l_min: int = Field(
        default=2, ge=1, description="De-identification check: smallest accepted l (l-diversity)."
    )
    sensitive_scan_on_upload: bool = Field(
        default=True,
        description="Scan every new dataset version for personal and important data as part "
        "of its upload (off: versions stay unscanned until scanned on demand).",
    )
    blob_backend: Literal["local", "s3"] = Field(
        default="local",
        description="Where dataset files are stored: local (HOME/blobs; development) or s3.",
    )
    object_store_endpoint_url: str | None = Field(
        default=None, description="S3-compatible endpoint URL (MinIO, Ceph …); None: AWS."
    )
    object_store_bucket: str | None = Field(
        default=None, description="Bucket of the s3 blob backend (S3-compatible object store)."
    )
    object_store_prefix: str = Field(default="", description="Key prefix inside the bucket.")
    object_store_region: str | None = Field(default=None, description="Region of the bucket.")
    object_store_access_key_id: str | None = Field(
        default=None, description="Access key id of the object store."
    )
    object_store_secret_access_key: SecretStr | None = Field(
        default=None, description="Secret access key of the object store."
    )
    assess_async_min_bytes: int = Field(
        default=8_388_608,
        ge=0,
        description="Uploads at least this large are assessed by a background job "
        "(smaller ones at once, in the request).",
    )
    job_worker: bool = Field(
        default=True, description="Run the in-process background job worker in `serve`."
    )
    job_poll_seconds: float = Field(
        default=2.0, gt=0, description="How often the job worker looks for queued jobs."
    )
    job_stale_after_seconds: int = Field(
        default=3600,
        ge=10,
        description="A running job silent this long is marked failed at the next start-up.",
    )
    session_ttl_hours: int = Field(default=12, ge=1, description="Lifetime of a page login.")
    token_ttl_days: int = Field(default=90, ge=1, description="Default lifetime of an API token.")
    password_min_length: int = Field(default=10, ge=8, description="Shortest accepted password.")
    login_max_failures: int = Field(
        default=5, ge=1, description="Failed logins per account within the window before refusal."
    )
    login_window_seconds: int = Field(
        default=900, ge=1, description="Window for counting failed logins, in seconds."
    )
    calendar_overrides: Path | None = Field(
        default=None,
        description="TOML file with extra holidays and make-up working days "
        "(for years the bundled calendar does not cover yet).",
    )
    calendar_strict: bool = Field(
        default=False,
        description="Refuse (calendar_not_covered) to count working days in a year that "
        "neither the bundled calendar nor calendar_overrides covers. When false, such a "
        "year counts Monday to Friday as working days and a warning is logged; load the "
        "State Council's notice for the year through calendar_overrides once published.",
    )
    ledger_origin: str = Field(
        default="datadeed.local/ledger",
        description="Origin line of the ledger's checkpoints (C2SP tlog-checkpoint): a "
        "schema-less URL naming this log, unique among logs.",
    )
    ledger_hash: Literal["sha256", "sm3"] = Field(
        default="sha256",
        description="Hash of the ledger's Merkle tree. Fixed when the first entry is written.",
    )
    ledger_key_algorithm: Literal["ed25519", "sm2"] = Field(
        default="ed25519", description="Signature algorithm of new ledger signing keys."
    )
    public_notice_workdays: int = Field(
        default=10, ge=1, description="Length of a registration public notice, in working days."
    )
    registration_time_limit_workdays: int = Field(
        default=10, ge=1, description="Time limit from acceptance to registration, in working days."
    )
    certificate_validity_profile: Literal["national", "jinan"] = Field(
        default="national",
        description="Certificate validity profile: national (3 years for every track) or "
        "jinan (data property 1 year, +1 per renewal); see docs/certificates.md.",
    )

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        sources: list[PydanticBaseSettingsSource] = [init_settings, env_settings]
        toml_path = os.environ.get("DATADEED_CONFIG_FILE")
        if toml_path:
            if not Path(toml_path).is_file():
                raise ConfigurationError(f"config file not found: {toml_path}")
            sources.append(TomlConfigSettingsSource(settings_cls, toml_file=toml_path))
        return tuple(sources)

    @model_validator(mode="after")
    def _refuse_placeholders_in_production(self) -> Settings:
        if self.env is Environment.PRODUCTION:
            if self.secret_key.get_secret_value() == PLACEHOLDER_SECRET:
                raise ConfigurationError("DATADEED_SECRET_KEY must be set in production")
            if len(self.secret_key.get_secret_value()) < 32:
                raise ConfigurationError("DATADEED_SECRET_KEY must be at least 32 characters")
        if self.default_locale not in ("zh_CN", "en"):
            raise ConfigurationError("DATADEED_DEFAULT_LOCALE must be zh_CN or en")
        if "base_url" not in self.model_fields_set:  # derived, so still "unset" afterwards
            self.__dict__["base_url"] = local_url(self.host, self.port)
        return self

    def serving_at(self, host: str | None, port: int | None) -> Settings:
        """These settings for a server bound to ``host``/``port`` (command-line overrides);
        an unset base URL follows the address."""
        if host is None and port is None:
            return self
        update: dict[str, Any] = {"host": host or self.host, "port": port or self.port}
        if "base_url" not in self.model_fields_set:
            update["base_url"] = local_url(update["host"], update["port"])
        return self.model_copy(update=update)

    @property
    def effective_database_url(self) -> str:
        return self.database_url or f"sqlite:///{(self.home / 'datadeed.db').resolve()}"

    @property
    def keys_dir(self) -> Path:
        return self.home / "keys"

    @property
    def blobs_dir(self) -> Path:
        return self.home / "blobs"

    def workday_calendar(self) -> WorkdayCalendar:
        """The mainland working-day calendar, with this deployment's overrides."""
        if self.calendar_overrides is None:
            return WorkdayCalendar(strict=self.calendar_strict)
        return WorkdayCalendar.from_toml(self.calendar_overrides, strict=self.calendar_strict)

    def public_view(self) -> dict[str, Any]:
        """Settings as shown by `datadeed config show`: secrets and passwords masked."""
        data = self.model_dump(mode="json")
        data["secret_key"] = "********"  # noqa: S105 - the mask
        data["database_url"] = _mask_url_password(self.effective_database_url)
        return data


def _mask_url_password(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings, read once on first use."""
    return Settings()


def local_url(host: str, port: int) -> str:
    """The URL of a server bound to ``host:port`` (a wildcard bind is reached on loopback)."""
    reachable = "127.0.0.1" if host in ("0.0.0.0", "::", "") else host  # noqa: S104
    return f"http://{reachable}:{port}"
