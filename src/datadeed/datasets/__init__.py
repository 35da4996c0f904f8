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
- ``schemas``     ``OverlapFlag`` (what ``DatasetService.find_overlaps`` returns), API shapes
- ``services``    ``DatasetService``: upload, re-assess, rule sets, compare, overlaps, page
- ``storage``     the blob store and intake limits chosen by the settings
- ``rulesets``    checking a rule set's YAML, every problem with its line
- ``compare``     ``compare_versions``: schema, rows, quality delta
- ``overlaps``    ``find_overlaps`` over the stored MinHash sketches
- ``tasks``       the job handlers ``dataset.intake`` and ``quality.assess``
- ``report_view`` the quality report's charts, HTML and PDF
- ``demo``        demo datasets beyond the first uploads
"""

from datadeed.datasets.schemas import OverlapFlag

__all__ = ["OverlapFlag"]
