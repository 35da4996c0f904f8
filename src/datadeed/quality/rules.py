"""Quality rules: typed, validated, versioned, loaded from YAML or dicts.

A rule set is a YAML document (or the equivalent dict)::

    version: "2025-06-01"          # the rule set's own version, copied into reports
    name: enterprise register
    masked_columns: {contact: mobile}
    rules:
      - {type: not_null, column: uscc}
      - {type: identifier, column: uscc, kind: uscc}
      - {type: unique, columns: [uscc]}
      - {type: range, column: capital, min: 0}
      - {type: expression, expression: "end_date >= start_date"}

Every rule counts A (values passing) and B (values evaluated); nulls are not evaluated
except by ``not_null``. Each rule type maps to a GB/T 36344 second-level indicator by
default (``DEFAULT_INDICATORS``); ``indicator:`` and ``db31_code:`` override it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Annotated, Any, ClassVar, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from datadeed.quality.errors import InvalidRuleSet
from datadeed.quality.expressions import parse_expression
from datadeed.quality.indicators import Indicator

__all__ = [
    "DEFAULT_INDICATORS",
    "EnumRule",
    "ExpressionRule",
    "FreshnessRule",
    "IdentifierKind",
    "IdentifierRule",
    "LengthRule",
    "MaskKind",
    "MaskedRule",
    "NotNullRule",
    "PrecisionRule",
    "RangeRule",
    "ReferenceRule",
    "RegexRule",
    "Rule",
    "RuleSet",
    "TemporalOrderRule",
    "UniqueRule",
    "load_ruleset",
    "parse_ruleset",
    "ruleset_to_yaml",
]

IdentifierKind = Literal["resident_id", "uscc", "bank_card", "mobile"]
MaskKind = Literal["resident_id", "uscc", "bank_card", "mobile", "full"]
Scalar = bool | int | float | str
Bound = int | float | datetime | date | str

# Lookarounds, backreferences and named groups are outside the subset that RE2
# (DuckDB) and java.util.regex (Spark) share, so one pattern would mean two things.
_NON_PORTABLE_REGEX = re.compile(r"\(\?[=!<P]|\\[1-9]|\\[AZz]")


class _RuleBase(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    default_indicator: ClassVar[Indicator]
    # A finer DB31/T 1523 code than the indicator's own, where the standard has one.
    default_db31_code: ClassVar[str | None] = None

    id: str | None = Field(None, min_length=1, max_length=200)
    indicator: Indicator | None = None
    db31_code: str | None = Field(None, pattern=r"^\d{6}$")
    weight: float = Field(1.0, gt=0, le=1000)
    description: str | None = None
    sample_columns: list[str] = Field(default_factory=list)

    @property
    def rule_id(self) -> str:
        """The id; always set on rules inside a :class:`RuleSet`."""
        return self.id or self.default_id()

    def default_id(self) -> str:
        return f"{self.type_name()}:{'+'.join(self.columns())}"

    def type_name(self) -> str:
        return str(getattr(self, "type"))  # noqa: B009 — every concrete rule has one

    def columns(self) -> list[str]:
        """The dataset columns the rule reads (sample columns excluded)."""
        return [str(getattr(self, "column"))]  # noqa: B009

    def effective_indicator(self) -> Indicator:
        return self.indicator or self.default_indicator

    def effective_db31_code(self) -> str | None:
        if self.db31_code:
            return self.db31_code
        if self.indicator is None and self.default_db31_code:
            return self.default_db31_code
        return self.effective_indicator().info.db31_code


class NotNullRule(_RuleBase):
    default_indicator = Indicator.ELEMENT_COMPLETENESS
    type: Literal["not_null"]
    column: str


class UniqueRule(_RuleBase):
    """A (compound) key: A = distinct keys, B = rows whose key has no null part."""

    default_indicator = Indicator.UNIQUENESS
    type: Literal["unique"]
    columns_: list[str] = Field(alias="columns", min_length=1)
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    def columns(self) -> list[str]:
        return list(self.columns_)


class RegexRule(_RuleBase):
    """The whole value (cast to text) must match ``pattern``."""

    default_indicator = Indicator.DATA_STANDARD
    default_db31_code = "010102"  # format constraint
    type: Literal["regex"]
    column: str
    pattern: str = Field(min_length=1, max_length=1000)

    @model_validator(mode="after")
    def _portable(self) -> RegexRule:
        if _NON_PORTABLE_REGEX.search(self.pattern):
            raise ValueError("lookarounds, backreferences and named groups are not portable")
        try:
            re.compile(self.pattern)
        except re.error as e:
            raise ValueError(f"invalid regular expression: {e}") from None
        return self


class EnumRule(_RuleBase):
    default_indicator = Indicator.DATA_STANDARD
    type: Literal["enum"]
    column: str
    values: list[Scalar] = Field(min_length=1)


class RangeRule(_RuleBase):
    """``min``/``max`` are numbers, dates or timestamps; either may be omitted."""

    default_indicator = Indicator.FORMAT_COMPLIANCE
    type: Literal["range"]
    column: str
    min: Bound | None = None
    max: Bound | None = None
    min_inclusive: bool = True
    max_inclusive: bool = True

    @model_validator(mode="after")
    def _one_bound(self) -> RangeRule:
        if self.min is None and self.max is None:
            raise ValueError("a range needs min, max or both")
        return self


class LengthRule(_RuleBase):
    """Text length (characters, after casting to text) between ``min`` and ``max``."""

    default_indicator = Indicator.DATA_STANDARD
    default_db31_code = "010103"  # length constraint
    type: Literal["length"]
    column: str
    min: int | None = Field(None, ge=0)
    max: int | None = Field(None, ge=0)

    @model_validator(mode="after")
    def _bounds(self) -> LengthRule:
        if self.min is None and self.max is None:
            raise ValueError("a length rule needs min, max or both")
        if self.min is not None and self.max is not None and self.min > self.max:
            raise ValueError("min is greater than max")
        return self


class PrecisionRule(_RuleBase):
    """At most ``precision`` digits of which at most ``scale`` after the point (DECIMAL(p,s))."""

    default_indicator = Indicator.FORMAT_COMPLIANCE
    type: Literal["precision"]
    column: str
    precision: int = Field(ge=1, le=38)
    scale: int = Field(0, ge=0, le=38)

    @model_validator(mode="after")
    def _scale(self) -> PrecisionRule:
        if self.scale > self.precision:
            raise ValueError("scale is greater than precision")
        return self


class IdentifierRule(_RuleBase):
    """Values validate as the identifier ``kind`` (datadeed.identifiers, DOMAIN.md §9)."""

    default_indicator = Indicator.CONTENT_CORRECTNESS
    type: Literal["identifier"]
    column: str
    kind: IdentifierKind


class MaskedRule(_RuleBase):
    """A security rule: no value is a raw (unmasked, valid) identifier of ``kind``."""

    default_indicator = Indicator.SECURITY
    type: Literal["masked"]
    column: str
    kind: IdentifierKind


class ReferenceRule(_RuleBase):
    """Values appear in a code list (``values``) or in a column of another dataset."""

    default_indicator = Indicator.REFERENCE_DATA
    type: Literal["reference"]
    column: str
    values: list[Scalar] | None = Field(None, min_length=1)
    dataset: str | None = Field(None, min_length=1)
    dataset_column: str | None = None

    @model_validator(mode="after")
    def _one_source(self) -> ReferenceRule:
        if (self.values is None) == (self.dataset is None):
            raise ValueError("a reference rule needs exactly one of values and dataset")
        return self

    @property
    def reference_column(self) -> str:
        return self.dataset_column or self.column

    def effective_indicator(self) -> Indicator:
        if self.indicator is None and self.dataset is not None:
            return Indicator.RELATED_DATA_CONSISTENCY
        return super().effective_indicator()

    def effective_db31_code(self) -> str | None:
        if self.db31_code is None and self.indicator is None and self.dataset is not None:
            return "040203"  # cross-table equality
        return super().effective_db31_code()


class ExpressionRule(_RuleBase):
    """A cross-field condition in the restricted expression language (expressions.py)."""

    default_indicator = Indicator.RELATED_DATA_CONSISTENCY
    default_db31_code = "040202"  # intra-table logic
    type: Literal["expression"]
    expression: str = Field(min_length=1)
    skip_nulls: bool = True

    @model_validator(mode="after")
    def _parses(self) -> ExpressionRule:
        parse_expression(self.expression)
        return self

    def columns(self) -> list[str]:
        return parse_expression(self.expression).columns

    def default_id(self) -> str:
        return f"expression:{self.expression}"


class FreshnessRule(_RuleBase):
    """Timestamp lag (``processed_column`` − ``column`` within ``max_lag``) or age.

    With ``max_age`` a value passes when it is no older than ``max_age`` before
    ``reference_time`` (default: the assessment's reference time).
    """

    default_indicator = Indicator.POINT_IN_TIME
    type: Literal["freshness"]
    column: str
    processed_column: str | None = None
    max_lag: timedelta | None = None
    max_age: timedelta | None = None
    reference_time: datetime | None = None

    @model_validator(mode="after")
    def _one_mode(self) -> FreshnessRule:
        lag = self.processed_column is not None and self.max_lag is not None
        age = self.max_age is not None and self.processed_column is None and self.max_lag is None
        if lag == age:
            raise ValueError("give either processed_column and max_lag, or max_age")
        for d in (self.max_lag, self.max_age):
            if d is not None and d < timedelta(0):
                raise ValueError("durations must not be negative")
        return self

    def columns(self) -> list[str]:
        extra = [self.processed_column] if self.processed_column else []
        return [self.column, *extra]


class TemporalOrderRule(_RuleBase):
    """``column`` never decreases (with ``strict``: always increases) along ``order_by``.

    B counts rows that have a predecessor in their group (``group_by``), A those not
    smaller than it. Rows with equal ``order_by`` are taken in ``column`` order.
    """

    default_indicator = Indicator.TEMPORAL_ORDER
    type: Literal["temporal_order"]
    column: str
    order_by: str
    group_by: list[str] = Field(default_factory=list)
    strict: bool = False

    def columns(self) -> list[str]:
        return [self.column, self.order_by, *self.group_by]


Rule = Annotated[
    NotNullRule
    | UniqueRule
    | RegexRule
    | EnumRule
    | RangeRule
    | LengthRule
    | PrecisionRule
    | IdentifierRule
    | MaskedRule
    | ReferenceRule
    | ExpressionRule
    | FreshnessRule
    | TemporalOrderRule,
    Field(discriminator="type"),
]

DEFAULT_INDICATORS: dict[str, Indicator] = {
    "not_null": NotNullRule.default_indicator,
    "unique": UniqueRule.default_indicator,
    "regex": RegexRule.default_indicator,
    "enum": EnumRule.default_indicator,
    "range": RangeRule.default_indicator,
    "length": LengthRule.default_indicator,
    "precision": PrecisionRule.default_indicator,
    "identifier": IdentifierRule.default_indicator,
    "masked": MaskedRule.default_indicator,
    "reference": ReferenceRule.default_indicator,
    "reference (dataset)": Indicator.RELATED_DATA_CONSISTENCY,
    "expression": ExpressionRule.default_indicator,
    "freshness": FreshnessRule.default_indicator,
    "temporal_order": TemporalOrderRule.default_indicator,
}


class RuleSet(BaseModel):
    """A versioned list of rules; ids are filled in and unique."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    version: str = Field("1", min_length=1, max_length=100)
    name: str | None = None
    masked_columns: dict[str, MaskKind] = Field(default_factory=dict)
    rules: list[Rule] = Field(default_factory=list)

    @model_validator(mode="after")
    def _ids(self) -> RuleSet:
        seen: set[str] = set()
        filled = []
        for rule in self.rules:
            rid = rule.id or _unique(rule.default_id(), seen)
            if rid in seen:
                raise ValueError(f"duplicate rule id {rid!r}")
            seen.add(rid)
            filled.append(rule if rule.id else rule.model_copy(update={"id": rid}))
        object.__setattr__(self, "rules", filled)
        return self

    def mask_kinds(self) -> dict[str, MaskKind]:
        """Columns whose values are masked in samples and profiles, with their mask."""
        kinds: dict[str, MaskKind] = {}
        for rule in self.rules:
            if isinstance(rule, IdentifierRule | MaskedRule):
                kinds[rule.column] = rule.kind
        return {**kinds, **self.masked_columns}


def _unique(base: str, seen: set[str]) -> str:
    n, candidate = 1, base
    while candidate in seen:
        n += 1
        candidate = f"{base}#{n}"
    return candidate


def parse_ruleset(source: str | Mapping[str, Any]) -> RuleSet:
    """Validate a rule set given as YAML text or as a dict."""
    if isinstance(source, str):
        try:
            data = yaml.safe_load(source)
        except yaml.YAMLError as e:
            raise InvalidRuleSet(f"rule set is not valid YAML: {e}") from None
    else:
        data = dict(source)
    if data is None:
        data = {}
    if not isinstance(data, Mapping):
        raise InvalidRuleSet("a rule set is a mapping with a 'rules' list")
    try:
        return RuleSet.model_validate(data)
    except ValidationError as e:
        raise InvalidRuleSet(_describe(e), errors=_errors(e)) from None


def load_ruleset(path: str | Path) -> RuleSet:
    """Read a YAML rule file; relative reference ``dataset`` paths are taken from its folder."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as e:
        raise InvalidRuleSet(f"cannot read rule file {path.name}: {e}") from None
    ruleset = parse_ruleset(text)
    rules = [_anchor(rule, path.parent) for rule in ruleset.rules]
    return ruleset.model_copy(update={"rules": rules})


def _anchor(rule: Any, folder: Path) -> Any:
    if isinstance(rule, ReferenceRule) and rule.dataset and not Path(rule.dataset).is_absolute():
        return rule.model_copy(update={"dataset": str(folder / rule.dataset)})
    return rule


def ruleset_to_yaml(ruleset: RuleSet) -> str:
    """The rule set as YAML, defaults left out, readable CJK."""
    data = ruleset.model_dump(mode="json", exclude_defaults=True, by_alias=True)
    data = {"version": ruleset.version, **data}
    data["rules"] = [_rule_data(r) for r in ruleset.rules]
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True)


def _rule_data(rule: Any) -> dict[str, Any]:
    data = {"type": rule.type_name()}
    data.update(rule.model_dump(mode="json", exclude_defaults=True, by_alias=True))
    if isinstance(rule, RangeRule):
        # Keep date bounds as YAML timestamps so they load back as dates, not text.
        for key in ("min", "max"):
            if isinstance(getattr(rule, key), date):
                data[key] = getattr(rule, key)
    return data


def _errors(e: ValidationError) -> list[dict[str, str]]:
    return [
        {"loc": ".".join(str(p) for p in err["loc"]), "msg": str(err["msg"])} for err in e.errors()
    ]


def _describe(e: ValidationError) -> str:
    parts = [f"{err['loc']}: {err['msg']}" for err in _errors(e)[:5]]
    more = f" (and {e.error_count() - 5} more)" if e.error_count() > 5 else ""
    return "invalid rule set: " + "; ".join(parts) + more
