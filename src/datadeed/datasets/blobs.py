"""Content-addressed blob store: a blob's key is the SHA-256 of its bytes.

``put_stream`` hashes (SHA-256 and SM3) while it writes to a temporary object, enforces the
size limit as bytes arrive, and publishes the blob under its digest only once complete: a
failed or refused upload leaves nothing. Storing the same bytes twice stores them once.
Keys are exactly 64 lowercase hex digits, so no key can name a path outside the store.

``LocalBlobStore`` keeps blobs under ``root/ab/cd/<sha256>``; ``S3BlobStore`` keeps them in
an S3-compatible bucket under ``prefix/ab/cd/<sha256>``.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, BinaryIO, Protocol

from datadeed.datasets.errors import BlobNotFound, InvalidBlobKey
from datadeed.datasets.fingerprint import MultiDigest

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client

_KEY = re.compile(r"[0-9a-f]{64}")


@dataclass(frozen=True)
class BlobRef:
    sha256: str
    sm3: str
    size: int


class BlobStore(Protocol):
    def put_stream(self, chunks: Iterable[bytes], limit: int | None = None) -> BlobRef:
        """Store the bytes; refuse (and keep nothing) past ``limit`` bytes."""
        ...

    def open(self, sha256: str) -> BinaryIO:
        """The blob's bytes, for reading; BlobNotFound if absent."""
        ...

    def exists(self, sha256: str) -> bool: ...

    def delete(self, sha256: str) -> bool:
        """Remove the blob; False if it was not there."""
        ...


def check_key(sha256: str) -> str:
    """``sha256`` if it is a valid key, else InvalidBlobKey."""
    if not isinstance(sha256, str) or not _KEY.fullmatch(sha256):
        raise InvalidBlobKey(str(sha256))
    return sha256


def relative_key(sha256: str) -> str:
    key = check_key(sha256)
    return f"{key[:2]}/{key[2:4]}/{key}"


class LocalBlobStore:
    """Blobs in a local folder (the default backend)."""

    def __init__(self, root: Path) -> None:
        self.root = root.resolve()
        self.root.mkdir(parents=True, exist_ok=True)

    def path(self, sha256: str) -> Path:
        """Where the blob lives (whether or not it exists); refuses any key that is not
        a SHA-256 hex digest, so the path is always inside the store."""
        path = (self.root / relative_key(sha256)).resolve()
        if not path.is_relative_to(self.root):
            raise InvalidBlobKey(sha256)
        return path

    def put_stream(self, chunks: Iterable[bytes], limit: int | None = None) -> BlobRef:
        digest = MultiDigest(limit, name="upload")
        fd, tmp_name = tempfile.mkstemp(prefix=".incoming-", dir=self.root)
        tmp = Path(tmp_name)
        try:
            with os.fdopen(fd, "wb") as out:
                for chunk in chunks:
                    digest.update(chunk)
                    out.write(chunk)
                out.flush()
                os.fsync(out.fileno())
            ref = _ref(digest)
            target = self.path(ref.sha256)
            if target.exists():
                tmp.unlink()
            else:
                target.parent.mkdir(parents=True, exist_ok=True)
                os.replace(tmp, target)
            return ref
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise

    def put_file(self, source: Path, limit: int | None = None) -> BlobRef:
        with source.open("rb") as f:
            return self.put_stream(iter(lambda: f.read(1 << 20), b""), limit)

    def open(self, sha256: str) -> BinaryIO:
        try:
            return self.path(sha256).open("rb")
        except FileNotFoundError:
            raise BlobNotFound(sha256) from None

    def exists(self, sha256: str) -> bool:
        return self.path(sha256).is_file()

    def delete(self, sha256: str) -> bool:
        try:
            self.path(sha256).unlink()
        except FileNotFoundError:
            return False
        return True


class S3BlobStore:
    """Blobs in an S3-compatible bucket (MinIO, Ceph, cloud object stores).

    The upload is first spooled to a local temporary file while it is hashed and checked
    against the limit, then sent under its final key (an S3 object becomes visible only
    once its upload completes, so readers never see a partial blob)."""

    def __init__(
        self,
        bucket: str,
        *,
        endpoint_url: str | None = None,
        access_key_id: str | None = None,
        secret_access_key: str | None = None,
        region: str | None = None,
        prefix: str = "",
        client: S3Client | None = None,
    ) -> None:
        if client is None:
            import boto3

            client = boto3.client(
                "s3",
                endpoint_url=endpoint_url,
                aws_access_key_id=access_key_id,
                aws_secret_access_key=secret_access_key,
                region_name=region,
            )
        self.client = client
        self.bucket = bucket
        self.prefix = prefix.strip("/")

    def key(self, sha256: str) -> str:
        relative = relative_key(sha256)
        return f"{self.prefix}/{relative}" if self.prefix else relative

    def put_stream(self, chunks: Iterable[bytes], limit: int | None = None) -> BlobRef:
        digest = MultiDigest(limit, name="upload")
        with tempfile.TemporaryFile() as spool:
            for chunk in chunks:
                digest.update(chunk)
                spool.write(chunk)
            ref = _ref(digest)
            if not self.exists(ref.sha256):
                spool.seek(0)
                self.client.upload_fileobj(spool, self.bucket, self.key(ref.sha256))
        return ref

    def open(self, sha256: str) -> BinaryIO:
        spool: IO[bytes] = tempfile.TemporaryFile()  # noqa: SIM115 - handed to the caller
        try:
            self.client.download_fileobj(self.bucket, self.key(sha256), spool)
        except Exception as exc:
            spool.close()
            if _is_missing(exc):
                raise BlobNotFound(sha256) from None
            raise
        spool.seek(0)
        return spool  # type: ignore[return-value]

    def exists(self, sha256: str) -> bool:
        try:
            self.client.head_object(Bucket=self.bucket, Key=self.key(sha256))
        except Exception as exc:
            if _is_missing(exc):
                return False
            raise
        return True

    def delete(self, sha256: str) -> bool:
        if not self.exists(sha256):
            return False
        self.client.delete_object(Bucket=self.bucket, Key=self.key(sha256))
        return True


def _ref(digest: MultiDigest) -> BlobRef:
    result = digest.result()
    return BlobRef(result.sha256, result.sm3, result.size)


def _is_missing(exc: Exception) -> bool:
    response: Any = getattr(exc, "response", None)
    code = str((response or {}).get("Error", {}).get("Code", ""))
    return code in ("404", "NoSuchKey", "NotFound")


def copy_blob(store: BlobStore, sha256: str, dest: Path) -> Path:
    """Write a blob to a local file (for engines that need a path)."""
    with store.open(sha256) as src, dest.open("wb") as out:
        shutil.copyfileobj(src, out)
    return dest
