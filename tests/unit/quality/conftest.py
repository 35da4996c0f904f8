"""Fixtures for the quality engine: small real files, written with pyarrow.

The Spark tests carry the ``spark`` marker (deselect with ``-m "not spark"``) and share
one local session for the whole run; they are skipped where PySpark or Java is missing.
"""

from __future__ import annotations

import random
import shutil
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import pytest

from datadeed import identifiers
from datadeed.quality import DuckDBQualityEngine


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "spark: runs on a local PySpark session (Java 17)")


def resident_id(birth: str, seq: str = "123") -> str:
    body = "110101" + birth + seq
    return body + identifiers.resident_id_check_char(body)


def bank_card(body: str) -> str:
    return body + identifiers.luhn_check_digit(body)


def uscc(n: int) -> str:
    return identifiers.make_uscc(f"91330106MA2B{n:05d}")


def broken(code: str) -> str:
    """The same identifier with a wrong last character."""
    last = "1" if code[-1] != "1" else "2"
    return code[:-1] + last


def mixed_rows(n: int = 240, seed: int = 7) -> dict[str, list[Any]]:
    """A table with every column type, nulls, duplicates, CJK text and identifiers."""
    rnd = random.Random(seed)
    statuses = ["open", "closed", "pending", "O'Brien"]
    names = ["张三", "李四", "alice", "bob42", "X-9", " ", "王五", "carol"]
    rows: dict[str, list[Any]] = {k: [] for k in _SCHEMA.names}
    for i in range(n):
        start = date(2024, 1, 1) + timedelta(days=rnd.randrange(60))
        event = datetime(2024, 3, 1, 8) + timedelta(minutes=rnd.randrange(60 * 24 * 20))
        values = {
            "id": i if i % 37 else None,
            "account": f"A{i % 9}",
            "seq": i // 9 if i % 23 else i // 9 - 3,
            "amount": round(rnd.uniform(-5, 500), rnd.choice([1, 2, 3])),
            "price": Decimal(rnd.randrange(0, 99999)) / 100,
            "status": rnd.choice(statuses) if i % 11 else None,
            "name": rnd.choice(names) if i % 13 else None,
            "code": rnd.choice(["AB1234", "ab1234", "CD0001", "X12", "1234", "-12345"]),
            "active": rnd.random() < 0.7,
            "start_date": start,
            "end_date": start + timedelta(days=rnd.randrange(-3, 30)) if i % 17 else None,
            "event_time": event,
            "loaded_at": event + timedelta(hours=rnd.choice([1, 5, 30, 80])),
            "person_id": _id_value(rnd, i),
            "company": uscc(i % 50) if i % 19 else broken(uscc(i % 50)),
            "mobile": f"13{rnd.randrange(10**9):09d}" if i % 7 else "12345678901",
            "card": bank_card(f"62220210{i:07d}") if i % 5 else f"62220210{i:07d}9",
            "region": rnd.choice(["330100", "330106", "310000", "999999"]),
        }
        for k, v in values.items():
            rows[k].append(v)
    for k in rows:  # three exact duplicate rows
        rows[k].extend(rows[k][:3])
    return rows


def _id_value(rnd: random.Random, i: int) -> str | None:
    if i % 29 == 0:
        return None
    birth = f"19{rnd.randrange(50, 99)}0{rnd.randrange(1, 9)}1{rnd.randrange(0, 9)}"
    good = resident_id(birth, f"{i % 1000:03d}")
    return good if i % 6 else broken(good)


_SCHEMA = pa.schema(
    [
        ("id", pa.int64()),
        ("account", pa.string()),
        ("seq", pa.int64()),
        ("amount", pa.float64()),
        ("price", pa.decimal128(10, 2)),
        ("status", pa.string()),
        ("name", pa.string()),
        ("code", pa.string()),
        ("active", pa.bool_()),
        ("start_date", pa.date32()),
        ("end_date", pa.date32()),
        ("event_time", pa.timestamp("us")),
        ("loaded_at", pa.timestamp("us")),
        ("person_id", pa.string()),
        ("company", pa.string()),
        ("mobile", pa.string()),
        ("card", pa.string()),
        ("region", pa.string()),
    ]
)


def write_parquet(path: Path, rows: dict[str, list[Any]], schema: pa.Schema | None = None) -> Path:
    pq.write_table(pa.table(rows, schema=schema), path)
    return path


def write_csv(path: Path, rows: dict[str, list[Any]]) -> Path:
    pacsv.write_csv(pa.table(rows), path)
    return path


@pytest.fixture(scope="session")
def mixed() -> dict[str, list[Any]]:
    return mixed_rows()


@pytest.fixture(scope="session")
def mixed_parquet(tmp_path_factory: pytest.TempPathFactory, mixed: dict[str, list[Any]]) -> Path:
    return write_parquet(tmp_path_factory.mktemp("mixed") / "mixed.parquet", mixed, _SCHEMA)


@pytest.fixture(scope="session")
def regions_parquet(tmp_path_factory: pytest.TempPathFactory) -> Path:
    rows = {
        "code": ["330100", "330106", "310000", "110000"],
        "name": ["杭州", "西湖", "上海", "北京"],
    }
    return write_parquet(tmp_path_factory.mktemp("ref") / "regions.parquet", rows)


@pytest.fixture
def engine() -> DuckDBQualityEngine:
    return DuckDBQualityEngine(memory_limit="256MB", threads=2)


@pytest.fixture(scope="session")
def spark_session() -> Iterator[Any]:
    pytest.importorskip("pyspark")
    if shutil.which("java") is None:
        pytest.skip("Java is not installed")
    from datadeed.quality.engines.spark import local_spark_session

    session = local_spark_session(
        extra_conf={
            # Small data: skip JIT tiers and code generation, which cost more than they save.
            "spark.driver.extraJavaOptions": "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC",
            "spark.sql.codegen.wholeStage": "false",
            "spark.sql.codegen.factoryMode": "NO_CODEGEN",
            "spark.sql.adaptive.enabled": "false",
        }
    )
    yield session
    session.stop()
