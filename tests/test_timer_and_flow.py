"""Pure timer maths and the event state machine."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from worldcafe.domain import flow, timer

T0 = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


def test_start_sets_absolute_end():
    clock = timer.start(timer.Clock(minutes=20), T0)
    assert clock.ends_at == at(1200) and timer.remaining(clock, at(60)) == 1140


def test_pause_freezes_and_resume_continues_from_the_new_now():
    clock = timer.pause(timer.start(timer.Clock(minutes=20), T0), at(300))
    assert timer.remaining(clock, at(5000)) == 900
    resumed = timer.resume(clock, at(1000))
    assert resumed.ends_at == at(1900)


def test_extend_running_and_paused_and_never_below_zero():
    running = timer.start(timer.Clock(minutes=20), T0)
    assert timer.extend(running, 60, at(10)).ends_at == at(1260)
    assert timer.extend(running, -3600, at(10)).ends_at == at(10)
    paused = timer.pause(running, at(1190))
    assert timer.remaining(timer.extend(paused, 300, at(2000)), at(9999)) == 310
    with pytest.raises(timer.TimerError):
        timer.extend(running, 0, at(1))
    with pytest.raises(timer.TimerError):
        timer.extend(timer.Clock(minutes=5), 60, at(1))


def test_end_keeps_the_remainder_so_reopen_can_undo():
    ended = timer.end(timer.start(timer.Clock(minutes=20), T0), at(200))
    assert ended.status == "ended" and ended.paused_remaining_s == 1000
    reopened = timer.reopen(ended, at(260))
    assert reopened.ends_at == at(1260)
    late = timer.end(timer.start(timer.Clock(minutes=1), T0), at(120))
    assert timer.reopen(late, at(130)).ends_at == at(190)  # at least a minute back


def test_invalid_timer_transitions_are_refused():
    planned = timer.Clock(minutes=20)
    for action in (
        lambda: timer.pause(planned, T0),
        lambda: timer.resume(planned, T0),
        lambda: timer.end(planned, T0),
        lambda: timer.reopen(planned, T0),
        lambda: timer.start(timer.start(planned, T0), T0),
    ):
        with pytest.raises(timer.TimerError):
            action()


actions = st.lists(
    st.tuples(
        st.sampled_from(["pause", "resume", "extend"]),
        st.integers(1, 600),
        st.integers(-600, 600).filter(lambda s: s != 0),
    ),
    max_size=12,
)


@settings(max_examples=150, deadline=None)
@given(actions)
def test_remaining_time_matches_a_stopwatch_model(steps):
    """Any sequence of waits, pauses, resumes and extensions: the timer agrees with a simple stopwatch model."""
    clock = timer.start(timer.Clock(minutes=20), T0)
    now, model, running = T0, 1200.0, True
    for action, wait, seconds in steps:
        now += timedelta(seconds=wait)
        if running:
            model = max(0.0, model - wait)
        if action == "pause" and running:
            clock, running = timer.pause(clock, now), False
        elif action == "resume" and not running:
            clock, running = timer.resume(clock, now), True
        elif action == "extend":
            clock, model = timer.extend(clock, seconds, now), max(0.0, model + seconds)
        assert timer.remaining(clock, now) == pytest.approx(model, abs=1e-6)


def test_flow_happy_path():
    state, current = "ready", None
    for action in (
        "start_round",
        "pause",
        "resume",
        "extend",
        "end_round",
        "start_round",
        "end_round",
        "start_round",
        "end_round",
        "start_harvest",
        "close",
    ):
        step = flow.step(state, action, current, 3, current if state == "moving" else None)
        state = step.state
        if action == "start_round":
            current = step.round_number
    assert state == "closed" and current == 3


@pytest.mark.parametrize(
    ("state", "action", "current", "reason"),
    [
        ("running", "start_round", 1, "round_going"),
        ("paused", "start_round", 2, "round_going"),
        ("moving", "start_round", 3, "all_played"),
        ("ready", "pause", None, "not_now"),
        ("running", "resume", 1, "none_paused"),
        ("paused", "pause", 1, "already_paused"),
        ("moving", "end_round", 1, "none_running"),
        ("ready", "reopen_round", None, "nothing_to_reopen"),
        ("running", "start_harvest", 1, "round_going"),
        ("harvest", "start_round", 3, "harvest_started"),
        ("closed", "start_round", 3, "closed"),
        ("ready", "dance", None, "unknown_action"),
    ],
)
def test_flow_refuses_what_does_not_fit(state, action, current, reason):
    with pytest.raises(flow.FlowError) as info:
        flow.step(state, action, current, 3, None)
    assert info.value.reason == reason


def test_cancelling_the_first_round_goes_back_to_ready():
    assert flow.step("running", "cancel_round", 1, 3).state == "ready"
    assert flow.step("running", "cancel_round", 2, 3).state == "moving"
