"""A backend that fails to start a runtime in an unexpected way (an OSError from the spawn)
fails that environment with a clear error; the next invocation starts a fresh one."""

from __future__ import annotations

from pathlib import Path

import pytest
from engine_helpers import ServiceFactory, write_function

from workbench.core.errors import InvokeError

HELLO = "def lambda_handler(event, context):\n    return 'ok'\n"


async def test_an_unexpected_start_failure_fails_only_that_environment(
    make_service: ServiceFactory, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    service = await make_service()
    service.deploy(write_function(tmp_path, HELLO, name="f"))
    real_start = service.backend.start
    failures = iter([OSError(24, "Too many open files")])

    async def start_once_failing(spec):
        error = next(failures, None)
        if error is not None:
            raise error
        return await real_start(spec)

    monkeypatch.setattr(service.backend, "start", start_once_failing)
    with pytest.raises(InvokeError) as raised:
        await service.invoke("f", b"{}")
    assert "Too many open files" in raised.value.message
    assert (await service.invoke("f", b"{}")).payload == b'"ok"'
