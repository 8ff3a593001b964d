"""The app's provisioned concurrency: published behind alias `live`, never on $LATEST (AWS
refuses it there: "Provisioned Concurrency Configs cannot be applied to unpublished function
versions"), and the app's invocations go to `live`, where they land on initialised
environments."""

from __future__ import annotations

import json
from pathlib import Path

from engine_helpers import ServiceFactory, wait_until, write_function

from workbench.workspace import provisioned_alias

WHO = """
import os
def lambda_handler(event, context):
    return {"init": os.environ["AWS_LAMBDA_INITIALIZATION_TYPE"],
            "version": context.function_version}
"""


async def test_provisioned_concurrency_goes_behind_live_and_back(
    make_service: ServiceFactory, tmp_path: Path
):
    service = await make_service()
    config = write_function(tmp_path, WHO, name="p")
    service.deploy(provisioned_alias.for_latest(config.with_changes(provisioned_concurrency=2)))
    assert service.function("p").provisioned_concurrency == 0

    live = provisioned_alias.sync(service, config.with_changes(provisioned_concurrency=2))
    assert live.qualifier == "live" and "version 1" in live.message
    await wait_until(lambda: service.provisioned_ready("p", "live") == 2, timeout=30)
    answer = json.loads((await service.invoke("p", b"{}", qualifier=live.qualifier)).payload)
    assert answer == {"init": "provisioned-concurrency", "version": "1"}
    on_latest = json.loads((await service.invoke("p", b"{}")).payload)
    assert on_latest["init"] == "on-demand"  # $LATEST stays on demand, as on AWS

    again = provisioned_alias.sync(service, config.with_changes(provisioned_concurrency=2))
    assert "version 2" in again.message  # new code is published, live moves with it

    gone = provisioned_alias.sync(service, config.with_changes(provisioned_concurrency=0))
    assert gone.qualifier is None and "removed" in gone.message
    assert service.versions.provisioned("p") == []
