"""Inline SVG charts: well-formed XML, escaped labels, missing values drawn apart."""

from __future__ import annotations

import math
import xml.etree.ElementTree as ET

import pytest

from datadeed.reports.charts import (
    bar_svg,
    histogram_counts,
    histogram_svg,
    radar_svg,
    text_width,
    tornado_svg,
)

SVG = "{http://www.w3.org/2000/svg}"
EVIL = '<script>alert("x")</script> & "名"'


def parse(markup: str) -> ET.Element:
    return ET.fromstring(str(markup))  # noqa: S314 (our own output, not untrusted)


def texts(root: ET.Element) -> list[str]:
    return [t.text or "" for t in root.iter(f"{SVG}text")]


@pytest.mark.parametrize(
    "chart",
    [
        lambda: radar_svg([(EVIL, 50.0), ("b", 10.0), ("c", None)]),
        lambda: bar_svg([(EVIL, 3.0)]),
        lambda: tornado_svg([(EVIL, 1.0, 3.0)], base=2.0),
    ],
)
def test_labels_are_escaped_and_the_svg_parses(chart) -> None:
    markup = str(chart())
    assert "<script>" not in markup
    assert "&lt;script&gt;" in markup
    root = parse(markup)  # raises on malformed XML
    assert root.tag == f"{SVG}svg"
    assert any("<script>" in t for t in texts(root))  # the text itself survives, escaped


def test_radar_draws_not_assessed_axes_dashed_and_skips_them_in_the_shape() -> None:
    root = parse(
        radar_svg([("规范性", 80.0), ("完整性", 100.0), ("准确性", None), ("一致性", 50.0)])
    )
    dashed = [e for e in root.iter() if e.get("class") == "not-assessed"]
    assert {e.tag for e in dashed} == {f"{SVG}line", f"{SVG}text"}
    assert "准确性 —" in texts(root)
    shape = [p for p in root.iter(f"{SVG}polygon") if p.get("fill-opacity")]
    assert len(shape) == 1
    assert len(shape[0].get("points", "").split()) == 3  # three assessed axes
    assert "Noto Sans CJK SC" in root.get("font-family", "")


def test_radar_puts_the_full_score_on_the_outer_ring() -> None:
    root = parse(radar_svg([("a", 100.0), ("b", 100.0), ("c", 100.0)], size=360))
    outer = [p for p in root.iter(f"{SVG}polygon") if not p.get("fill-opacity")][-1]
    shape = next(p for p in root.iter(f"{SVG}polygon") if p.get("fill-opacity"))
    assert outer.get("points") == shape.get("points")


def test_radar_with_everything_missing_has_no_shape() -> None:
    root = parse(radar_svg([("a", None), ("b", float("nan"))]))
    assert not [p for p in root.iter(f"{SVG}polygon") if p.get("fill-opacity")]
    assert not list(root.iter(f"{SVG}circle"))


@pytest.mark.parametrize(
    "chart",
    [
        lambda: radar_svg([], empty_label="无数据"),
        lambda: bar_svg([], empty_label="无数据"),
        lambda: tornado_svg([], base=1.0, empty_label="无数据"),
        lambda: histogram_svg([], empty_label="无数据"),
        lambda: histogram_svg([None, float("inf")], empty_label="无数据"),
    ],
)
def test_empty_input_says_so(chart) -> None:
    assert texts(parse(chart())) == ["无数据"]


def test_bars_scale_to_the_largest_value_and_print_units() -> None:
    root = parse(bar_svg([("a", 50.0), ("b", 100.0), ("c", float("nan")), ("d", -5.0)], unit="%"))
    widths = [float(r.get("width", "0")) for r in root.iter(f"{SVG}rect")]
    assert widths[1] == pytest.approx(2 * widths[0])
    assert widths[2] == widths[3] == 0
    assert {"50%", "100%", "—", "-5%"} <= set(texts(root))


def test_bars_respect_an_explicit_maximum() -> None:
    root = parse(bar_svg([("a", 0.5)], max_value=1.0))
    root_full = parse(bar_svg([("a", 1.0)], max_value=1.0))
    half = float(next(root.iter(f"{SVG}rect")).get("width", "0"))
    full = float(next(root_full.iter(f"{SVG}rect")).get("width", "0"))
    assert half == pytest.approx(full / 2)


def test_long_labels_are_clipped_with_the_full_text_in_the_title() -> None:
    label = "很长的列名" * 10
    root = parse(bar_svg([(label, 1.0)]))
    assert any(t.endswith("…") and len(t) < len(label) for t in texts(root))
    assert any(label in (t.text or "") for t in root.iter(f"{SVG}title"))


def test_tornado_bars_meet_at_the_base() -> None:
    root = parse(tornado_svg([("折现率", 80.0, 130.0)], base=100.0))
    low, high = list(root.iter(f"{SVG}rect"))
    assert float(low.get("x", "0")) + float(low.get("width", "0")) == pytest.approx(
        float(high.get("x", "0"))
    )
    # 20 below and 30 above the base: the widths keep that ratio
    assert float(high.get("width", "0")) / float(low.get("width", "0")) == pytest.approx(1.5)
    assert {"80", "130", "100"} <= set(texts(root))


def test_histogram_counts_every_finite_value_once() -> None:
    values = [0.0, 1.0, 2.0, 3.0, 4.0, 9.99, 10.0, None, math.nan]
    counts, lo, hi = histogram_counts(values, bins=5)
    assert (lo, hi) == (0.0, 10.0)
    assert counts == [2, 2, 1, 0, 2]


def test_histogram_of_one_repeated_value_is_one_bin() -> None:
    assert histogram_counts([3.0, 3.0, 3.0], bins=10) == ([3], 3.0, 3.0)
    assert len(list(parse(histogram_svg([3.0, 3.0])).iter(f"{SVG}rect"))) == 1


def test_cjk_text_is_wider_than_latin() -> None:
    assert text_width("数据") > text_width("ab")
