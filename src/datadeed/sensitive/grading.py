"""Classification and grading: GB/T 43697-2024 Annex B categories, PIPL art. 28 sensitive
personal information, and the proposed grade of a column and of a dataset.

Grades, highest first: ``core`` > ``important`` > ``general_4`` > … > ``general_1``
(Annex H lets general data be split into up to four levels, 4 the most sensitive; [M]).
The scanner proposes; a reviewer confirms or changes (services.py). The scanner never
proposes ``core``: core data is determined by state assessment, so only a reviewer sets
it. Rules of the proposal ([I], "就高从严": when in doubt, grade higher):

- a column with sensitive personal information: ``general_4``;
- a column with other personal information: ``general_3``;
- a column without personal information: ``general_2`` (``general_1``, public data,
  only by a reviewer's decision);
- the dataset: the highest of its columns, raised to ``important`` when the personal
  information of at least ``important_pi_subjects`` people, or the sensitive personal
  information of at least ``important_spi_subjects``, is present (rows counted as
  people: an over-estimate, on the safe side).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "ANNEX_B",
    "CORE",
    "GRADES",
    "GRADE_LABELS",
    "IMPORTANT",
    "PIPL_SENSITIVE",
    "ColumnGrade",
    "DatasetGrade",
    "GradingThresholds",
    "grade_column",
    "grade_dataset",
    "is_grade",
]

CORE = "core"
IMPORTANT = "important"
GRADES: tuple[str, ...] = (
    CORE,
    IMPORTANT,
    "general_4",
    "general_3",
    "general_2",
    "general_1",
)
GRADE_LABELS: dict[str, tuple[str, str]] = {
    CORE: ("核心数据", "core data"),
    IMPORTANT: ("重要数据", "important data"),
    "general_4": ("一般数据 4级", "general data, level 4"),
    "general_3": ("一般数据 3级", "general data, level 3"),
    "general_2": ("一般数据 2级", "general data, level 2"),
    "general_1": ("一般数据 1级", "general data, level 1"),
}

# GB/T 43697-2024 Annex B personal-information category of each PI type ([M]: the
# category names are those of DOMAIN.md §7.1). ``uscc`` identifies organisations: not PI.
ANNEX_B: dict[str, str] = {
    "resident_id": "身份信息",
    "passport": "身份信息",
    "travel_permit": "身份信息",
    "bank_card": "财产信息",
    "bank_account": "财产信息",
    "mobile": "个人基本资料",
    "landline": "个人基本资料",
    "email": "个人基本资料",
    "person_name": "个人基本资料",
    "address": "个人基本资料",
    "birth_date": "个人基本资料",
    "ipv4": "网络身份标识",
    "ipv6": "网络身份标识",
    "mac": "设备信息",
    "imei": "设备信息",
    "gps": "位置信息",
    "vehicle_plate": "其他个人信息",
    "health": "健康生理信息",
    "religion": "其他个人信息",
    "biometric": "生物识别信息",
}

# PIPL art. 28 ground that makes a PI type sensitive personal information.
PIPL_SENSITIVE: dict[str, str] = {
    "resident_id": "特定身份",
    "passport": "特定身份",
    "travel_permit": "特定身份",
    "bank_card": "金融账户",
    "bank_account": "金融账户",
    "gps": "行踪轨迹",
    "health": "医疗健康",
    "religion": "宗教信仰",
    "biometric": "生物识别",
}
MINORS = "不满十四周岁未成年人的个人信息"
GROUNDS_EN = {
    "特定身份": "specific identity",
    "金融账户": "financial account",
    "行踪轨迹": "whereabouts",
    "医疗健康": "medical and health",
    "宗教信仰": "religious belief",
    "生物识别": "biometrics",
    MINORS: "children under 14",
}


def is_grade(value: str) -> bool:
    return value in GRADES


def _rank(grade: str) -> int:
    return len(GRADES) - GRADES.index(grade)


def highest(grades: list[str]) -> str:
    return max(grades, key=_rank)


@dataclass(frozen=True)
class GradingThresholds:
    """When personal information makes a dataset important data ([M], configuration)."""

    important_pi_subjects: int = 10_000_000
    important_spi_subjects: int = 1_000_000


@dataclass(frozen=True)
class ColumnGrade:
    categories: tuple[str, ...]
    sensitive_grounds: tuple[str, ...]
    grade: str

    @property
    def is_pi(self) -> bool:
        return bool(self.categories)

    @property
    def sensitive(self) -> bool:
        return bool(self.sensitive_grounds)


def grade_column(pi_types: list[str], *, minors: bool = False) -> ColumnGrade:
    """Annex B categories, PIPL grounds and the proposed grade of one column."""
    categories = sorted({ANNEX_B[t] for t in pi_types if t in ANNEX_B})
    grounds = sorted({PIPL_SENSITIVE[t] for t in pi_types if t in PIPL_SENSITIVE})
    if minors:
        grounds.append(MINORS)
    if grounds:
        grade = "general_4"
    elif categories:
        grade = "general_3"
    else:
        grade = "general_2"
    return ColumnGrade(tuple(categories), tuple(grounds), grade)


@dataclass
class DatasetGrade:
    grade: str
    rationale: list[dict[str, Any]] = field(default_factory=list)


def _reason(code: str, zh: str, en: str) -> dict[str, Any]:
    return {"code": code, "zh": zh, "en": en}


def grade_dataset(
    columns: list[tuple[str, ColumnGrade, int]],
    thresholds: GradingThresholds = GradingThresholds(),
) -> DatasetGrade:
    """The proposed grade of a dataset from its columns ``(name, grade, match_count)``."""
    pi = [(n, g, c) for n, g, c in columns if g.is_pi]
    spi = [(n, g, c) for n, g, c in pi if g.sensitive]
    result = DatasetGrade(highest([g.grade for _, g, _ in columns] or ["general_2"]))
    if not pi:
        result.rationale.append(
            _reason("no_pi", "未发现个人信息", "no personal information was found")
        )
    for name, g, _ in spi:
        grounds = "、".join(g.sensitive_grounds)
        grounds_en = ", ".join(GROUNDS_EN.get(x, x) for x in g.sensitive_grounds)
        result.rationale.append(
            _reason(
                "sensitive_pi",
                f"列 {name} 含敏感个人信息({grounds})",
                f"column {name} holds sensitive personal information ({grounds_en})",
            )
        )
    if pi and not spi:
        names = ", ".join(n for n, _, _ in pi)
        result.rationale.append(
            _reason("pi", f"列 {names} 含个人信息", f"columns {names} hold personal information")
        )
    _important_by_scale(result, pi, spi, thresholds)
    return result


def _important_by_scale(
    result: DatasetGrade,
    pi: list[tuple[str, ColumnGrade, int]],
    spi: list[tuple[str, ColumnGrade, int]],
    thresholds: GradingThresholds,
) -> None:
    pi_subjects = max((c for _, _, c in pi), default=0)
    spi_subjects = max((c for _, _, c in spi), default=0)
    if spi_subjects >= thresholds.important_spi_subjects:
        n = thresholds.important_spi_subjects
        result.rationale.append(
            _reason(
                "spi_scale",
                f"敏感个人信息达 {spi_subjects} 条(阈值 {n}),拟定为重要数据",
                f"{spi_subjects} sensitive PI records (threshold {n}): important data",
            )
        )
        result.grade = IMPORTANT
    elif pi_subjects >= thresholds.important_pi_subjects:
        n = thresholds.important_pi_subjects
        result.rationale.append(
            _reason(
                "pi_scale",
                f"个人信息达 {pi_subjects} 条(阈值 {n}),拟定为重要数据",
                f"{pi_subjects} personal information records (threshold {n}): important data",
            )
        )
        result.grade = IMPORTANT
