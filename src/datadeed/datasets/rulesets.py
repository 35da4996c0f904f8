"""A dataset's declared quality rules, stored as numbered versions of YAML text.

Checking a text gives every problem with its line in the YAML, so the editor can point
at it: YAML syntax, rule validation (pydantic locations mapped back to YAML nodes),
columns the dataset does not have, and reference rules whose ``dataset`` is not another
dataset of the same holder named ``dataset:<id>`` (the server never reads a path a user
typed) or whose column that dataset lacks."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from typing import Any

import yaml

from datadeed.quality.errors import InvalidRuleSet
from datadeed.quality.rules import ReferenceRule, RuleSet, parse_ruleset

MAX_RULE_TEXT = 256 * 1024
DATASET_REF = re.compile(r"dataset:([1-9][0-9]{0,17})")
# The columns of a referenced dataset ("dataset:12"), or None when there is none to use.
ReferenceColumns = Callable[[str], Sequence[str] | None]


def referenced_datasets(ruleset: RuleSet) -> dict[str, int]:
    """``{"dataset:12": 12}`` for every reference rule naming another dataset."""
    out = {}
    for rule in ruleset.rules:
        if isinstance(rule, ReferenceRule) and rule.dataset is not None:
            match = DATASET_REF.fullmatch(rule.dataset)
            if match:
                out[rule.dataset] = int(match.group(1))
    return out


def check_rule_text(
    text: str,
    columns: Sequence[str] | None = None,
    reference_columns: ReferenceColumns | None = None,
) -> RuleSet:
    """The validated rule set, or ``InvalidRuleSet`` whose ``extra["errors"]`` lists
    ``{"line": int | None, "loc": str, "msg": str}`` for each problem."""
    if len(text.encode()) > MAX_RULE_TEXT:
        raise _rejected([{"line": None, "loc": "", "msg": "the rule set exceeds 256 KiB"}])
    root = _compose(text)
    try:
        ruleset = parse_ruleset(text)
    except InvalidRuleSet as exc:
        errors = exc.extra.get("errors") or [{"loc": "", "msg": exc.message}]
        raise _rejected([{**e, "line": _line(root, e["loc"])} for e in errors]) from None
    problems = list(_stored_rule_problems(ruleset, root, columns, reference_columns))
    if problems:
        raise _rejected(problems)
    return ruleset


def _compose(text: str) -> yaml.Node | None:
    try:
        return yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        problem = getattr(exc, "problem", None) or str(exc)
        raise _rejected([{"line": line, "loc": "", "msg": f"not valid YAML: {problem}"}]) from None


def _stored_rule_problems(
    ruleset: RuleSet,
    root: yaml.Node | None,
    columns: Sequence[str] | None,
    reference_columns: ReferenceColumns | None,
) -> Iterator[dict[str, Any]]:
    for index, rule in enumerate(ruleset.rules):
        loc = f"rules.{index}"
        if isinstance(rule, ReferenceRule) and rule.dataset is not None:
            problem = _reference_problem(rule, reference_columns)
            if problem:
                yield {
                    "line": _line(root, f"{loc}.dataset"),
                    "loc": f"{loc}.dataset",
                    "msg": problem,
                }
        missing = [c for c in rule.columns() if columns is not None and c not in columns]
        for column in missing:
            yield {
                "line": _line(root, loc),
                "loc": loc,
                "msg": f"unknown column {column!r}; the dataset has " + ", ".join(columns or []),
            }


def _reference_problem(rule: ReferenceRule, reference_columns: ReferenceColumns | None) -> str:
    name = rule.dataset or ""
    if not DATASET_REF.fullmatch(name) or reference_columns is None:
        return (
            "a reference names another dataset of yours as dataset:<id>, or lists the "
            f"allowed values; {name!r} is neither"
        )
    available = reference_columns(name)
    if available is None:
        return f"{name} is not a dataset of yours with an assessed version"
    if rule.reference_column not in available:
        return f"{name} has no column {rule.reference_column!r}; it has " + ", ".join(available)
    return ""


def _rejected(errors: list[dict[str, Any]]) -> InvalidRuleSet:
    first = errors[0]
    where = f"line {first['line']}: " if first.get("line") else ""
    more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
    return InvalidRuleSet(f"invalid rule set: {where}{first['msg']}{more}", errors=errors)


def _line(root: yaml.Node | None, loc: str) -> int | None:
    """The 1-based line of the deepest YAML node that ``loc`` (``rules.3.column``)
    reaches; parts that are not in the YAML (a union's tag) are skipped."""
    node, line = root, (root.start_mark.line + 1 if root is not None else None)
    for part in loc.split(".") if loc else []:
        child = _child(node, part)
        if child is None:
            continue
        node, line = child, child.start_mark.line + 1
    return line


def _child(node: yaml.Node | None, part: str) -> yaml.Node | None:
    if isinstance(node, yaml.SequenceNode) and part.isdigit():
        index = int(part)
        return node.value[index] if index < len(node.value) else None
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            if isinstance(key, yaml.ScalarNode) and key.value == part:
                return value  # type: ignore[no-any-return]
    return None
