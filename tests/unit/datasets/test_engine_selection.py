"""The server's assessments run on the engine the settings choose (or the one a
re-assessment asks for), with the same numbers on both."""

from __future__ import annotations

import shutil
from typing import Any

import pytest

from datadeed.accounts.roles import Role
from datadeed.accounts.services import principal_for
from datadeed.datasets.services import DatasetService
from datadeed.errors import InvalidInput
from tests.conftest import make_settings
from tests.factories import UserFactory

CSV = "编号,城市,金额\n1,杭州,10.5\n2,宁波,\n3,温州,7\n3,温州,7\n".encode()


def _comparable(report: dict[str, Any]) -> dict[str, Any]:
    keep = ("row_count", "duplicate_rows", "score", "grade")
    columns = [(c["name"], c["null_count"], c["distinct_count"]) for c in report["columns"]]
    return {**{k: report[k] for k in keep}, "columns": columns}


@pytest.mark.spark
def test_spark_engine_by_settings_gives_the_duckdb_numbers(ledger, database_url, tmp_path) -> None:  # type: ignore[no-untyped-def]
    pytest.importorskip("pyspark")
    if shutil.which("java") is None:
        pytest.skip("Java is not installed")
    # The service starts (or joins) the local session itself, as the server would.
    actor = principal_for(UserFactory(roles=[Role.DATA_MANAGER]))
    spark = make_settings(tmp_path / "a", database_url, quality_engine="spark")
    duck = make_settings(tmp_path / "b", database_url)
    on_spark = DatasetService(ledger.session, spark, ledger).upload_version(
        actor, [CSV], name="火花"
    )
    on_duckdb = DatasetService(ledger.session, duck, ledger).upload_version(
        actor, [CSV], name="鸭子"
    )
    spark_report, duck_report = on_spark.reports[-1].report, on_duckdb.reports[-1].report
    assert (spark_report["engine"], duck_report["engine"]) == ("spark", "duckdb")
    assert _comparable(spark_report) == _comparable(duck_report)


def test_an_unknown_engine_is_refused(ledger, settings) -> None:  # type: ignore[no-untyped-def]
    actor = principal_for(UserFactory(roles=[Role.DATA_MANAGER]))
    service = DatasetService(ledger.session, settings, ledger)
    version = service.upload_version(actor, [CSV], name="引擎")
    with pytest.raises(InvalidInput, match="unknown engine"):
        service.request_assessment(actor, version.dataset_id, 1, engine="pandas")
