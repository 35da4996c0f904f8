"""Errors of the quality engine, all under :class:`~datadeed.errors.DatadeedError`.

InvalidInput
├── InvalidRuleSet          422 invalid_ruleset        a rule file or dict fails validation
│   ├── InvalidExpression   422 invalid_expression     a cross-field expression is refused
│   └── UnknownColumn       422 unknown_column         a rule names a column the data lacks
└── UnreadableDataset       422 unreadable_dataset     the engine cannot read the file
ConfigurationError
└── EngineUnavailable       500 engine_unavailable     e.g. PySpark or Java missing
"""

from __future__ import annotations

from collections.abc import Sequence

from datadeed.errors import ConfigurationError, InvalidInput


class InvalidRuleSet(InvalidInput):
    code = "invalid_ruleset"
    status = 422
    title = "Invalid quality rule set"


class InvalidExpression(InvalidRuleSet):
    """A cross-field expression that does not parse or uses something not allowlisted."""

    code = "invalid_expression"
    title = "Invalid rule expression"

    def __init__(self, expression: str, reason: str) -> None:
        shown = expression if len(expression) <= 80 else expression[:77] + "..."
        super().__init__(f"expression {shown!r} refused: {reason}", reason=reason)
        self.expression = expression
        self.reason = reason


class UnknownColumn(InvalidRuleSet):
    code = "unknown_column"
    title = "Unknown column"

    def __init__(self, column: str, available: Sequence[str], where: str = "") -> None:
        place = f" in {where}" if where else ""
        super().__init__(
            f"unknown column {column!r}{place}; the dataset has {', '.join(available)}",
            column=column,
            available=list(available),
        )
        self.column = column


class UnreadableDataset(InvalidInput):
    code = "unreadable_dataset"
    status = 422
    title = "Dataset cannot be read"


class EngineUnavailable(ConfigurationError):
    code = "engine_unavailable"
    title = "Quality engine unavailable"
