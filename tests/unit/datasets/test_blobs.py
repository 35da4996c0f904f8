"""Content-addressed blob stores: dedup, limits, atomicity and key safety."""

from __future__ import annotations

import hashlib
import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from datadeed.datasets.blobs import BlobStore, LocalBlobStore, S3BlobStore, relative_key
from datadeed.datasets.errors import BlobNotFound, FileTooLarge, InvalidBlobKey

DATA = "城市,人口\n北京,2189\n".encode() * 1000


def chunks(data: bytes, size: int = 1000) -> Iterator[bytes]:
    for start in range(0, len(data), size):
        yield data[start : start + size]


def files_in(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file())


def test_put_stores_under_the_sha256_with_both_digests(tmp_path: Path) -> None:
    store = LocalBlobStore(tmp_path / "blobs")

    ref = store.put_stream(chunks(DATA))

    sha = hashlib.sha256(DATA).hexdigest()
    assert (ref.sha256, ref.sm3, ref.size) == (sha, hashlib.new("sm3", DATA).hexdigest(), len(DATA))
    assert store.path(sha) == (tmp_path / "blobs" / sha[:2] / sha[2:4] / sha).resolve()
    assert store.path(sha).read_bytes() == DATA
    with store.open(sha) as f:
        assert f.read() == DATA


def test_same_bytes_are_stored_once(tmp_path: Path) -> None:
    store = LocalBlobStore(tmp_path / "blobs")

    first = store.put_stream(chunks(DATA, 7))
    second = store.put_stream(chunks(DATA, 4096))

    assert first == second
    assert files_in(tmp_path / "blobs") == [store.path(first.sha256)]


def test_over_the_limit_is_refused_mid_stream_and_nothing_is_kept(tmp_path: Path) -> None:
    store = LocalBlobStore(tmp_path / "blobs")
    consumed = []

    def tracked() -> Iterator[bytes]:
        for chunk in chunks(DATA):
            consumed.append(len(chunk))
            yield chunk

    with pytest.raises(FileTooLarge) as caught:
        store.put_stream(tracked(), limit=5000)

    assert caught.value.code == "file_too_large"
    assert sum(consumed) <= 6000, "the stream must stop at the limit, not at its end"
    assert files_in(tmp_path / "blobs") == []


def test_a_failing_stream_leaves_nothing(tmp_path: Path) -> None:
    store = LocalBlobStore(tmp_path / "blobs")

    def broken() -> Iterator[bytes]:
        yield b"partial"
        raise ConnectionResetError("client went away")

    with pytest.raises(ConnectionResetError):
        store.put_stream(broken())
    assert files_in(tmp_path / "blobs") == []


@pytest.mark.parametrize(
    "key",
    [
        "../../etc/passwd",
        "/etc/passwd",
        "ab/../../x",
        "A" * 64,
        "g" * 64,
        "0" * 63,
        "0" * 64 + "/..",
        "",
    ],
)
def test_keys_that_are_not_digests_are_refused(tmp_path: Path, key: str) -> None:
    store = LocalBlobStore(tmp_path / "blobs")
    for operation in (store.path, store.open, store.exists, store.delete):
        with pytest.raises(InvalidBlobKey):
            operation(key)


def test_open_and_delete_missing_blobs(tmp_path: Path) -> None:
    store = LocalBlobStore(tmp_path / "blobs")
    ref = store.put_stream([DATA])

    assert store.exists(ref.sha256)
    assert store.delete(ref.sha256) is True
    assert store.delete(ref.sha256) is False
    assert not store.exists(ref.sha256)
    with pytest.raises(BlobNotFound):
        store.open(ref.sha256)


