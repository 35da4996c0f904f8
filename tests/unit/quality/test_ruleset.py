"""Rule sets: YAML in and out, validation, ids, indicator mapping."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest

from datadeed.quality import InvalidRuleSet, load_ruleset, parse_ruleset, ruleset_to_yaml
from datadeed.quality.rules import DEFAULT_INDICATORS, FreshnessRule, RangeRule, ReferenceRule

YAML = """
version: "2025-06"
name: 企业名录
masked_columns: {contact: mobile}
rules:
  - {type: not_null, column: uscc}
  - {type: not_null, column: uscc}
  - {type: unique, columns: [uscc, year]}
  - {type: range, column: founded, min: 1949-10-01}
  - {type: freshness, column: updated, max_age: P30D}
  - {type: reference, column: region, dataset: codes/regions.parquet}
  - {type: expression, expression: "end >= start", weight: 2, id: period}
"""


def test_yaml_loads_with_typed_values_and_unique_ids() -> None:
    rs = parse_ruleset(YAML)
    assert (rs.version, rs.name) == ("2025-06", "企业名录")
    assert [r.rule_id for r in rs.rules][:3] == [
        "not_null:uscc",
        "not_null:uscc#2",
        "unique:uscc+year",
    ]
    assert isinstance(rs.rules[3], RangeRule) and rs.rules[3].min == date(1949, 10, 1)
    assert isinstance(rs.rules[4], FreshnessRule) and rs.rules[4].max_age == timedelta(days=30)
    assert rs.mask_kinds() == {"contact": "mobile"}


def test_yaml_round_trip() -> None:
    rs = parse_ruleset(YAML)
    text = ruleset_to_yaml(rs)
    assert "企业名录" in text
    assert parse_ruleset(text) == rs


def test_load_ruleset_anchors_reference_paths(tmp_path: Path) -> None:
    (tmp_path / "rules.yaml").write_text(YAML, encoding="utf-8")
    rule = load_ruleset(tmp_path / "rules.yaml").rules[5]
    assert isinstance(rule, ReferenceRule)
    assert rule.dataset == str(tmp_path / "codes" / "regions.parquet")


@pytest.mark.parametrize(
    ("rules", "message"),
    [
        ([{"type": "nope", "column": "a"}], "does not match any of the expected tags"),
        ([{"type": "not_null"}], "column"),
        ([{"type": "not_null", "column": "a", "colour": "red"}], "Extra inputs"),
        ([{"type": "range", "column": "a"}], "min, max or both"),
        ([{"type": "length", "column": "a", "min": 5, "max": 2}], "greater than max"),
        ([{"type": "precision", "column": "a", "precision": 2, "scale": 3}], "scale"),
        ([{"type": "regex", "column": "a", "pattern": "(?=x)"}], "not portable"),
        ([{"type": "regex", "column": "a", "pattern": "(unclosed"}], "invalid regular expression"),
        ([{"type": "identifier", "column": "a", "kind": "passport"}], "kind"),
        ([{"type": "reference", "column": "a"}], "exactly one"),
        ([{"type": "freshness", "column": "a"}], "either"),
        ([{"type": "freshness", "column": "a", "max_age": "-P1D"}], "negative"),
        ([{"type": "enum", "column": "a", "values": []}], "at least 1"),
        ([{"type": "not_null", "column": "a", "indicator": "speed.fast"}], "indicator"),
        (
            [
                {"type": "not_null", "column": "a", "id": "x"},
                {"type": "unique", "columns": ["a"], "id": "x"},
            ],
            "duplicate rule id",
        ),
    ],
)
def test_invalid_rules_are_refused_with_a_reason(
    rules: list[dict[str, object]], message: str
) -> None:
    with pytest.raises(InvalidRuleSet, match=message) as caught:
        parse_ruleset({"rules": rules})
    assert caught.value.code == "invalid_ruleset"


def test_bad_documents_are_refused() -> None:
    with pytest.raises(InvalidRuleSet, match="YAML"):
        parse_ruleset("rules: [unclosed")
    with pytest.raises(InvalidRuleSet, match="mapping"):
        parse_ruleset("- just a list")
    with pytest.raises(InvalidRuleSet, match="cannot read"):
        load_ruleset("/nonexistent/rules.yaml")
    assert parse_ruleset("").rules == []


def test_yaml_is_loaded_safely() -> None:
    with pytest.raises(InvalidRuleSet, match="YAML"):
        parse_ruleset("!!python/object/apply:os.system ['id']")


def test_every_rule_type_has_a_gbt36344_indicator() -> None:
    assert {i.dimension.value for i in DEFAULT_INDICATORS.values()} == {
        "normativity",
        "completeness",
        "accuracy",
        "consistency",
        "timeliness",
    }
    assert all(i.info.db31_code for i in DEFAULT_INDICATORS.values())
