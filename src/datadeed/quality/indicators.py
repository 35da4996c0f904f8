"""GB/T 36344-2018 quality dimensions and second-level indicators (DOMAIN.md §3).

Each second-level indicator carries its DB31/T 1523-2024 code where one exists, so a
report can be read against either standard. Indicators are written
``dimension.indicator`` (``accuracy.uniqueness``) in rule files and reports.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Dimension(StrEnum):
    """The six first-level indicators of GB/T 36344-2018, in the standard's order."""

    NORMATIVITY = "normativity"
    COMPLETENESS = "completeness"
    ACCURACY = "accuracy"
    CONSISTENCY = "consistency"
    TIMELINESS = "timeliness"
    ACCESSIBILITY = "accessibility"


@dataclass(frozen=True)
class IndicatorInfo:
    dimension: Dimension
    name_zh: str
    db31_code: str | None


class Indicator(StrEnum):
    """Second-level indicators, as ``dimension.name``."""

    DATA_STANDARD = "normativity.data_standard"
    DATA_MODEL = "normativity.data_model"
    METADATA = "normativity.metadata"
    BUSINESS_RULE = "normativity.business_rule"
    REFERENCE_DATA = "normativity.reference_data"
    SECURITY = "normativity.security"
    ELEMENT_COMPLETENESS = "completeness.element"
    RECORD_COMPLETENESS = "completeness.record"
    CONTENT_CORRECTNESS = "accuracy.content_correctness"
    FORMAT_COMPLIANCE = "accuracy.format_compliance"
    DUPLICATION_RATE = "accuracy.duplication_rate"
    UNIQUENESS = "accuracy.uniqueness"
    DIRTY_DATA_RATE = "accuracy.dirty_data_rate"
    SAME_DATA_CONSISTENCY = "consistency.same_data"
    RELATED_DATA_CONSISTENCY = "consistency.related_data"
    PERIOD_CORRECTNESS = "timeliness.period_correctness"
    POINT_IN_TIME = "timeliness.point_in_time"
    TEMPORAL_ORDER = "timeliness.temporal_order"
    ACCESSIBLE = "accessibility.accessible"
    USABLE = "accessibility.usable"

    @property
    def info(self) -> IndicatorInfo:
        return INDICATORS[self]

    @property
    def dimension(self) -> Dimension:
        return INDICATORS[self].dimension


_N, _C, _A = Dimension.NORMATIVITY, Dimension.COMPLETENESS, Dimension.ACCURACY
_S, _T, _X = Dimension.CONSISTENCY, Dimension.TIMELINESS, Dimension.ACCESSIBILITY

INDICATORS: dict[Indicator, IndicatorInfo] = {
    Indicator.DATA_STANDARD: IndicatorInfo(_N, "数据标准", "010100"),
    Indicator.DATA_MODEL: IndicatorInfo(_N, "数据模型", "010200"),
    Indicator.METADATA: IndicatorInfo(_N, "元数据", "010300"),
    Indicator.BUSINESS_RULE: IndicatorInfo(_N, "业务规则", "010400"),
    Indicator.REFERENCE_DATA: IndicatorInfo(_N, "权威参考数据", "010500"),
    Indicator.SECURITY: IndicatorInfo(_N, "安全规范", "010600"),
    Indicator.ELEMENT_COMPLETENESS: IndicatorInfo(_C, "数据元素完整性", "020100"),
    Indicator.RECORD_COMPLETENESS: IndicatorInfo(_C, "数据记录完整性", "020200"),
    Indicator.CONTENT_CORRECTNESS: IndicatorInfo(_A, "数据内容正确性", "030100"),
    Indicator.FORMAT_COMPLIANCE: IndicatorInfo(_A, "数据格式合规性", "030200"),
    Indicator.DUPLICATION_RATE: IndicatorInfo(_A, "数据重复率", "030300"),
    Indicator.UNIQUENESS: IndicatorInfo(_A, "数据唯一性", "030400"),
    Indicator.DIRTY_DATA_RATE: IndicatorInfo(_A, "脏数据出现率", "030500"),
    Indicator.SAME_DATA_CONSISTENCY: IndicatorInfo(_S, "相同数据一致性", "040100"),
    Indicator.RELATED_DATA_CONSISTENCY: IndicatorInfo(_S, "关联数据一致性", "040200"),
    Indicator.PERIOD_CORRECTNESS: IndicatorInfo(_T, "基于时间段的正确性", "050100"),
    Indicator.POINT_IN_TIME: IndicatorInfo(_T, "基于时间点的及时性", "050200"),
    Indicator.TEMPORAL_ORDER: IndicatorInfo(_T, "时序性", "050300"),
    Indicator.ACCESSIBLE: IndicatorInfo(_X, "可访问性", "060100"),
    Indicator.USABLE: IndicatorInfo(_X, "可用性", "060200"),
}


def indicators_of(dimension: Dimension) -> list[Indicator]:
    """The second-level indicators of one dimension, in the standard's order."""
    return [i for i in Indicator if i.dimension is dimension]
