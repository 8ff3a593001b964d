"""Fixtures for content tests: a real LambdaService on the process backend, closed afterwards."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

from workbench.backends.process import ProcessBackend
from workbench.core.service import LambdaService

CLOSE_LIMIT_S = 10.0


@pytest.fixture
async def service() -> AsyncIterator[LambdaService]:
    """A started service whose environments are local processes."""
    service = LambdaService(ProcessBackend())
    await service.start()
    yield service
    await asyncio.wait_for(service.close(), CLOSE_LIMIT_S)
