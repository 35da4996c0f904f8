"""The mainland China working-day calendar, in Asia/Shanghai.

Working days follow the State Council's yearly holiday notice (国务院办公厅关于放假安排的
通知), including the weekend days that become working days (调休). The data comes from
the ``chinesecalendar`` package (import name ``chinese_calendar``), which covers the
years it has notices for (2004–2026 in 1.11.0). A deployment can add a newer notice
before the package catches up with :meth:`WorkdayCalendar.from_toml`::

    holidays = ["2027-01-01", "2027-02-06"]
    workdays = ["2027-02-14"]

A year the package does not cover counts as covered once the overrides name any date
in it, on the assumption that an operator adding a year adds the whole notice. A year
nobody covers either raises :class:`~datadeed.errors.CalendarNotCovered` (strict) or
counts Monday to Friday with a logged warning (lenient, the deployment default, so that
a December notice period running into a year whose notice is not out yet still works).
"""

from __future__ import annotations

import logging
import re
import tomllib
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import chinese_calendar

from datadeed.errors import CalendarNotCovered, ConfigurationError

__all__ = ["SHANGHAI", "WorkdayCalendar", "shanghai_date"]

SHANGHAI = ZoneInfo("Asia/Shanghai")
log = logging.getLogger(__name__)

_PACKAGE_HOLIDAYS: frozenset[date] = frozenset(chinese_calendar.holidays)
_PACKAGE_WORKDAYS: frozenset[date] = frozenset(chinese_calendar.workdays)
_PACKAGE_YEARS = range(
    min(d.year for d in _PACKAGE_HOLIDAYS), max(d.year for d in _PACKAGE_HOLIDAYS) + 1
)
_OVERRIDE_KEYS = frozenset({"holidays", "workdays"})
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def shanghai_date(dt: datetime) -> date:
    """The calendar date in Shanghai at the instant ``dt``; naive datetimes are refused."""
    if dt.tzinfo is None or dt.utcoffset() is None:
        raise ValueError("a naive datetime has no instant; attach a time zone first")
    return dt.astimezone(SHANGHAI).date()


def _as_date(d: date) -> date:
    """Dates pass through; datetimes become their Shanghai date."""
    return shanghai_date(d) if isinstance(d, datetime) else d


@dataclass(frozen=True)
class _YearTable:
    """Running working-day totals of one year, for O(1) lookups and counts."""

    # running[i] = working days among the first i days of the year
    running: tuple[int, ...]

    @classmethod
    def build(cls, flags: list[bool]) -> _YearTable:
        running = [0]
        for flag in flags:
            running.append(running[-1] + flag)
        return cls(tuple(running))

    def is_workday(self, day_index: int) -> bool:
        return self.running[day_index + 1] > self.running[day_index]

    def before(self, day_index: int) -> int:
        """Working days from 1 January up to, not including, ``day_index``."""
        return self.running[day_index]

    @property
    def total(self) -> int:
        return self.running[-1]


def _day_index(d: date) -> int:
    return d.timetuple().tm_yday - 1


