"""Data asset valuation (DOMAIN.md §2, §12): pure library modules, then the server's cases.

cost.py, income.py, market.py   the three approaches (Decimal, formulas with values)
quality_map.py                  versioned quality→value coefficient table
reconcile.py                    weighted reconciliation with reasons
uncertainty.py                  Monte Carlo (seeded, vectorised) and tornado
accounting.py                   财会〔2023〕11号 classification and checklist
case.py                         CASE.yaml schema and ``run_case``
shapley.py                      exact KNN-Shapley (Jia et al. 2019), chunked
oob.py                          Data-OOB (bagging)
contributors.py                 per-contributor totals → revenue shares
datafiles.py                    the above on files (intake formats)
models.py, schemas.py, services.py, api.py, views.py   valuation cases in the server
"""

from __future__ import annotations

from datadeed.valuation.shapley import knn_shapley

__all__ = ["knn_shapley"]
