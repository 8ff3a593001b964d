"""The environment lifecycle as one guarded state machine (workbench/core/lifecycle.py).

Every move outside the diagram raises; the service only asks environments (claim, release,
retire) and never sets their state or flags itself.
"""

from __future__ import annotations

import ast
import itertools
from pathlib import Path

import pytest
from engine_helpers import invoke, write_function

from workbench.core import service as service_module
from workbench.core.environment import EnvState
from workbench.core.events import EnvironmentReset
from workbench.core.lifecycle import TRANSITIONS, IllegalTransition, Lifecycle

LEGAL = {
    (EnvState.CREATED, EnvState.INITIALISING),
    (EnvState.INITIALISING, EnvState.IDLE),
    (EnvState.INITIALISING, EnvState.BUSY),
    (EnvState.INITIALISING, EnvState.RESETTING),
    (EnvState.IDLE, EnvState.FROZEN),
    (EnvState.IDLE, EnvState.BUSY),
    (EnvState.FROZEN, EnvState.IDLE),
    (EnvState.BUSY, EnvState.IDLE),
    (EnvState.BUSY, EnvState.RESETTING),
    (EnvState.RESETTING, EnvState.CREATED),
    *(
        (state, end)
        for state in EnvState
        if state not in (EnvState.REAPED, EnvState.FAILED)
        for end in (EnvState.REAPED, EnvState.FAILED)
    ),
    (EnvState.FAILED, EnvState.REAPED),
}


def _at(state: EnvState) -> Lifecycle:
    life = Lifecycle("fn-1")
    life.state = state  # the starting point of each case; moves below go through move()
    return life


@pytest.mark.parametrize(
    ("old", "new"), list(itertools.product(EnvState, EnvState)), ids=lambda s: str(s)
)
def test_only_the_moves_in_the_diagram_are_allowed(old: EnvState, new: EnvState) -> None:
    life = _at(old)
    if (old, new) in LEGAL:
        life.move(new)
        assert life.state == new
    else:
        with pytest.raises(IllegalTransition, match=f"{old} → {new}"):
            life.move(new)
        assert life.state == old


def test_the_table_is_the_diagram() -> None:
    assert {(old, new) for old, news in TRANSITIONS.items() for new in news} == LEGAL


def test_claims_are_guarded() -> None:
    life = Lifecycle("fn-1")
    life.claim()
    with pytest.raises(IllegalTransition):
        life.claim()
    assert life.retire() is False and life.retiring  # busy: reaped when released
    life.release()
    with pytest.raises(IllegalTransition):
        life.release()
    assert Lifecycle("fn-2").retire() is True
    dead = _at(EnvState.REAPED)
    with pytest.raises(IllegalTransition):
        dead.claim()


GUARDED = {"state", "reserved", "retired", "retiring", "claimed"}


def test_nothing_outside_the_environment_sets_its_state_or_flags() -> None:
    core = Path(service_module.__file__).parent
    offenders = []
    for module in sorted(core.glob("*.py")):
        if module.name in ("environment.py", "lifecycle.py"):
            continue
        for node in ast.walk(ast.parse(module.read_text())):
            if isinstance(node, ast.Assign):
                targets = node.targets
            elif isinstance(node, ast.AugAssign | ast.AnnAssign):
                targets = [node.target]
            else:
                continue
            offenders += [
                f"{module.name}:{node.lineno}: {ast.unparse(t)}"
                for t in targets
                if isinstance(t, ast.Attribute)
                and t.attr in GUARDED
                and ast.unparse(t.value) != "self"
            ]
    assert offenders == [], "ask the environment (claim, release, retire) instead"


SLOW = """
import time
def lambda_handler(event, context):
    time.sleep(event.get("sleep", 0))
    return "ok"
"""


async def test_a_timeout_resets_through_the_machine_and_the_next_invoke_is_cold(
    service, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    service.deploy(write_function(tmp_path, SLOW, name="slow", timeout_s=1))
    warm = await invoke(service, "slow")
    assert warm.cold
    timed_out = await invoke(service, "slow", {"sleep": 5})
    assert timed_out.function_error == "Unhandled"
    assert [e.state for e in service.environments("slow")] == [EnvState.CREATED]
    assert [e.reason for e in service.bus.of_type(EnvironmentReset)] == ["timeout"]
    again = await invoke(service, "slow")
    assert again.cold and again.function_error is None
