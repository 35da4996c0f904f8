"""The state machine as data: every state is reachable from a draft, the terminal states
have no way out, and each party's moves are the ones DESIGN.md gives it."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from datadeed.registry.states import (
    TERMINAL,
    TRANSITIONS,
    Action,
    ApplicationState,
    Party,
    allowed_actions,
)

S = ApplicationState


def _reachable() -> set[ApplicationState]:
    seen, frontier = {S.DRAFT}, [S.DRAFT]
    while frontier:
        state = frontier.pop()
        for t in TRANSITIONS.values():
            if state in t.sources and t.target is not None and t.target not in seen:
                seen.add(t.target)
                frontier.append(t.target)
    return seen


def test_every_state_is_reachable_from_a_draft():
    assert _reachable() == set(S)


def test_terminal_states_have_no_moves():
    for state in TERMINAL:
        assert allowed_actions(state, frozenset(Party)) == []


def test_the_moves_of_each_party():
    officer = frozenset({Party.OFFICER, Party.REVIEWER})
    assert allowed_actions(S.SUBMITTED, officer) == [
        Action.ACCEPT,
        Action.RETURN,
        Action.REFUSE_ACCEPTANCE,
    ]
    assert allowed_actions(S.SUBMITTED, frozenset({Party.REVIEWER})) == []
    assert allowed_actions(S.RETURNED, frozenset({Party.APPLICANT})) == [Action.SAVE, Action.SUBMIT]
    assert allowed_actions(S.PUBLIC_NOTICE, frozenset({Party.OBJECTOR})) == [Action.FILE_OBJECTION]
    assert Action.REGISTER in allowed_actions(S.PUBLIC_NOTICE, officer)
    assert Action.REGISTER not in allowed_actions(S.OBJECTION_REVIEW, officer)


@given(st.sampled_from(list(S)), st.sets(st.sampled_from(list(Party))))
def test_allowed_actions_match_the_table(state, parties):
    allowed = allowed_actions(state, frozenset(parties))
    for action in Action:
        t = TRANSITIONS[action]
        assert (action in allowed) == (state in t.sources and bool(t.parties & parties))


def test_every_ledger_event_is_a_registration_event_v1_value():
    events = {t.event for t in TRANSITIONS.values() if t.event}
    assert events <= {
        "submitted",
        "accepted",
        "returned",
        "refused",
        "review_started",
        "notice_published",
        "objection_filed",
        "objection_decided",
        "registered",
    }
