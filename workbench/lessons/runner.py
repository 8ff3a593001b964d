"""Checking a learner's exercise: every check of a lesson, run through the real engine."""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from workbench.core.errors import InvokeError
from workbench.core.model import ConfigError, FunctionConfig, load_function
from workbench.lessons import fresh
from workbench.lessons.check_kinds import kinds
from workbench.lessons.checks import CheckContext, feedback
from workbench.lessons.model import CheckSpec, Lesson

if TYPE_CHECKING:  # a service is handed in: loading lessons must not import the engine
    from workbench.core.service import LambdaService

CHECK_LIMIT_S = 90.0  # no check may hang the app or a test


@dataclass(frozen=True)
class CheckResult:
    """One check's verdict and the feedback to show."""

    index: int
    kind: str
    title: str
    passed: bool
    message: str
    seconds: float


@dataclass(frozen=True)
class ExerciseResult:
    """Every check's verdict for one attempt; `setup_error` when none could run."""

    lesson_id: str
    code_dir: Path
    checks: tuple[CheckResult, ...]
    setup_error: str | None = None

    @property
    def passed(self) -> bool:
        return self.setup_error is None and bool(self.checks) and all(c.passed for c in self.checks)

    @property
    def first_failure(self) -> CheckResult | None:
        return next((c for c in self.checks if not c.passed), None)

    def summary(self) -> str:
        """One line: passed, or how many checks failed and the first one's title."""
        if self.setup_error:
            return f"Could not run the checks: {self.setup_error}"
        if self.passed:
            count = len(self.checks)
            return "The check passed" if count == 1 else f"All {count} checks passed"
        failing = [c for c in self.checks if not c.passed]
        first = failing[0]
        return f"{len(failing)} of {len(self.checks)} checks failed, first: {first.title}"


def function_name(lesson: Lesson, suffix: str = "") -> str:
    """The name a lesson's function is deployed under: lesson-<id>[-suffix], 64 chars max."""
    name = re.sub(r"[^A-Za-z0-9_-]", "-", f"lesson-{lesson.id}{'-' + suffix if suffix else ''}")
    return name[:64]


OnCheck = Callable[[CheckResult], None]


def versions_carry_provisioned(service: LambdaService) -> bool:
    """Whether this engine keeps provisioned concurrency on versions and aliases only, as AWS
    does (put_provisioned_concurrency), rather than on the function's $LATEST."""
    return hasattr(service, "put_provisioned_concurrency")


def deployable(config: FunctionConfig, service: LambdaService) -> FunctionConfig:
    """The learner's configuration as $LATEST takes it: provisioned concurrency, where the
    engine refuses it on $LATEST, is left to the check (it publishes and puts it on an alias)."""
    if config.provisioned_concurrency and versions_carry_provisioned(service):
        return replace(config, provisioned_concurrency=0)
    return config


async def check_exercise(
    lesson: Lesson,
    code_dir: Path,
    service: LambdaService,
    *,
    name: str | None = None,
    on_check: OnCheck | None = None,
) -> ExerciseResult:
    """Run the lesson's checks, in order, on the function in code_dir; never raises for them.

    Each check starts from a fresh deploy (so it sees cold starts as a learner would). The
    function is deployed into `service` as `name` (default lesson-<id>) and stays there, so
    the app's timeline shows what the checks did. on_check is called after each check.
    """
    code_dir = Path(code_dir).resolve()
    try:
        config = load_function(code_dir, name=name or function_name(lesson))
    except ConfigError as exc:
        return ExerciseResult(lesson.id, code_dir, (), f"function.toml: {exc}")
    results: list[CheckResult] = []
    for spec in lesson.checks:
        try:
            service.deploy(deployable(config, service))
        except ConfigError as exc:
            return ExerciseResult(lesson.id, code_dir, tuple(results), str(exc))
        values = fresh.draw()  # new names and keys for every check: no answer can be learnt
        ctx = CheckContext(service, config, lesson, code_dir, values)
        concrete = replace(
            spec,
            params=fresh.substitute(spec.params, values),
            message=fresh.substitute(spec.message, values) if spec.message else spec.message,
        )
        result = await _run_one(ctx, concrete)
        results.append(result)
        if on_check is not None:
            on_check(result)
    return ExerciseResult(lesson.id, code_dir, tuple(results))


async def _run_one(ctx: CheckContext, spec: CheckSpec) -> CheckResult:
    """One check, its failures of any sort turned into feedback rather than exceptions."""
    import asyncio  # here, not at the top: loading lessons (lessons list) never needs it

    started = time.monotonic()
    kind = kinds()[spec.kind]
    try:
        outcome = await asyncio.wait_for(kind.run(ctx, spec.params), CHECK_LIMIT_S)
        passed, message = outcome.passed, feedback(spec, outcome)
    except InvokeError as exc:
        passed, message = False, f"Lambda refused the invocation: {exc.error_type}: {exc.message}"
    except TimeoutError:
        passed, message = False, f"The check did not finish within {CHECK_LIMIT_S:g} s"
    except Exception as exc:  # a learner's odd code must never crash the checker
        passed, message = False, f"The check could not run: {type(exc).__name__}: {exc}"
    seconds = time.monotonic() - started
    message = message[:1].upper() + message[1:]  # details may start mid-sentence ("the ...")
    return CheckResult(spec.index, spec.kind, spec.title, passed, message, seconds)
