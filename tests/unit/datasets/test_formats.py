"""Format sniffing from content: delimiter, header, encoding, magic numbers."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from datadeed.datasets.charsets import TextEncoding
from datadeed.datasets.formats import (
    DELIMITERS,
    FileFormat,
    detect_format,
    looks_like_header,
    sniff_delimiter,
)
from tests.unit.datasets.conftest import write_jsonl, write_parquet, write_xlsx


@given(st.sampled_from(DELIMITERS), st.integers(min_value=2, max_value=6), st.data())
def test_delimiter_is_found_whatever_the_quoted_content(
    delimiter: str, width: int, data: st.DataObject
) -> None:
    # Values may hold the delimiter itself (the writer quotes them) and quotes, but not
    # the other candidates: "1,;;" is genuinely ambiguous.
    alphabet = 'ab中文 "1.' + delimiter
    cell = st.text(alphabet=st.sampled_from(alphabet), min_size=1, max_size=6)
    rows = data.draw(st.lists(st.lists(cell, min_size=width, max_size=width), min_size=2))
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter, lineterminator="\n").writerows(rows)
    assert sniff_delimiter(buffer.getvalue()) == delimiter


@pytest.mark.parametrize(
    ("rows", "expected"),
    [
        ([["name", "age"], ["张三", "30"], ["李四", "41"]], True),
        ([["1", "2"], ["3", "4"]], False),
        ([["region", "2023"], ["北京", "1.5"]], False),
        ([["a", "a"], ["x", "y"]], False),
        ([["city", "note"], ["北京", "首都"]], True),
        ([["id", "when"], ["1", "2024-01-05"]], True),
    ],
)
def test_header_heuristic(rows: list[list[str]], expected: bool) -> None:
    assert looks_like_header(rows) is expected


def test_binary_formats_are_recognised_whatever_their_name(tmp_path: Path) -> None:
    parquet = write_parquet(tmp_path / "really-parquet.csv")
    xlsx = write_xlsx(tmp_path / "really-xlsx.csv")
    jsonl = write_jsonl(tmp_path / "really-jsonl.txt")

    assert detect_format(parquet).kind is FileFormat.PARQUET
    assert detect_format(xlsx).kind is FileFormat.XLSX
    assert detect_format(jsonl).kind is FileFormat.JSONL


def test_encoding_from_a_sample(tmp_path: Path) -> None:
    gbk = tmp_path / "g.csv"
    gbk.write_bytes("名称,值\n北京,1\n".encode("gbk"))
    ascii_file = tmp_path / "a.csv"
    ascii_file.write_bytes(b"a,b\n1,2\n")

    assert detect_format(gbk).encoding is TextEncoding.GBK
    assert detect_format(ascii_file).encoding is TextEncoding.UTF8
    assert detect_format(ascii_file, delimiter=";").delimiter == ";"
