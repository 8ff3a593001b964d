"""On the process backend each environment has its own /tmp (TMPDIR) that survives a reset
and goes when the environment is reaped; scratch folders of dead runs are swept."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from pathlib import Path

from engine_helpers import body, invoke, wait_until, write_function

from workbench.backends.process import ProcessBackend, sweep_orphans
from workbench.core.events import EnvironmentReaped
from workbench.core.scratch import scratch_dir
from workbench.core.service import LambdaService

KEEPER = """
import os, tempfile, time
def lambda_handler(event, context):
    path = os.path.join(tempfile.gettempdir(), "kept.txt")
    if event.get("write"):
        with open(path, "w") as f:
            f.write(event["write"])
    if event.get("hang"):
        time.sleep(60)
    kept = open(path).read() if os.path.exists(path) else None
    return {"kept": kept, "tmp": tempfile.gettempdir(), "cwd": os.getcwd(),
            "task_root": os.environ["LAMBDA_TASK_ROOT"], "pid": os.getpid()}
"""


async def test_tmp_survives_a_timeout_reset_and_is_removed_when_reaped(make_service, tmp_path):
    service = await make_service(idle_timeout_s=0.5)
    service.deploy(write_function(tmp_path, KEEPER, name="keeper", timeout_s=1))
    first = body(await invoke(service, "keeper", {"write": "hello"}))
    assert first["cwd"] == first["task_root"]  # like /var/task: the code is importable
    assert Path(first["tmp"]).parent.name.startswith("lambda-workbench-envs-")  # not shared
    timed_out = await invoke(service, "keeper", {"hang": True})
    assert timed_out.report.status == "timeout"
    after = body(await invoke(service, "keeper", {}))
    assert after["pid"] != first["pid"]  # a new runtime process…
    assert after["kept"] == "hello" and after["tmp"] == first["tmp"]  # …with the same /tmp
    assert await wait_until(lambda: any(service.bus.of_type(EnvironmentReaped)), timeout=10)
    assert await wait_until(lambda: not Path(first["tmp"]).exists(), timeout=5)


async def test_each_environment_has_its_own_tmp(make_service, tmp_path):
    service = await make_service()
    slow = KEEPER.replace(
        "def lambda_handler(event, context):",
        "def lambda_handler(event, context):\n    time.sleep(0.3)",
    )
    service.deploy(write_function(tmp_path, slow, name="pair"))
    one, two = await asyncio.gather(
        invoke(service, "pair", {"write": "one"}), invoke(service, "pair", {"write": "two"})
    )
    assert body(one)["tmp"] != body(two)["tmp"]
    assert {body(one)["kept"], body(two)["kept"]} == {"one", "two"}


def test_scratch_folders_of_a_dead_run_are_swept_and_live_ones_kept(tmp_path):
    dead = subprocess.run(
        [sys.executable, "-c", "from workbench.core.scratch import scratch_dir;"
         "d = scratch_dir('envs'); (d / 'env1').mkdir(); print(d)"],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    leftover = Path(dead.stdout.strip())
    live = scratch_dir("envs")
    try:
        assert leftover.is_dir()
        sweep_orphans()
        assert not leftover.exists()
        assert live.is_dir()
    finally:
        live.rmdir()


async def test_the_version_snapshots_folder_goes_when_the_service_closes(tmp_path):
    service = LambdaService(ProcessBackend())
    async with service:
        service.deploy(write_function(tmp_path, KEEPER, name="versioned"))
        version = service.versions.publish(service.function("versioned"))
        root = service.versions.root
        assert root.name.startswith(f"lambda-workbench-versions-{os.getpid()}-")
        assert (version.config.code_dir / "lambda_function.py").is_file()
    assert not root.exists()
