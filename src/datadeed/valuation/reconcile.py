"""Reconciliation: V = Σ_a w_a × V_a over the approaches used, each weight with a reason.

Weights are non-negative and sum to 1. The CAS guidance asks for two or more approaches
when conditions allow; a single approach is accepted with weight 1, and its reason must
then say why the others could not be used.
"""

from __future__ import annotations

from decimal import Decimal

from pydantic import BaseModel, ConfigDict, Field

from datadeed.errors import InvalidInput
from datadeed.valuation.steps import Step, fen

__all__ = ["Reconciliation", "ReconciliationInputs", "reconcile"]

_TOLERANCE = Decimal("0.000001")


class WeightedApproach(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    weight: Decimal = Field(ge=0, le=1)
    reason: str = Field(min_length=1, max_length=1000)


class ReconciliationInputs(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    weights: dict[str, WeightedApproach] = Field(min_length=1)


class Reconciliation(BaseModel):
    model_config = ConfigDict(frozen=True)

    value: Decimal
    weights: dict[str, Decimal]
    reasons: dict[str, str]
    single_approach: bool
    step: Step


def reconcile(values: dict[str, Decimal], inputs: ReconciliationInputs) -> Reconciliation:
    """Weighted value of the approaches in ``values``; weights must cover exactly those."""
    if set(values) != set(inputs.weights):
        raise InvalidInput(
            f"reconciliation weights are given for {sorted(inputs.weights)}, "
            f"but the approaches used are {sorted(values)}"
        )
    total = sum((w.weight for w in inputs.weights.values()), Decimal(0))
    if abs(total - 1) > _TOLERANCE:
        raise InvalidInput(f"reconciliation weights must sum to 1, not {total}")
    names = sorted(values)
    value = fen(sum((inputs.weights[a].weight * values[a] for a in names), Decimal(0)))
    return Reconciliation(
        value=value,
        weights={a: inputs.weights[a].weight for a in names},
        reasons={a: inputs.weights[a].reason for a in names},
        single_approach=len(names) == 1,
        step=Step(
            symbol="V",
            formula="Σ w_a × V_a",
            substituted=" + ".join(f"{inputs.weights[a].weight} × {values[a]}" for a in names),
            value=value,
        ),
    )
