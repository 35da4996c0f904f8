"""The working-day calendar: real State Council notices, overrides and counting laws."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import chinese_calendar
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from datadeed.errors import CalendarNotCovered, ConfigurationError
from datadeed.workdays import SHANGHAI, WorkdayCalendar, shanghai_date

CALENDAR = WorkdayCalendar()
LENIENT = WorkdayCalendar(strict=False)
PROPERTY = settings(max_examples=100, deadline=None)

# Starts well inside 2004–2026 so that ±200 working days (under a year) stay covered.
covered_starts = st.dates(min_value=date(2005, 1, 1), max_value=date(2025, 12, 31))
steps = st.integers(min_value=-200, max_value=200)
uncovered_dates = st.one_of(
    st.dates(min_value=date(1900, 1, 1), max_value=date(2003, 12, 31)),
    st.dates(min_value=date(2027, 1, 1), max_value=date(2200, 12, 31)),
)


def _days(start: date, end: date) -> list[date]:
    return [start + timedelta(days=i) for i in range((end - start).days + 1)]


# --------------------------------------------------------------------------------------
# Real notices
# --------------------------------------------------------------------------------------


def test_national_day_2025_golden_week() -> None:
    assert not any(CALENDAR.is_workday(d) for d in _days(date(2025, 10, 1), date(2025, 10, 8)))
    # Sunday 28 September and Saturday 11 October were made working days
    assert CALENDAR.is_workday(date(2025, 9, 28))
    assert CALENDAR.is_workday(date(2025, 10, 11))
    assert CALENDAR.is_workday(date(2025, 10, 9))


def test_spring_festival_2026() -> None:
    assert not any(CALENDAR.is_workday(d) for d in _days(date(2026, 2, 15), date(2026, 2, 23)))
    assert CALENDAR.is_workday(date(2026, 2, 14))  # Saturday
    assert CALENDAR.is_workday(date(2026, 2, 28))  # Saturday
    assert CALENDAR.is_workday(date(2026, 2, 24))


def test_ordinary_weekdays_and_weekends() -> None:
    assert CALENDAR.is_workday(date(2025, 6, 30))  # Monday
    assert not CALENDAR.is_workday(date(2025, 6, 28))  # Saturday


def test_arithmetic_across_national_day_2025() -> None:
    last_before = date(2025, 9, 30)
    assert CALENDAR.next_workday(last_before) == date(2025, 10, 9)
    assert CALENDAR.add_workdays(last_before, 1) == date(2025, 10, 9)
    assert CALENDAR.add_workdays(date(2025, 10, 1), 0) == date(2025, 10, 9)
    assert CALENDAR.add_workdays(date(2025, 10, 9), -1) == last_before
    assert CALENDAR.add_workdays(last_before, 0) == last_before
    assert CALENDAR.count_workdays(last_before, date(2025, 10, 9)) == 1
    assert CALENDAR.count_workdays(date(2025, 10, 9), last_before) == -1


def test_counts_whole_covered_range_quickly() -> None:
    total = CALENDAR.count_workdays(date(2003, 12, 31), date(2026, 12, 31))
    assert total == sum(
        chinese_calendar.is_workday(d) for d in _days(date(2004, 1, 1), date(2026, 12, 31))
    )


@PROPERTY
@given(st.dates(min_value=date(2004, 1, 1), max_value=date(2026, 12, 31)))
def test_agrees_with_chinese_calendar(d: date) -> None:
    assert CALENDAR.is_workday(d) == chinese_calendar.is_workday(d)


# --------------------------------------------------------------------------------------
# Shanghai dates
# --------------------------------------------------------------------------------------


def test_shanghai_date_of_an_aware_datetime() -> None:
    instant = datetime(2025, 9, 30, 17, 0, tzinfo=UTC)  # 01:00 on 1 October in Shanghai
    assert shanghai_date(instant) == date(2025, 10, 1)
    assert instant.astimezone(SHANGHAI).hour == 1
    assert not CALENDAR.is_workday(instant)


def test_naive_datetime_is_rejected() -> None:
    with pytest.raises(ValueError, match="naive"):
        shanghai_date(datetime(2025, 10, 1, 12, 0))


# --------------------------------------------------------------------------------------
# Counting laws
# --------------------------------------------------------------------------------------


@PROPERTY
@given(covered_starts, steps)
def test_add_workdays_lands_on_a_workday(start: date, n: int) -> None:
    assert CALENDAR.is_workday(CALENDAR.add_workdays(start, n))


@PROPERTY
@given(covered_starts, steps)
def test_count_inverts_add_from_a_workday(start: date, n: int) -> None:
    workday = CALENDAR.add_workdays(start, 0)
    assert CALENDAR.count_workdays(workday, CALENDAR.add_workdays(workday, n)) == n


@PROPERTY
@given(covered_starts, covered_starts)
def test_count_is_antisymmetric(a: date, b: date) -> None:
    assert CALENDAR.count_workdays(a, b) == -CALENDAR.count_workdays(b, a)


@PROPERTY
@given(covered_starts, covered_starts, covered_starts)
def test_count_is_additive(a: date, b: date, c: date) -> None:
    assert CALENDAR.count_workdays(a, b) + CALENDAR.count_workdays(b, c) == (
        CALENDAR.count_workdays(a, c)
    )


@PROPERTY
@given(covered_starts, st.integers(min_value=0, max_value=365))
def test_count_matches_day_by_day(start: date, span: int) -> None:
    end = start + timedelta(days=span)
    expected = sum(CALENDAR.is_workday(d) for d in _days(start, end)[1:])
    assert CALENDAR.count_workdays(start, end) == expected


# --------------------------------------------------------------------------------------
# Years without data
# --------------------------------------------------------------------------------------


def test_coverage_follows_the_package() -> None:
    assert CALENDAR.covers(2004)
    assert CALENDAR.covers(2026)
    assert not CALENDAR.covers(2003)
    assert not CALENDAR.covers(2027)


@PROPERTY
@given(uncovered_dates)
def test_strict_calendar_refuses_uncovered_years(d: date) -> None:
    with pytest.raises(CalendarNotCovered) as caught:
        CALENDAR.is_workday(d)
    assert caught.value.year == d.year


def test_counting_into_an_uncovered_year_is_refused() -> None:
    with pytest.raises(CalendarNotCovered):
        CALENDAR.count_workdays(date(2026, 12, 1), date(2027, 1, 15))
    with pytest.raises(CalendarNotCovered):
        CALENDAR.add_workdays(date(2026, 12, 31), 1)


@PROPERTY
@given(uncovered_dates)
def test_lenient_calendar_uses_weekends_for_uncovered_years(d: date) -> None:
    assert LENIENT.is_workday(d) == (d.weekday() < 5)


# --------------------------------------------------------------------------------------
# Overrides
# --------------------------------------------------------------------------------------


def test_overrides_win_over_the_package() -> None:
    calendar = WorkdayCalendar(
        extra_holidays=frozenset({date(2026, 6, 1)}),  # Monday
        extra_workdays=frozenset({date(2025, 10, 1), date(2026, 6, 6)}),  # holiday, Saturday
    )
    assert not calendar.is_workday(date(2026, 6, 1))
    assert calendar.is_workday(date(2026, 6, 6))
    assert calendar.is_workday(date(2025, 10, 1))
    assert calendar.next_workday(date(2025, 9, 30)) == date(2025, 10, 1)


def test_overrides_file_adds_next_years_notice(tmp_path: Path) -> None:
    path = tmp_path / "calendar.toml"
    path.write_text(
        'holidays = ["2027-01-01", 2027-02-08]\nworkdays = ["2027-02-06"]\n', encoding="utf-8"
    )
    calendar = WorkdayCalendar.from_toml(path)
    assert calendar.strict
    assert calendar.covers(2027)
    assert not calendar.is_workday(date(2027, 1, 1))  # Friday
    assert not calendar.is_workday(date(2027, 2, 8))  # Monday
    assert calendar.is_workday(date(2027, 2, 6))  # Saturday
    assert calendar.is_workday(date(2027, 1, 4))  # ordinary Monday
    assert calendar.count_workdays(date(2026, 12, 31), date(2027, 1, 4)) == 1


def test_empty_overrides_file_is_the_package_calendar(tmp_path: Path) -> None:
    path = tmp_path / "calendar.toml"
    path.write_text("", encoding="utf-8")
    assert WorkdayCalendar.from_toml(path, strict=False) == LENIENT


@pytest.mark.parametrize(
    "content",
    [
        'holidays = ["2027-02-30"]',
        'holidays = ["2027/01/01"]',
        'holidays = ["20270101"]',
        'workdays = ["2027-W01-1"]',
        "workdays = [2027-01-01T09:00:00]",
        "holidays = [20270101]",
        'holidays = "2027-01-01"',
        'holiday = ["2027-01-01"]',
        'holidays = ["2027-01-01"]\nworkdays = ["2027-01-01"]',
        "holidays = [",
    ],
)
def test_malformed_overrides_file_is_a_configuration_error(tmp_path: Path, content: str) -> None:
    path = tmp_path / "calendar.toml"
    path.write_text(content + "\n", encoding="utf-8")
    with pytest.raises(ConfigurationError):
        WorkdayCalendar.from_toml(path)


def test_missing_overrides_file_is_a_configuration_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match="cannot read"):
        WorkdayCalendar.from_toml(tmp_path / "absent.toml")


def test_a_date_cannot_be_both_holiday_and_workday() -> None:
    day = date(2027, 1, 1)
    with pytest.raises(ConfigurationError, match="2027-01-01"):
        WorkdayCalendar(extra_holidays=frozenset({day}), extra_workdays=frozenset({day}))
