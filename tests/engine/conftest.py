"""Fixtures for engine tests: real LambdaServices on the process backend, closed afterwards."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from engine_helpers import CLOSE_LIMIT_S, ServiceFactory

from workbench.backends.process import ProcessBackend
from workbench.core.service import LambdaService


@pytest.fixture
async def make_service() -> Any:
    """A factory of started services (process backend); all are closed, in bounded time."""
    services: list[LambdaService] = []

    async def factory(**kwargs: Any) -> LambdaService:
        service = LambdaService(ProcessBackend(), **kwargs)
        await service.start()
        services.append(service)
        return service

    yield factory
    for service in services:
        await asyncio.wait_for(service.close(), CLOSE_LIMIT_S)


@pytest.fixture
async def service(make_service: ServiceFactory) -> LambdaService:
    return await make_service()