@dataclass(frozen=True)
class WorkdayCalendar:
    """Working days: overrides first, then the package's notices, then (lenient) Mon–Fri.

    With ``strict`` (the default) asking about a year nobody covers raises
    :class:`~datadeed.errors.CalendarNotCovered`, because a deadline computed from
    guessed holidays is wrong by a week around Spring Festival.
    """

    extra_holidays: frozenset[date] = frozenset()
    extra_workdays: frozenset[date] = frozenset()
    strict: bool = True
    _tables: dict[int, _YearTable] = field(
        default_factory=dict, init=False, repr=False, compare=False, hash=False
    )

    def __post_init__(self) -> None:
        both = self.extra_holidays & self.extra_workdays
        if both:
            listed = ", ".join(d.isoformat() for d in sorted(both))
            raise ConfigurationError(f"dates listed as both holiday and workday: {listed}")

    @classmethod
    def from_toml(cls, path: Path, *, strict: bool = True) -> WorkdayCalendar:
        """Read ``holidays`` and ``workdays`` date lists from a TOML overrides file."""
        data = _read_toml(path)
        unknown = set(data) - _OVERRIDE_KEYS
        if unknown:
            raise ConfigurationError(f"{path}: unknown keys {sorted(unknown)}")
        return cls(
            extra_holidays=_date_list(path, data, "holidays"),
            extra_workdays=_date_list(path, data, "workdays"),
            strict=strict,
        )

    def covers(self, year: int) -> bool:
        """Whether holiday data exists for ``year`` (package or overrides)."""
        return year in _PACKAGE_YEARS or any(
            d.year == year for d in self.extra_holidays | self.extra_workdays
        )

    def is_workday(self, d: date) -> bool:
        """Whether people work on ``d`` (a datetime counts by its Shanghai date)."""
        d = _as_date(d)
        return self._table(d.year).is_workday(_day_index(d))

    def next_workday(self, d: date) -> date:
        """The first working day strictly after ``d``."""
        return self.add_workdays(d, 1)

    def add_workdays(self, start: date, n: int) -> date:
        """The ``n``-th working day after ``start`` (before it when ``n`` is negative).

        ``n == 0`` gives ``start`` itself when it is a working day, else the next one.
        """
        day = _as_date(start)
        if n == 0:
            return day if self.is_workday(day) else self.add_workdays(day, 1)
        step = timedelta(days=1 if n > 0 else -1)
        remaining = abs(n)
        while remaining:
            day += step
            if self.is_workday(day):
                remaining -= 1
        return day

    def count_workdays(self, start: date, end: date) -> int:
        """Working days ``d`` with ``start < d <= end``; negated when ``end < start``."""
        start, end = _as_date(start), _as_date(end)
        if end < start:
            return -self.count_workdays(end, start)
        if end == start:
            return 0
        # count over [first, end] so that only years holding counted days are consulted
        first = start + timedelta(days=1)
        if first.year == end.year:
            return self._through(end) - self._before(first)
        between = sum(self._table(y).total for y in range(first.year + 1, end.year))
        return self._table(first.year).total - self._before(first) + between + self._through(end)

    def _before(self, d: date) -> int:
        return self._table(d.year).before(_day_index(d))

    def _through(self, d: date) -> int:
        return self._table(d.year).before(_day_index(d) + 1)

    def _table(self, year: int) -> _YearTable:
        table = self._tables.get(year)
        if table is None:
            table = self._tables[year] = _YearTable.build(self._year_flags(year))
        return table

    def _year_flags(self, year: int) -> list[bool]:
        if not self.covers(year):
            if self.strict:
                raise CalendarNotCovered(year)
            log.warning(
                "no holiday notice for %d: counting Monday to Friday as working days "
                "(add the notice through calendar_overrides)",
                year,
            )
        first = date(year, 1, 1)
        days = (date(year + 1, 1, 1) - first).days
        return [self._lookup(first + timedelta(days=i)) for i in range(days)]

    def _lookup(self, d: date) -> bool:
        if d in self.extra_workdays:
            return True
        if d in self.extra_holidays:
            return False
        if d in _PACKAGE_WORKDAYS:
            return True
        return d.weekday() < 5 and d not in _PACKAGE_HOLIDAYS


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as f:
            return tomllib.load(f)
    except OSError as exc:
        raise ConfigurationError(f"cannot read calendar overrides {path}: {exc}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigurationError(f"{path} is not valid TOML: {exc}") from exc


def _date_list(path: Path, data: dict[str, Any], key: str) -> frozenset[date]:
    """The dates under ``key``: ISO strings or TOML local dates."""
    values = data.get(key, [])
    if not isinstance(values, list):
        raise ConfigurationError(f"{path}: {key} must be a list of dates")
    return frozenset(_parse_date(path, key, v) for v in values)


def _parse_date(path: Path, key: str, value: object) -> date:
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    # fromisoformat alone would also take "20270101" and week dates like "2027-W01-1"
    if isinstance(value, str) and _ISO_DATE.fullmatch(value):
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    raise ConfigurationError(f"{path}: {key} entry {value!r} is not a YYYY-MM-DD date")
