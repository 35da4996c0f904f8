"""Spark engine: the same metric plan rendered in Spark SQL, for data beyond one machine.

PySpark is imported only when this engine is used. Each assessment registers its
files as temporary views with a per-run suffix and drops them afterwards. A few SQL
settings (``_RUN_CONF``: UTC session time zone, no constraint propagation) are set for
the duration of an assessment and restored afterwards, so run one assessment at a time
per session.
"""

from __future__ import annotations

import functools
import os
import sys
import uuid
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlglot import exp

from datadeed.quality.checks import ColumnInfo, NeutralTypeOrOther
from datadeed.quality.engines.base import QualityEngine, rename_tables
from datadeed.quality.errors import EngineUnavailable, UnreadableDataset
from datadeed.quality.plan import ValuesShape
from datadeed.quality.udfs import IDENTIFIER_KINDS, is_valid, udf_name

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession

__all__ = ["SparkQualityEngine", "local_spark_session"]

_TYPES: dict[str, NeutralTypeOrOther] = {
    "StringType": "string",
    "VarcharType": "string",
    "CharType": "string",
    "ByteType": "integer",
    "ShortType": "integer",
    "IntegerType": "integer",
    "LongType": "integer",
    "FloatType": "float",
    "DoubleType": "float",
    "DecimalType": "decimal",
    "BooleanType": "boolean",
    "DateType": "date",
    "TimestampType": "timestamp",
    "TimestampNTZType": "timestamp",
    "BinaryType": "binary",
}


# Set for the duration of one assessment, then restored.
_RUN_CONF = {
    # Timestamps compare and print in UTC, as in the DuckDB engine.
    "spark.sql.session.timeZone": "UTC",
    # Constraint inference was exponential in the columns of a GROUPING SETS query over
    # the data (12 columns: seconds, 16: minutes); the plan never needs it.
    "spark.sql.constraintPropagation.enabled": "false",
}


def neutral_type(spark_type_name: str) -> NeutralTypeOrOther:
    return _TYPES.get(spark_type_name, "other")


def local_spark_session(
    *,
    master: str = "local[2]",
    shuffle_partitions: int = 2,
    driver_memory: str = "1g",
    extra_conf: Mapping[str, str] | None = None,
) -> SparkSession:
    """A small local session: no UI, loopback only, UTC, this interpreter for UDF workers."""
    try:
        from pyspark.sql import SparkSession
    except ImportError as e:
        raise EngineUnavailable("the Spark engine needs PySpark (and Java 17+)") from e
    os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    # UDF workers must run this interpreter (which can import datadeed); local mode
    # reads the variable, not the spark.pyspark.python setting.
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    conf = {
        "spark.ui.enabled": "false",
        "spark.ui.showConsoleProgress": "false",
        "spark.sql.shuffle.partitions": str(shuffle_partitions),
        "spark.default.parallelism": str(shuffle_partitions),
        "spark.driver.host": "127.0.0.1",
        "spark.driver.bindAddress": "127.0.0.1",
        "spark.driver.memory": driver_memory,
        "spark.sql.session.timeZone": "UTC",
        "spark.pyspark.python": sys.executable,
        "spark.pyspark.driver.python": sys.executable,
        **(extra_conf or {}),
    }
    builder = SparkSession.builder.master(master).appName("datadeed-quality")
    for key, value in conf.items():
        builder = builder.config(key, value)
    try:
        session = builder.getOrCreate()
    except Exception as e:  # Java missing or refusing to start: one clear error
        raise EngineUnavailable(f"cannot start a local Spark session: {e}") from e
    session.sparkContext.setLogLevel("ERROR")
    return session


class SparkQualityEngine(QualityEngine):
    """``SparkQualityEngine(session)``; without a session, a small local one is started."""

    name = "spark"

    def __init__(self, session: SparkSession | None = None) -> None:
        self._session = session

    @property
    def session(self) -> SparkSession:
        if self._session is None:
            self._session = local_spark_session()
        return self._session

    @contextmanager
    def executor(self) -> Iterator[_SparkExecutor]:
        session = self.session
        saved = {key: session.conf.get(key, None) for key in _RUN_CONF}
        for key, value in _RUN_CONF.items():
            session.conf.set(key, value)
        _register_udfs(session)
        executor = _SparkExecutor(session, uuid.uuid4().hex[:12])
        try:
            yield executor
        finally:
            executor.close()
            for key, old in saved.items():
                if old is None:
                    session.conf.unset(key)
                else:
                    session.conf.set(key, old)


def _register_udfs(session: SparkSession) -> None:
    from pyspark.sql.types import BooleanType

    for kind in IDENTIFIER_KINDS:
        session.udf.register(udf_name(kind), functools.partial(is_valid, kind), BooleanType())


class _SparkExecutor:
    # One GROUPING SETS stage instead of one stage per column.
    values_shape: ValuesShape = "grouping_sets"

    def __init__(self, session: SparkSession, run_id: str) -> None:
        self.session = session
        self.run_id = run_id
        self.views: dict[str, str] = {}

    def attach(self, table: str, path: Path) -> list[ColumnInfo]:
        if not path.is_file():
            raise UnreadableDataset(f"no such data file: {path.name}")
        view = f"{table}_{self.run_id}"
        try:
            frame = _read(self.session, path)
            frame.createOrReplaceTempView(view)
        except Exception as e:  # Spark raises many types; all mean "cannot read this"
            raise UnreadableDataset(f"cannot read {path.name}: {e}") from None
        self.views[table] = view
        return [
            ColumnInfo(f.name, neutral_type(type(f.dataType).__name__)) for f in frame.schema.fields
        ]

    def fetch(self, query: exp.Query) -> list[tuple[Any, ...]]:
        from pyspark.sql.types import TimestampType

        sql = rename_tables(query, self.views).sql(dialect="spark")
        frame = self.session.sql(sql)
        # PySpark returns TIMESTAMP (with local time zone) as naive local datetimes.
        local = [
            i for i, f in enumerate(frame.schema.fields) if isinstance(f.dataType, TimestampType)
        ]
        rows = [tuple(row) for row in frame.collect()]
        if not local:
            return rows
        return [tuple(_to_utc(v) if i in local else v for i, v in enumerate(r)) for r in rows]

    def close(self) -> None:
        for view in self.views.values():
            self.session.catalog.dropTempView(view)


def _to_utc(value: Any) -> Any:
    return value.astimezone(UTC) if isinstance(value, datetime) else value


def _read(session: SparkSession, path: Path) -> DataFrame:
    suffix = path.suffix.lower()
    if suffix in (".parquet", ".pq", ".parq"):
        return session.read.parquet(str(path))
    if suffix in (".json", ".jsonl", ".ndjson"):
        return session.read.json(str(path))
    sep = "\t" if suffix == ".tsv" else ","
    return session.read.csv(str(path), header=True, inferSchema=True, sep=sep, encoding="UTF-8")
