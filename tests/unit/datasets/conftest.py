"""Real files of one small dataset in every supported format, written into tmp_path."""

from __future__ import annotations

import csv
import datetime as dt
import json
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pytest

HEADER = ["城市", "id", "amount", "day", "at", "ok", "code", "note"]
ROWS: list[tuple[Any, ...]] = [
    ("北京", 1, 1.5, dt.date(2024, 1, 5), dt.datetime(2024, 1, 5, 8, 30), True, "007", "首都"),
    (
        "上海",
        2,
        2.25,
        dt.date(2024, 2, 29),
        dt.datetime(2024, 1, 6, 9, 0, 0, 500000),
        False,
        "010",
        None,
    ),
    (
        "广州",
        3,
        -0.1,
        dt.date(2023, 12, 31),
        dt.datetime(2023, 12, 31, 23, 59, 59),
        True,
        "020",
        "a\tb \\ c ",
    ),
    ("深圳", 4, 1e-05, None, None, None, "0755", "trailing space "),
    ("深圳", 4, 1e-05, None, None, None, "0755", "trailing space "),
]


def text_cell(value: Any) -> str:
    """How a CSV export writes the value (empty for NULL)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def write_csv(
    path: Path,
    rows: Sequence[Sequence[Any]] = ROWS,
    *,
    header: Sequence[str] = HEADER,
    encoding: str = "utf-8",
    delimiter: str = ",",
) -> Path:
    with path.open("w", newline="", encoding=encoding) as f:
        writer = csv.writer(f, delimiter=delimiter, lineterminator="\n")
        writer.writerow(header)
        writer.writerows([[text_cell(v) for v in row] for row in rows])
    return path


def write_parquet(path: Path, rows: Sequence[Sequence[Any]] = ROWS) -> Path:
    import pyarrow as pa
    import pyarrow.parquet as pq

    columns = list(zip(*rows, strict=True))
    table = pa.table({name: list(col) for name, col in zip(HEADER, columns, strict=True)})
    pq.write_table(table, path)
    return path


def write_jsonl(path: Path, rows: Sequence[Sequence[Any]] = ROWS) -> Path:
    with path.open("w", encoding="utf-8") as f:
        for row in rows:
            record = {
                k: (v.isoformat() if isinstance(v, dt.date) else v)
                for k, v in zip(HEADER, row, strict=True)
            }
            f.write(json.dumps(record, ensure_ascii=False) + "\n")
    return path


def write_xlsx(path: Path, rows: Sequence[Sequence[Any]] = ROWS) -> Path:
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(HEADER)
    for row in rows:
        sheet.append(list(row))
    workbook.save(path)
    return path


Writer = Callable[[Path], Path]


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "in"
    folder.mkdir()
    return folder


@pytest.fixture
def out_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "out"
    folder.mkdir()
    return folder
