"""Provisioned concurrency on versions and aliases only, as AWS; its capacity in the meter."""

from __future__ import annotations

import json
import os
import signal
from decimal import Decimal
from pathlib import Path

import pytest
from engine_helpers import ServiceFactory, wait_until, write_function

from workbench.core.billing_meter import BillingMeter
from workbench.core.errors import InvokeError
from workbench.core.events import EnvironmentReaped, InitCompleted
from workbench.core.model import ConfigError

WHO = """
import os
def lambda_handler(event, context):
    init = os.environ["AWS_LAMBDA_INITIALIZATION_TYPE"]
    return {"init": init, "version": context.function_version}
"""
LATEST_REFUSAL = (
    "Provisioned Concurrency Configs cannot be applied to unpublished function versions."
)


async def test_latest_is_refused_both_ways(make_service: ServiceFactory, tmp_path: Path):
    service = await make_service()
    with pytest.raises(ConfigError, match="cannot be applied to unpublished function versions"):
        service.deploy(write_function(tmp_path, WHO, name="f", provisioned_concurrency=1))
    assert service.functions() == []  # nothing refused is deployed
    service.deploy(write_function(tmp_path, WHO, name="f"))
    for qualifier in (None, "$LATEST"):
        with pytest.raises(InvokeError) as raised:
            service.put_provisioned_concurrency("f", qualifier, 1)
        assert raised.value.error_type == "InvalidParameterValueException"
        assert raised.value.message == LATEST_REFUSAL
    with pytest.raises(InvokeError) as unknown:
        service.put_provisioned_concurrency("f", "3", 1)
    assert unknown.value.status == 404


async def test_provisioned_concurrency_beyond_the_reservation_is_refused(
    make_service: ServiceFactory, tmp_path: Path
):
    service = await make_service()
    service.deploy(write_function(tmp_path, WHO, name="r", reserved_concurrency=2))
    service.publish_version("r")
    service.set_alias("r", "live", 1)
    service.put_provisioned_concurrency("r", "1", 1)
    with pytest.raises(InvokeError, match=r"exceeds what its concurrency allows \(2"):
        service.put_provisioned_concurrency("r", "live", 2)  # 1 + 2 > 2


async def test_version_invokes_land_warm_and_latest_stays_on_demand(
    make_service: ServiceFactory, tmp_path: Path
):
    service = await make_service()
    meter = BillingMeter()
    meter.attach(service.bus)
    service.deploy(write_function(tmp_path, WHO, name="shop"))
    service.publish_version("shop")
    service.put_provisioned_concurrency("shop", "1", 1)
    assert await wait_until(lambda: service.provisioned_ready("shop", "1") == 1)
    warm = await service.invoke("shop", b"{}", qualifier="1")
    assert json.loads(warm.payload) == {"init": "provisioned-concurrency", "version": "1"}
    assert not warm.cold and warm.report.init_duration_ms is None
    latest = await service.invoke("shop", b"{}")
    assert json.loads(latest.payload)["init"] == "on-demand" and latest.cold
    # Capacity: 128 MB for the first 5 minutes, billed while provisioned.
    now = service.clock.now()
    assert meter.capacity.active() == 1
    assert meter.capacity_cost(now) == Decimal(300) * Decimal("0.125") * Decimal("0.0000041667")
    assert meter.capacity.billed_seconds(now) == 300
    service.delete_provisioned_concurrency("shop", "1")
    assert await wait_until(lambda: meter.capacity.active() == 0)
    assert any(e.reason == "replaced" for e in service.bus.of_type(EnvironmentReaped))


async def test_an_alias_s_provisioned_environments_follow_it_to_a_new_version(
    make_service: ServiceFactory, tmp_path: Path
):
    service = await make_service()
    service.deploy(write_function(tmp_path, WHO, name="moving"))
    service.publish_version("moving")
    service.publish_version("moving")
    service.set_alias("moving", "live", 1)
    service.put_provisioned_concurrency("moving", "live", 1)
    assert await wait_until(lambda: service.provisioned_ready("moving", "1") == 1)
    service.set_alias("moving", "live", 2)
    assert await wait_until(lambda: service.provisioned_ready("moving", "live") == 1)
    assert await wait_until(lambda: sum(1 for _ in service.bus.of_type(InitCompleted)) == 2)
    result = await service.invoke("moving", b"{}", qualifier="live")
    assert json.loads(result.payload) == {"init": "provisioned-concurrency", "version": "2"}
    assert service.provisioned_ready("moving", "1") == 0


PID = """
import os
def lambda_handler(event, context):
    return {"pid": os.getpid(), "init": os.environ["AWS_LAMBDA_INITIALIZATION_TYPE"]}
"""


async def test_a_provisioned_environment_that_dies_idle_is_replaced(
    make_service: ServiceFactory, tmp_path: Path
):
    """Lambda keeps the configured provisioned concurrency: a lost environment is replaced
    without waiting for an invocation or a new deployment."""
    service = await make_service()
    service.deploy(write_function(tmp_path, PID, name="kept"))
    service.publish_version("kept")
    service.put_provisioned_concurrency("kept", "1", 1)
    assert await wait_until(lambda: service.provisioned_ready("kept", "1") == 1)
    first = json.loads((await service.invoke("kept", b"{}", qualifier="1")).payload)
    assert first["init"] == "provisioned-concurrency"
    os.kill(first["pid"], signal.SIGKILL)
    assert await wait_until(
        lambda: any(e.reason == "died" for e in service.bus.of_type(EnvironmentReaped))
    )
    assert await wait_until(lambda: service.provisioned_ready("kept", "1") == 1, timeout=15)
    again = await service.invoke("kept", b"{}", qualifier="1")
    body = json.loads(again.payload)
    assert body["init"] == "provisioned-concurrency" and body["pid"] != first["pid"]
    assert not again.cold
