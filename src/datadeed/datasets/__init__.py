"""Datasets: intake (CSV/TSV, Parquet, JSON Lines, XLSX, folders, database tables and
queries → one canonical Parquet file), the content-addressed blob store, and fingerprints
(SHA-256/SM3 file digests, the order- and format-independent content fingerprint, and the
MinHash overlap sketch).

Library modules (no HTTP) and the dataset service. Modules:

- ``formats``     what a file is, from its bytes (``detect_format`` → ``DetectedFormat``)
- ``charsets``    UTF-8 / UTF-8 BOM / GBK / GB18030, whole-file check and transcoding
- ``intake``      ``normalize(source, dest)`` → ``NormalizedDataset``
- ``sources``     ``read_table`` / ``read_query`` from SQLite or PostgreSQL
- ``blobs``       ``BlobStore``, ``LocalBlobStore``, ``S3BlobStore``
- ``fingerprint`` ``file_digests``, ``fingerprint_parquet`` → ``DatasetFingerprint``
- ``minhash``     ``MinHashSketch``, ``estimate_overlap``
- ``errors``      the error classes, each with a stable code
- ``schemas``     ``OverlapFlag`` (what ``DatasetService.find_overlaps`` returns)
- ``services``    ``DatasetService``: the use cases on the dataset tables
"""

from datadeed.datasets.schemas import OverlapFlag

__all__ = ["OverlapFlag"]
