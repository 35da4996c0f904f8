"""Each kind of bad input gets its own error with a stable code and leaves no file behind."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from datadeed.datasets import errors
from datadeed.datasets.intake import IntakeLimits, normalize, resolve_upload_path
from datadeed.datasets.spreadsheets import ZipLimits
from tests.unit.datasets.conftest import ROWS, write_csv, write_parquet, write_xlsx

PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00"


def refused(source: Path, out_dir: Path, **options: object) -> errors.DatasetInputError:
    with pytest.raises(errors.DatasetInputError) as caught:
        normalize(source, out_dir / "dataset.parquet", **options)  # type: ignore[arg-type]
    assert list(out_dir.iterdir()) == [], "nothing may be left behind"
    return caught.value


def test_empty_and_blank_files(data_dir: Path, out_dir: Path) -> None:
    empty = data_dir / "empty.csv"
    empty.write_bytes(b"")
    blank = data_dir / "blank.csv"
    blank.write_bytes(b"\n \r\n\n")

    assert refused(empty, out_dir).code == "empty_file"
    assert refused(blank, out_dir).code == "empty_file"


def test_header_only_is_refused_by_default(data_dir: Path, out_dir: Path) -> None:
    source = data_dir / "h.csv"
    source.write_text("城市,人口\n", encoding="utf-8")

    error = refused(source, out_dir)

    assert error.code == "header_only"
    assert "no data rows" in error.message


@pytest.mark.parametrize(
    ("text", "line", "found"),
    [("a,b,c\n1,2,3\n4,5,6,7\n", 3, 4), ("a,b,c\n1,2,3\n4,5,6\n7,8\n", 4, 2)],
)
def test_ragged_rows_report_the_line(
    text: str, line: int, found: int, data_dir: Path, out_dir: Path
) -> None:
    source = data_dir / "r.csv"
    source.write_text(text, encoding="utf-8")

    error = refused(source, out_dir)

    assert isinstance(error, errors.RaggedRows)
    assert (error.code, error.line, error.expected, error.found) == ("ragged_rows", line, 3, found)


def test_ragged_line_counts_physical_lines_of_multiline_fields(
    data_dir: Path, out_dir: Path
) -> None:
    source = data_dir / "r.csv"
    source.write_text('a,b\n"two\nlines",1\n2,3,4\n', encoding="utf-8")

    error = refused(source, out_dir)

    assert isinstance(error, errors.RaggedRows)
    assert error.line == 4


def test_unterminated_quote_is_malformed_csv(data_dir: Path, out_dir: Path) -> None:
    source = data_dir / "q.csv"
    source.write_text('a,b\n1,2\n"x"y,3\n', encoding="utf-8")

    error = refused(source, out_dir)

    assert isinstance(error, errors.MalformedCsv)
    assert error.line == 3


def test_invalid_utf8_reports_the_byte_offset(data_dir: Path, out_dir: Path) -> None:
    source = data_dir / "bad.csv"
    good = "名称,值\n北京,1\n".encode()
    source.write_bytes(good + b"bad\xff\xfe,2\n")

    error = refused(source, out_dir)

    assert isinstance(error, errors.InvalidEncoding)
    assert (error.code, error.offset, error.line) == ("invalid_encoding", len(good) + 3, 3)


def test_utf8_then_gbk_is_mixed(data_dir: Path, out_dir: Path) -> None:
    source = data_dir / "mixed.csv"
    head = "城市,值\n北京,1\n".encode()
    source.write_bytes(head + "上海,2\n".encode("gbk"))

    error = refused(source, out_dir)

    assert isinstance(error, errors.MixedEncodings)
    assert (error.first, error.second, error.offset, error.line) == (
        "utf-8",
        "gb18030",
        len(head),
        3,
    )


def test_gbk_then_utf8_is_mixed(data_dir: Path, out_dir: Path) -> None:
    source = data_dir / "mixed.csv"
    head = "城市,值\n北京,1\n".encode("gbk")
    source.write_bytes(head + b"x,2\n" + "上海,3\n".encode())

    error = refused(source, out_dir)

    assert isinstance(error, errors.MixedEncodings)
    assert (error.first, error.second, error.offset, error.line) == (
        "gbk",
        "utf-8",
        len(head) + 4,
        4,
    )


def test_mixed_encodings_far_into_a_large_file(data_dir: Path, out_dir: Path) -> None:
    source = data_dir / "big.csv"
    head = b"a,b\n" + "北京,1\n".encode("gbk") * 200_000  # > 1 MiB: several blocks
    source.write_bytes(head + "上海,2\n".encode())

    error = refused(source, out_dir)

    assert isinstance(error, errors.MixedEncodings)
    assert error.line == 200_002


def test_utf16_is_refused_as_unsupported(data_dir: Path, out_dir: Path) -> None:
    source = data_dir / "u16.csv"
    source.write_bytes("a,b\n1,2\n".encode("utf-16"))

    assert refused(source, out_dir).code == "unsupported_encoding"


def test_png_named_csv_is_refused_as_binary(data_dir: Path, out_dir: Path) -> None:
    source = data_dir / "photo.csv"
    source.write_bytes(PNG)

    error = refused(source, out_dir)

    assert isinstance(error, errors.BinaryFile)
    assert (error.code, error.looks_like) == ("binary_file", "a PNG image")


def test_nul_bytes_are_binary_whatever_the_magic(data_dir: Path, out_dir: Path) -> None:
    source = data_dir / "blob.csv"
    source.write_bytes(b"a,b\n1,\x00\x01\n")

    assert refused(source, out_dir).code == "binary_file"


def test_a_zip_that_is_not_a_workbook(data_dir: Path, out_dir: Path) -> None:
    source = data_dir / "data.xlsx"
    with zipfile.ZipFile(source, "w") as zf:
        zf.writestr("readme.txt", "hello")

    assert refused(source, out_dir).code == "unsupported_format"


def test_parquet_with_truncated_footer(data_dir: Path, out_dir: Path) -> None:
    source = write_parquet(data_dir / "t.parquet")
    source.write_bytes(source.read_bytes()[:-10])

    error = refused(source, out_dir)

    assert error.code == "corrupt_parquet"


def test_parquet_with_garbled_footer(data_dir: Path, out_dir: Path) -> None:
    source = write_parquet(data_dir / "g.parquet")
    data = bytearray(source.read_bytes())
    footer_length = int.from_bytes(data[-8:-4], "little")
    start = len(data) - 8 - footer_length
    data[start : start + 40] = b"\xff" * 40
    source.write_bytes(bytes(data))

    assert refused(source, out_dir).code == "corrupt_parquet"


def _zip_bomb(path: Path) -> Path:
    """A valid workbook plus an entry of 64 MiB of zeros (about 64 KiB on disk)."""
    write_xlsx(path)
    with (
        zipfile.ZipFile(path, "a", compression=zipfile.ZIP_DEFLATED) as zf,
        zf.open("xl/media/image1.bin", "w", force_zip64=True) as entry,
    ):
        zeros = b"\x00" * (1 << 20)
        for _ in range(64):
            entry.write(zeros)
    return path


def test_xlsx_zip_bomb_is_refused_by_ratio(data_dir: Path, out_dir: Path) -> None:
    source = _zip_bomb(data_dir / "bomb.xlsx")
    assert source.stat().st_size < 1 << 20

    error = refused(source, out_dir)

    assert isinstance(error, errors.SpreadsheetBomb)
    assert "compresses" in error.reason


def test_xlsx_declaring_too_much_is_refused(data_dir: Path, out_dir: Path) -> None:
    source = _zip_bomb(data_dir / "bomb.xlsx")
    limits = IntakeLimits(xlsx=ZipLimits(max_uncompressed_bytes=32 << 20, max_ratio=10_000))

    error = refused(source, out_dir, limits=limits)

    assert isinstance(error, errors.SpreadsheetBomb)
    assert "declares" in error.reason


@pytest.mark.parametrize(
    ("limits", "reason"),
    [(ZipLimits(max_rows=3), "more than 3 rows"), (ZipLimits(max_cells=20), "more than 20 cells")],
)
def test_xlsx_with_too_many_rows_or_cells_is_refused(
    data_dir: Path, out_dir: Path, limits: ZipLimits, reason: str
) -> None:
    source = write_xlsx(data_dir / "big.xlsx")  # a header and five rows of 8 columns

    error = refused(source, out_dir, limits=IntakeLimits(xlsx=limits))

    assert isinstance(error, errors.SpreadsheetTooLarge)
    assert (error.code, error.reason) == ("spreadsheet_too_large", reason)
    assert not any(out_dir.iterdir())


def test_file_over_the_size_limit(data_dir: Path, out_dir: Path) -> None:
    source = write_csv(data_dir / "d.csv")

    error = refused(source, out_dir, limits=IntakeLimits(max_bytes=64))

    assert isinstance(error, errors.FileTooLarge)
    assert (error.code, error.status, error.limit) == ("file_too_large", 413, 64)


def test_invalid_json_line_reports_the_line(data_dir: Path, out_dir: Path) -> None:
    source = data_dir / "d.jsonl"
    source.write_text('{"a": 1}\n{"a": 2\n{"a": 3}\n', encoding="utf-8")

    error = refused(source, out_dir)

    assert isinstance(error, errors.InvalidJsonLines)
    assert error.line is not None


def test_folder_with_different_columns(data_dir: Path, out_dir: Path) -> None:
    folder = data_dir / "parts"
    folder.mkdir()
    write_csv(folder / "a.csv", ROWS[:2])
    (folder / "b.csv").write_text("x,y\n1,2\n", encoding="utf-8")

    error = refused(folder, out_dir)

    assert isinstance(error, errors.SchemaMismatch)
    assert error.name == "b.csv"


def test_empty_folder(data_dir: Path, out_dir: Path) -> None:
    folder = data_dir / "nothing"
    folder.mkdir()

    assert refused(folder, out_dir).code == "empty_folder"


def test_paths_outside_the_upload_area(tmp_path: Path) -> None:
    root = tmp_path / "uploads"
    (root / "org1").mkdir(parents=True)
    (root / "org1" / "link").symlink_to(tmp_path)

    assert resolve_upload_path(root, "org1/data.csv") == (root / "org1" / "data.csv").resolve()
    for escape in ("../secret.csv", "/etc/passwd", "org1/../../x", "org1/link/x"):
        with pytest.raises(errors.PathOutsideUploadArea) as caught:
            resolve_upload_path(root, escape)
        assert caught.value.code == "path_outside_upload_area"