# --- S3: against moto's S3-compatible server, run as a separate local process ---------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def s3_endpoint() -> Iterator[str]:
    server = shutil.which("moto_server", path=str(Path(sys.executable).parent))
    if server is None:
        pytest.skip("moto[server] is not installed: no local S3-compatible server to test against")
    port = _free_port()
    process = subprocess.Popen(
        [server, "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                break
            except OSError:
                time.sleep(0.1)
        else:
            pytest.fail("moto_server did not start")
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture
def s3_store(s3_endpoint: str, monkeypatch: pytest.MonkeyPatch) -> S3BlobStore:
    for variable in ("AWS_PROFILE", "AWS_CONFIG_FILE", "AWS_SHARED_CREDENTIALS_FILE"):
        monkeypatch.delenv(variable, raising=False)
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    bucket = f"blobs-{os.urandom(4).hex()}"
    store = S3BlobStore(
        bucket,
        endpoint_url=s3_endpoint,
        access_key_id="testing",
        secret_access_key="testing",
        region="us-east-1",
        prefix="datasets",
    )
    store.client.create_bucket(Bucket=bucket)
    return store


def _objects(store: S3BlobStore) -> list[str]:
    listing = store.client.list_objects_v2(Bucket=store.bucket)
    return sorted(item["Key"] for item in listing.get("Contents", []))


def test_s3_store_round_trip_and_dedup(s3_store: S3BlobStore) -> None:
    store: BlobStore = s3_store

    first = store.put_stream(chunks(DATA))
    second = store.put_stream(chunks(DATA, 333))

    assert first == second
    sha = first.sha256
    assert _objects(s3_store) == [f"datasets/{sha[:2]}/{sha[2:4]}/{sha}"]
    with store.open(sha) as f:
        assert f.read() == DATA
    assert store.delete(sha) is True
    assert store.exists(sha) is False
    with pytest.raises(BlobNotFound):
        store.open(sha)


def test_s3_store_refuses_over_limit_and_bad_keys(s3_store: S3BlobStore) -> None:
    with pytest.raises(FileTooLarge):
        s3_store.put_stream(chunks(DATA), limit=100)
    with pytest.raises(InvalidBlobKey):
        s3_store.exists("../" + "0" * 61)
    assert _objects(s3_store) == []


def test_dataset_service_stores_uploads_in_the_configured_s3_bucket(
    s3_store: S3BlobStore, ledger, database_url: str, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    """blob_backend=s3 by settings alone: uploads land in the bucket, are read back for
    intake, and a refused file leaves no object behind."""
    from datadeed.accounts.roles import Role
    from datadeed.accounts.services import principal_for
    from datadeed.datasets.errors import BinaryFile
    from datadeed.datasets.services import DatasetService
    from tests.conftest import make_settings
    from tests.factories import UserFactory

    settings = make_settings(
        tmp_path,
        database_url,
        blob_backend="s3",
        object_store_endpoint_url=s3_store.client.meta.endpoint_url,
        object_store_bucket=s3_store.bucket,
        object_store_prefix="datasets",
        object_store_region="us-east-1",
        object_store_access_key_id="testing",
        object_store_secret_access_key="testing",
    )
    service = DatasetService(ledger.session, settings, ledger)
    assert isinstance(service.blobs, S3BlobStore)
    actor = principal_for(UserFactory(roles=[Role.DATA_MANAGER]))
    data = "编号,城市\n1,杭州\n2,宁波\n".encode()
    version = service.upload_version(actor, [data], name="对象存储里的数据")
    assert version.row_count == 2
    assert _objects(s3_store) == [f"datasets/{relative_key(version.sha256)}"]
    assert not (tmp_path / "blobs").exists() or not any((tmp_path / "blobs").rglob("*"))

    with pytest.raises(BinaryFile):
        service.upload_version(actor, [b"\x89PNG\r\n\x1a\n" + bytes(range(256))], name="坏文件")
    assert _objects(s3_store) == [f"datasets/{relative_key(version.sha256)}"]


def test_s3_backend_without_a_bucket_is_a_configuration_error(tmp_path: Path) -> None:
    from datadeed.datasets.storage import blob_store
    from datadeed.errors import ConfigurationError
    from tests.conftest import make_settings

    settings = make_settings(tmp_path, "sqlite://", blob_backend="s3")
    with pytest.raises(ConfigurationError, match="object_store_bucket"):
        blob_store(settings)
