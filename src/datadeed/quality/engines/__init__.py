"""Quality engines: one metric plan (plan.py), rendered per SQL dialect.

``DuckDBQualityEngine`` is the default. ``SparkQualityEngine`` imports PySpark only
when used; :func:`get_engine` picks one by name.
"""

from __future__ import annotations

from typing import Any

from datadeed.quality.engines.base import QualityEngine
from datadeed.quality.engines.duckdb import DuckDBQualityEngine

__all__ = ["ENGINES", "DuckDBQualityEngine", "QualityEngine", "get_engine"]

ENGINES = ("duckdb", "spark")


def get_engine(name: str = "duckdb", **options: Any) -> QualityEngine:
    """``get_engine("duckdb", memory_limit="2GB")`` or ``get_engine("spark", session=s)``."""
    if name == "duckdb":
        return DuckDBQualityEngine(**options)
    if name == "spark":
        from datadeed.quality.engines.spark import SparkQualityEngine

        return SparkQualityEngine(**options)
    raise ValueError(f"unknown quality engine {name!r}; choose one of {', '.join(ENGINES)}")
