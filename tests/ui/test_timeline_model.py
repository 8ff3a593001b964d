"""The timeline model folds real event types into lanes and phase spans (no Qt painting)."""

from __future__ import annotations

from workbench.core.events import (
    EnvironmentCreated,
    EnvironmentFrozen,
    EnvironmentReaped,
    EnvironmentThawed,
    InitCompleted,
    InitStarted,
    InvocationCompleted,
    InvocationStarted,
    LogLine,
    Report,
)
from workbench.ui.timeline_model import Phase, TimelineModel


def invocation(env: str, rid: str, start: float, end: float, cold: bool, error: str | None = None):
    """The InvocationStarted/Completed pair of one invocation."""
    report = Report(rid, (end - start) * 1000, 5, 128, 20)
    return [
        InvocationStarted(at=start, function="f", request_id=rid, env_id=env, cold=cold),
        InvocationCompleted(
            at=end, function="f", request_id=rid, env_id=env, report=report, function_error=error
        ),
    ]


def cold_warm_reaped() -> list:
    """One environment: cold start, freeze, thaw, warm invoke, freeze, reaped when idle."""
    return [
        EnvironmentCreated(at=10.0, function="f", env_id="f-1", backend="process"),
        InitStarted(at=10.0, function="f", env_id="f-1"),
        InitCompleted(at=10.1, function="f", env_id="f-1", init_duration_ms=100),
        *invocation("f-1", "r1", 10.1, 10.2, cold=True),
        EnvironmentFrozen(at=10.2, function="f", env_id="f-1"),
        EnvironmentThawed(at=12.0, function="f", env_id="f-1"),
        *invocation("f-1", "r2", 12.0, 12.01, cold=False, error="Unhandled"),
        EnvironmentFrozen(at=12.01, function="f", env_id="f-1"),
        EnvironmentReaped(at=20.0, function="f", env_id="f-1", reason="idle"),
    ]


def test_cold_then_warm_then_reaped_spans():
    """Each phase becomes one closed span, in order, with cold start and error marked."""
    model = TimelineModel()
    for event in cold_warm_reaped():
        model.apply(event)
    lane = model.lanes["f-1"]
    phases = [(s.phase, s.start, s.end) for s in lane.spans]
    assert phases == [
        (Phase.INIT, 10.0, 10.1),
        (Phase.IDLE, 10.1, 10.1),
        (Phase.INVOKE, 10.1, 10.2),
        (Phase.IDLE, 10.2, 10.2),
        (Phase.FROZEN, 10.2, 12.0),
        (Phase.IDLE, 12.0, 12.0),
        (Phase.INVOKE, 12.0, 12.01),
        (Phase.IDLE, 12.01, 12.01),
        (Phase.FROZEN, 12.01, 20.0),
        (Phase.REAPED, 20.0, 20.0),
    ]
    invokes = [s for s in lane.spans if s.phase is Phase.INVOKE]
    assert [(s.request_id, s.cold, s.error, s.billed_ms) for s in invokes] == [
        ("r1", True, None, 5),
        ("r2", False, "Unhandled", 5),
    ]
    assert not lane.alive and lane.end_reason == "idle"
    assert (lane.invocations, lane.cold_starts) == (2, 1)
    assert model.alive_lanes() == []


def test_open_span_and_busy_while_invoking():
    """An invocation in progress is an open span and makes its lane busy."""
    model = TimelineModel()
    events = cold_warm_reaped()[:4]  # created, init, init done, invocation started
    for event in events:
        model.apply(event)
    lane = model.lanes["f-1"]
    assert lane.current is not None and lane.current.phase is Phase.INVOKE
    assert lane.current.end_or(99.0) == 99.0
    assert lane.busy and lane.alive


def test_two_environments_get_two_lanes_and_logs_are_ignored():
    """Concurrent environments are separate lanes; log lines do not change the timeline."""
    model = TimelineModel()
    for env in ("f-1", "f-2"):
        model.apply(EnvironmentCreated(at=1.0, function="f", env_id=env, backend="process"))
    assert not model.apply(LogLine(at=1.5, function="f", text="hello", env_id="f-1"))
    assert list(model.lanes) == ["f-1", "f-2"]
    assert model.first_at == 1.0 and model.last_at == 1.0


def test_event_for_an_unseen_environment_adopts_a_lane():
    """A pane attached late still shows environments it never saw created."""
    model = TimelineModel()
    model.apply(EnvironmentFrozen(at=5.0, function="f", env_id="f-9"))
    assert model.lanes["f-9"].spans[-1].phase is Phase.FROZEN
