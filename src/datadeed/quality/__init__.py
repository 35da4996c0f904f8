"""Quality assessment on the data itself (GB/T 36344-2018, DB31/T 1523-2024 A/B formulas).

    rules.py        typed rule definitions, YAML in and out
    expressions.py  the safe cross-field expression language
    checks.py       each rule compiled to dialect-neutral sqlglot nodes
    plan.py         every metric, once, as sqlglot query trees
    assess.py       runs a plan on an engine's executor, builds the report
    engines/        DuckDB (default) and Spark executors
    scoring.py      A/B → indicator → dimension → score, grade, high-quality predicate
    report.py       the JSON report and its digest
    suggest.py      rules proposed from a profile

Typical use::

    from datadeed.quality import DuckDBQualityEngine, load_ruleset
    report = DuckDBQualityEngine().assess("data.parquet", load_ruleset("rules.yaml"))
    print(report.score, report.grade, report.digest)
"""

from __future__ import annotations

from datadeed.quality.engines import DuckDBQualityEngine, QualityEngine, get_engine
from datadeed.quality.errors import (
    EngineUnavailable,
    InvalidExpression,
    InvalidRuleSet,
    UnknownColumn,
    UnreadableDataset,
)
from datadeed.quality.indicators import Dimension, Indicator
from datadeed.quality.plan import AssessOptions
from datadeed.quality.report import QualityReport
from datadeed.quality.rules import RuleSet, load_ruleset, parse_ruleset, ruleset_to_yaml
from datadeed.quality.scoring import (
    DEFAULT_WEIGHT_PROFILE,
    WeightProfile,
    grade_for,
    high_quality_eligibility,
    score_contributions,
)
from datadeed.quality.suggest import suggest_rules, suggest_rules_yaml

__all__ = [
    "DEFAULT_WEIGHT_PROFILE",
    "AssessOptions",
    "Dimension",
    "DuckDBQualityEngine",
    "EngineUnavailable",
    "Indicator",
    "InvalidExpression",
    "InvalidRuleSet",
    "QualityEngine",
    "QualityReport",
    "RuleSet",
    "UnknownColumn",
    "UnreadableDataset",
    "WeightProfile",
    "get_engine",
    "grade_for",
    "high_quality_eligibility",
    "load_ruleset",
    "parse_ruleset",
    "ruleset_to_yaml",
    "score_contributions",
    "suggest_rules",
    "suggest_rules_yaml",
]
