"""A process runtime gets Lambda's file-descriptor limit and a memory backstop."""

from __future__ import annotations

import json
from pathlib import Path

from engine_helpers import ServiceFactory, write_function

LIMITS = """
import resource
def lambda_handler(event, context):
    return {
        "nofile": resource.getrlimit(resource.RLIMIT_NOFILE),
        "address_space": resource.getrlimit(resource.RLIMIT_AS),
    }
"""


async def test_a_process_runtime_has_1024_descriptors_and_an_address_space_backstop(
    make_service: ServiceFactory, tmp_path: Path
):
    service = await make_service()
    service.deploy(write_function(tmp_path, LIMITS, name="limits", memory_mb=256))
    limits = json.loads((await service.invoke("limits", b"{}")).payload)
    assert limits["nofile"] == [1024, 1024]  # Lambda: 1,024 file descriptors
    soft, hard = limits["address_space"]
    assert soft == hard and 256 * 1024 * 1024 < soft < 16 * 1024**3  # memory plus headroom
