"""The blob store and intake limits chosen by the settings (production backends by
configuration, not code: STYLE.md)."""

from __future__ import annotations

import logging

from datadeed.config import Settings
from datadeed.datasets.blobs import BlobStore, LocalBlobStore, S3BlobStore
from datadeed.datasets.intake import IntakeLimits
from datadeed.datasets.spreadsheets import ZipLimits
from datadeed.errors import ConfigurationError

log = logging.getLogger("datadeed.datasets")
_announced = False


def blob_store(settings: Settings) -> BlobStore:
    """``LocalBlobStore`` under HOME/blobs (announced once as a development backend) or
    ``S3BlobStore`` on the configured bucket."""
    if settings.blob_backend == "s3":
        if not settings.object_store_bucket:
            raise ConfigurationError("blob_backend is s3 but object_store_bucket is not set")
        secret = settings.object_store_secret_access_key
        return S3BlobStore(
            settings.object_store_bucket,
            endpoint_url=settings.object_store_endpoint_url,
            access_key_id=settings.object_store_access_key_id,
            secret_access_key=secret.get_secret_value() if secret else None,
            region=settings.object_store_region,
            prefix=settings.object_store_prefix,
        )
    _announce_local(settings)
    return LocalBlobStore(settings.blobs_dir)


def _announce_local(settings: Settings) -> None:
    global _announced
    if not _announced and settings.env.value == "production":
        log.warning("dataset files are stored in a local folder (%s)", settings.blobs_dir)
        _announced = True


def intake_limits(settings: Settings) -> IntakeLimits:
    return IntakeLimits(
        max_bytes=min(settings.dataset_max_bytes, settings.upload_max_bytes),
        xlsx=ZipLimits(
            max_uncompressed_bytes=settings.xlsx_max_uncompressed_bytes,
            max_ratio=settings.xlsx_max_ratio,
            max_entries=settings.xlsx_max_entries,
            max_rows=settings.xlsx_max_rows,
            max_cells=settings.xlsx_max_cells,
        ),
        memory_limit=settings.duckdb_memory_limit,
    )
