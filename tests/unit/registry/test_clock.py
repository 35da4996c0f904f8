"""The time limit in working days, over the real mainland calendar (holidays, 调休)."""

from __future__ import annotations

import datetime as dt

from datadeed.registry import checklists, clock
from datadeed.workdays import SHANGHAI, WorkdayCalendar

CAL = WorkdayCalendar()


def _at(y: int, m: int, d: int, h: int = 10) -> dt.datetime:
    return dt.datetime(y, m, d, h, tzinfo=SHANGHAI)


def test_deadline_skips_the_national_day_holiday_and_counts_the_make_up_day():
    # accepted Monday 28 Sep 2026; 1-7 Oct are holidays, Sat 10 Oct is a working day
    # 29, 30 Sep; 8, 9, 10 (Sat, 调休), 12-16 Oct
    assert clock.deadline(CAL, _at(2026, 9, 28), 10, 0) == dt.date(2026, 10, 16)


def test_paused_days_push_the_deadline():
    base = clock.deadline(CAL, _at(2026, 11, 2), 10, 0)
    assert base == dt.date(2026, 11, 16)
    assert clock.deadline(CAL, _at(2026, 11, 2), 10, 3) == dt.date(2026, 11, 19)


def test_objection_pause_counts_only_days_past_the_notice():
    notice_end = dt.date(2026, 11, 16)
    inside = clock.objection_pause(CAL, _at(2026, 11, 10), notice_end, _at(2026, 11, 13))
    assert inside == 0  # decided before the notice ended: the notice already paused it
    past = clock.objection_pause(CAL, _at(2026, 11, 10), notice_end, _at(2026, 11, 20))
    assert past == 4  # 17, 18, 19, 20 Nov
    late = clock.objection_pause(CAL, _at(2026, 11, 18), notice_end, _at(2026, 11, 23))
    assert late == 3  # filed after the notice (18th) and decided Monday 23rd: 19, 20, 23


def test_view_overdue_paused_and_stopped():
    deadline = dt.date(2026, 11, 16)
    late = clock.view(CAL, deadline, False, True, _at(2026, 11, 18))
    assert late.overdue and late.remaining == -2
    assert not clock.view(CAL, deadline, True, True, _at(2026, 11, 18)).overdue
    assert clock.view(CAL, deadline, False, False, _at(2026, 11, 18)).remaining is None
    assert clock.view(CAL, deadline, False, True, _at(2026, 11, 16, 23)).remaining == 0


def test_each_source_category_requires_a_labelled_document():
    for documents in checklists.SOURCE_DOCUMENTS.values():
        assert documents and all(d in checklists.DOCUMENT_LABELS for d in documents)
    assert set(checklists.GROUND_OF_ITEM.values()) <= set(checklists.REFUSAL_GROUNDS)


def test_data_ip_adds_the_processed_collection_item():
    assert "processed_collection" not in checklists.checklist_for("substantive", ["data_property"])
    items = checklists.checklist_for("substantive", ["data_ip"])
    assert "processed_collection" in items
    assert checklists.unticked("substantive", ["data_ip"], dict.fromkeys(items, True)) == []
    assert (
        checklists.unticked("formal", [], {"applicant_identity": True})[0] == "materials_complete"
    )
