"""The registration time limit in working days: pure arithmetic over a WorkdayCalendar.

The limit (``registration_time_limit_workdays``, 10 by default) runs from acceptance to
the decision. It does not count the public notice (a fixed waiting period the registrar
cannot shorten) nor objection handling beyond the notice (national draft guide: "not
counting objection handling"). So publishing a notice extends the deadline by the
notice's working days, and objection handling that runs past the notice's end extends
it by the working days it took. While an objection is pending the clock is paused.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from datadeed.workdays import WorkdayCalendar, shanghai_date


@dataclass(frozen=True)
class ClockView:
    """What a queue shows for one case."""

    deadline: dt.date | None
    remaining: int | None  # working days left; negative when overdue
    paused: bool
    overdue: bool


def deadline(
    calendar: WorkdayCalendar, accepted_at: dt.datetime, limit: int, paused_workdays: int
) -> dt.date:
    """The last working day on which the case may still be decided."""
    return calendar.add_workdays(shanghai_date(accepted_at), limit + paused_workdays)


def objection_pause(
    calendar: WorkdayCalendar, paused_since: dt.datetime, notice_ends_on: dt.date, now: dt.datetime
) -> int:
    """Working days of objection handling past the notice's end (already excluded)."""
    start = max(shanghai_date(paused_since), notice_ends_on)
    return max(0, calendar.count_workdays(start, shanghai_date(now)))


def view(
    calendar: WorkdayCalendar,
    case_deadline: dt.date | None,
    paused: bool,
    running: bool,
    now: dt.datetime,
) -> ClockView:
    """The clock as of ``now``: remaining working days, paused or overdue."""
    if case_deadline is None or not running:
        return ClockView(case_deadline, None, paused, False)
    remaining = calendar.count_workdays(shanghai_date(now), case_deadline)
    return ClockView(case_deadline, remaining, paused, remaining < 0 and not paused)
