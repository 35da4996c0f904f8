"""Sensitive-data scanning, personal-information detection, classification and grading.

Pure logic (no I/O): ``recognizers`` (value patterns and validators), ``detection``
(column decisions), ``grading`` (GB/T 43697 Annex B / PIPL mapping and proposed grades),
``masking``, ``anonymity`` (k-anonymity / l-diversity maths). Engine work: ``scan``
(counts over the full data through the quality engines, DuckDB or Spark). Use cases:
``services`` and ``gates``.
"""
