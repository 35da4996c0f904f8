"""What every quality engine is: an executor for the shared metric plan."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping
from contextlib import AbstractContextManager
from datetime import datetime
from pathlib import Path
from typing import ClassVar

from sqlglot import exp

from datadeed.quality.assess import Executor, Progress, run_assessment
from datadeed.quality.plan import AssessOptions
from datadeed.quality.report import QualityReport
from datadeed.quality.rules import RuleSet
from datadeed.quality.scoring import DEFAULT_WEIGHT_PROFILE, WeightProfile

__all__ = ["QualityEngine", "rename_tables"]


class QualityEngine(ABC):
    """Runs the metric plan (plan.py) in one SQL dialect. Subclasses only execute."""

    name: ClassVar[str]

    @abstractmethod
    def executor(self) -> AbstractContextManager[Executor]:
        """A fresh executor for one assessment; closing it releases tables and memory."""

    def assess(
        self,
        path: str | Path,
        ruleset: RuleSet | None = None,
        *,
        weights: WeightProfile = DEFAULT_WEIGHT_PROFILE,
        options: AssessOptions | None = None,
        reference_time: datetime | None = None,
        reference_paths: Mapping[str, str | Path] | None = None,
        progress: Progress | None = None,
    ) -> QualityReport:
        """Profile the data file at ``path``, evaluate ``ruleset`` and score it.

        ``reference_time`` (default: now, UTC) anchors freshness rules with ``max_age``.
        ``reference_paths`` restricts the datasets reference rules may read to the
        names it lists (mapped to files); without it a rule's ``dataset`` is a path.
        """
        with self.executor() as executor:
            return run_assessment(
                executor,
                self.name,
                path,
                ruleset,
                weights=weights,
                options=options,
                reference_time=reference_time,
                reference_paths=reference_paths,
                progress=progress,
            )


def rename_tables(query: exp.Query, names: Mapping[str, str]) -> exp.Expr:
    """A copy of ``query`` with the plan's placeholder tables renamed."""

    def swap(node: exp.Expr) -> exp.Expr:
        if isinstance(node, exp.Table) and node.name in names:
            return exp.to_table(names[node.name], quoted=False)
        return node

    return query.transform(swap)
