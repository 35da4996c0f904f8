"""Every supported format reads to the same canonical data and content fingerprint."""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path
from typing import Any

import duckdb
import pytest

from datadeed.datasets.charsets import TextEncoding
from datadeed.datasets.fingerprint import fingerprint_parquet
from datadeed.datasets.formats import FileFormat
from datadeed.datasets.intake import NormalizedDataset, normalize
from tests.unit.datasets.conftest import (
    HEADER,
    ROWS,
    write_csv,
    write_jsonl,
    write_parquet,
    write_xlsx,
)


def read_back(dataset: NormalizedDataset) -> list[tuple[Any, ...]]:
    with duckdb.connect() as conn:
        return conn.execute("SELECT * FROM read_parquet(?)", [str(dataset.path)]).fetchall()


def sorted_rows(rows: list[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
    return sorted(rows, key=repr)


FORMATS = {
    "csv": lambda d: write_csv(d / "data.csv"),
    "csv-bom": lambda d: write_csv(d / "data.csv", encoding="utf-8-sig"),
    "csv-gbk": lambda d: write_csv(d / "data.csv", encoding="gbk"),
    "tsv": lambda d: write_csv(d / "data.tsv", delimiter="\t"),
    "semicolon": lambda d: write_csv(d / "data.csv", delimiter=";"),
    "pipe": lambda d: write_csv(d / "data.txt", delimiter="|"),
    "parquet": lambda d: write_parquet(d / "data.parquet"),
    "jsonl": lambda d: write_jsonl(d / "data.jsonl"),
    "xlsx": lambda d: write_xlsx(d / "data.xlsx"),
}


@pytest.mark.parametrize("kind", sorted(FORMATS))
def test_every_format_reads_to_the_same_rows_and_fingerprint(
    kind: str, data_dir: Path, out_dir: Path
) -> None:
    source = FORMATS[kind](data_dir)
    dataset = normalize(source, out_dir / "canonical.parquet")

    assert [c.name for c in dataset.columns] == HEADER
    assert dataset.row_count == len(ROWS)
    assert read_back(dataset) == ROWS
    reference = normalize(write_parquet(data_dir / "ref.parquet"), out_dir / "ref.parquet")
    assert fingerprint_parquet(dataset.path).content == fingerprint_parquet(reference.path).content


def test_detected_format_reports_encoding_and_dialect(data_dir: Path, out_dir: Path) -> None:
    gbk = normalize(write_csv(data_dir / "g.csv", encoding="gbk"), out_dir / "g.parquet")
    bom = normalize(write_csv(data_dir / "b.csv", encoding="utf-8-sig"), out_dir / "b.parquet")
    tsv = normalize(write_csv(data_dir / "t.csv", delimiter="\t"), out_dir / "t.parquet")

    assert gbk.format.encoding is TextEncoding.GBK
    assert bom.format.encoding is TextEncoding.UTF8_BOM
    assert (tsv.format.kind, tsv.format.delimiter, tsv.format.has_header) == (
        FileFormat.TSV,
        "\t",
        True,
    )


def test_gb18030_only_characters_are_reported_as_gb18030(data_dir: Path, out_dir: Path) -> None:
    rows = [("𠀀", 1, 1.5, None, None, None, "x", "中文")]
    source = write_csv(data_dir / "g.csv", rows, encoding="gb18030")

    dataset = normalize(source, out_dir / "g.parquet")

    assert dataset.format.encoding is TextEncoding.GB18030
    assert read_back(dataset)[0][0] == "𠀀"


def test_column_types_are_inferred_without_losing_digits(data_dir: Path, out_dir: Path) -> None:
    source = data_dir / "types.csv"
    source.write_text(
        "zip,card,big,ratio,flag,when,zoned\n"
        "010010,9622021234567890123,12345678901234567,0.10,TRUE,2024-01-05,2024-01-05T08:00:00+08:00\n"
        "200000,9622021234567890124,1,2,false,2024-01-06,2024-01-05T00:00:00Z\n",
        encoding="utf-8",
    )

    dataset = normalize(source, out_dir / "t.parquet")

    types = {c.name: c.type for c in dataset.columns}
    assert types == {
        "zip": "VARCHAR",
        "card": "VARCHAR",
        "big": "BIGINT",
        "ratio": "DOUBLE",
        "flag": "BOOLEAN",
        "when": "DATE",
        "zoned": "TIMESTAMP WITH TIME ZONE",
    }
    first = read_back(dataset)[0]
    assert first[:4] == ("010010", "9622021234567890123", 12345678901234567, 0.1)
    assert first[6] == dt.datetime(2024, 1, 5, 0, 0, tzinfo=dt.UTC)


def test_quoted_empty_string_is_not_null(data_dir: Path, out_dir: Path) -> None:
    source = data_dir / "e.csv"
    source.write_text('a,b\n"",1\n,2\n', encoding="utf-8")

    assert read_back(normalize(source, out_dir / "e.parquet")) == [("", 1), (None, 2)]


def test_a_folder_is_one_dataset_without_a_source_column(data_dir: Path, out_dir: Path) -> None:
    folder = data_dir / "parts"
    folder.mkdir()
    write_csv(folder / "a.csv", ROWS[:2])
    write_csv(folder / "b.csv", ROWS[2:], encoding="gbk", delimiter=";")
    (folder / ".hidden.csv").write_text("junk\x00", encoding="utf-8")

    dataset = normalize(folder, out_dir / "folder.parquet")
    whole = normalize(write_csv(data_dir / "whole.csv"), out_dir / "whole.parquet")

    assert [c.name for c in dataset.columns] == HEADER
    assert read_back(dataset) == ROWS
    assert [(s.name, s.rows) for s in dataset.sources] == [("a.csv", 2), ("b.csv", 3)]
    assert fingerprint_parquet(dataset.path).content == fingerprint_parquet(whole.path).content


def test_folder_files_may_order_columns_differently(data_dir: Path, out_dir: Path) -> None:
    folder = data_dir / "parts"
    folder.mkdir()
    (folder / "a.csv").write_text("x,y\n1,a\n", encoding="utf-8")
    (folder / "b.csv").write_text("y,x\nb,2\n", encoding="utf-8")

    dataset = normalize(folder, out_dir / "f.parquet")

    assert read_back(dataset) == [(1, "a"), (2, "b")]


def test_fingerprint_ignores_row_and_column_order(data_dir: Path, out_dir: Path) -> None:
    shuffled = list(ROWS)
    random.Random(4).shuffle(shuffled)
    a = normalize(write_parquet(data_dir / "a.parquet"), out_dir / "a.parquet")
    b = normalize(write_jsonl(data_dir / "b.jsonl", shuffled), out_dir / "b.parquet")
    reordered = data_dir / "c.csv"
    reordered.write_text("y,x\nb,2\na,1\n", encoding="utf-8")
    straight = data_dir / "d.csv"
    straight.write_text("x,y\n1,a\n2,b\n", encoding="utf-8")

    assert fingerprint_parquet(a.path).content == fingerprint_parquet(b.path).content
    assert (
        fingerprint_parquet(normalize(reordered, out_dir / "c.parquet").path).content
        == fingerprint_parquet(normalize(straight, out_dir / "d.parquet").path).content
    )


def test_fingerprint_changes_with_one_cell_or_one_duplicate(data_dir: Path, out_dir: Path) -> None:
    changed = [*ROWS[:-1], (*ROWS[-1][:-1], "trailing space")]  # one trailing space less
    base = fingerprint_parquet(write_parquet(data_dir / "a.parquet")).content
    one_cell = fingerprint_parquet(write_parquet(data_dir / "b.parquet", changed)).content
    duplicate = fingerprint_parquet(write_parquet(data_dir / "c.parquet", [*ROWS, ROWS[0]]))

    assert len({base.content, one_cell.content, duplicate.content.content}) == 3
    assert (base.row_count, base.distinct_rows) == (5, 4)
    assert (duplicate.content.row_count, duplicate.content.distinct_rows) == (6, 4)


def test_header_only_can_be_allowed_and_is_flagged(data_dir: Path, out_dir: Path) -> None:
    source = data_dir / "h.csv"
    source.write_text("a,b\n", encoding="utf-8")

    dataset = normalize(source, out_dir / "h.parquet", allow_header_only=True)

    assert dataset.header_only
    assert [c.name for c in dataset.columns] == ["a", "b"]


def test_header_sniffing_can_be_overridden(data_dir: Path, out_dir: Path) -> None:
    source = data_dir / "n.csv"
    source.write_text("alpha,beta\ngamma,delta\n", encoding="utf-8")

    sniffed = normalize(source, out_dir / "a.parquet")
    forced = normalize(source, out_dir / "b.parquet", header=False)

    assert sniffed.row_count == 1
    assert [c.name for c in forced.columns] == ["column0", "column1"]
    assert forced.row_count == 2
