"""A formula as shown in a report: its symbol, the expression, the numbers put in, the result."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from pydantic import BaseModel, ConfigDict

__all__ = ["FEN", "RATE", "Step", "fen", "rate"]

FEN = Decimal("0.01")
RATE = Decimal("0.000001")


def fen(value: Decimal) -> Decimal:
    """Round half up to the fen (0.01 yuan)."""
    return value.quantize(FEN, rounding=ROUND_HALF_UP)


def rate(value: Decimal) -> Decimal:
    """Round a coefficient or rate to six decimals for display."""
    return value.quantize(RATE, rounding=ROUND_HALF_UP)


class Step(BaseModel):
    """One line of working: ``symbol = formula = substituted = value``."""

    model_config = ConfigDict(frozen=True)

    symbol: str
    formula: str
    substituted: str
    value: Decimal
