"""An execution environment's lifecycle: its states, the legal moves between them, its claim.

    CREATED → INITIALISING → IDLE (ready) ⇄ FROZEN
                    │           ⇅
                    └────────→ BUSY → RESETTING → CREATED   (timeout, crash: next invoke is cold)
    any live state → REAPED (idle too long, replaced, shut down, or found dead while idle)
    any live state → FAILED (the backend itself broke) → REAPED

Every change of state goes through `Lifecycle.move`, which refuses a move the diagram does
not have: a bug then shows up where it happens, not as a wedged environment later.
"""

from __future__ import annotations

from enum import StrEnum

# Idle this long, an environment is reaped. AWS does not publish its value; LocalStack's default.
DEFAULT_IDLE_TIMEOUT_S = 600.0


class EnvState(StrEnum):
    CREATED = "created"
    INITIALISING = "initialising"
    IDLE = "idle"  # ready: initialised and waiting for an invocation
    FROZEN = "frozen"
    BUSY = "busy"
    RESETTING = "resetting"
    REAPED = "reaped"
    FAILED = "failed"


_LIVE_EXITS = {EnvState.REAPED, EnvState.FAILED}
TRANSITIONS: dict[EnvState, frozenset[EnvState]] = {
    EnvState.CREATED: frozenset({EnvState.INITIALISING, *_LIVE_EXITS}),
    # → BUSY: init done inside an invocation; → IDLE: init ahead (provisioned concurrency).
    EnvState.INITIALISING: frozenset(
        {EnvState.IDLE, EnvState.BUSY, EnvState.RESETTING, *_LIVE_EXITS}
    ),
    EnvState.IDLE: frozenset({EnvState.FROZEN, EnvState.BUSY, *_LIVE_EXITS}),
    EnvState.FROZEN: frozenset({EnvState.IDLE, *_LIVE_EXITS}),
    EnvState.BUSY: frozenset({EnvState.IDLE, EnvState.RESETTING, *_LIVE_EXITS}),
    EnvState.RESETTING: frozenset({EnvState.CREATED, *_LIVE_EXITS}),
    EnvState.FAILED: frozenset({EnvState.REAPED}),
    EnvState.REAPED: frozenset(),
}


class IllegalTransition(RuntimeError):
    """A move the lifecycle does not allow: a bug in the engine, never the learner's doing."""


class Lifecycle:
    """The state of one environment, and whether an invocation (or provisioning) holds it."""

    def __init__(self, env_id: str) -> None:
        self.env_id = env_id
        self.state = EnvState.CREATED
        self.claimed = False
        self.retiring = False  # replaced by a redeploy while claimed: reaped on release

    @property
    def alive(self) -> bool:
        return self.state not in (EnvState.REAPED, EnvState.FAILED)

    def move(self, new: EnvState) -> None:
        if new not in TRANSITIONS[self.state]:
            raise IllegalTransition(f"environment {self.env_id}: {self.state} → {new}")
        self.state = new

    def claim(self) -> None:
        """Take the environment for one invocation (or its provisioning)."""
        if self.claimed or not self.alive:
            raise IllegalTransition(
                f"environment {self.env_id} cannot be claimed ({self.state}, "
                f"{'claimed' if self.claimed else 'free'})"
            )
        self.claimed = True

    def release(self) -> None:
        if not self.claimed:
            raise IllegalTransition(f"environment {self.env_id} was not claimed")
        self.claimed = False

    def retire(self) -> bool:
        """A redeploy replaces it: True to shut it down now, False when that waits for release."""
        if self.claimed:
            self.retiring = True
            return False
        return True
