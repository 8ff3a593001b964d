"""Deployment packages through the real engine (process backend): .zip with a dependency, layers."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest
from engine_helpers import ServiceFactory, body, invoke

from tests.support.mini_wheel import write_wheel
from workbench.cli import main
from workbench.core.model import load_function
from workbench.packages.layers import publish_layer
from workbench.packages.zips import build_zip, deploy_zip, import_zip
from workbench.paths import SAMPLES_DIR

LAYER_DEMO = SAMPLES_DIR / "layer-demo"
USES_DEPENDENCY = """\
import wbminidep  # a third-party package, installed into the .zip from a local wheel
VERSION = {version!r}


def lambda_handler(event, context):
    return {{"said": wbminidep.shout(event.get("text", "hi")), "version": VERSION,
            "from": wbminidep.__file__}}
"""


@pytest.fixture(autouse=True)
def data_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path / "data-home"
    monkeypatch.setenv("XDG_DATA_HOME", str(home))
    return home


def package_with_dependency(tmp_path: Path, version: str) -> Path:
    """A function folder needing wbminidep, built into a .zip from a local wheel folder."""
    wheels = tmp_path / "wheels"
    if not wheels.exists():
        write_wheel(wheels)
    folder = tmp_path / f"src-{version}" / "shouter"
    folder.mkdir(parents=True)
    (folder / "lambda_function.py").write_text(USES_DEPENDENCY.format(version=version))
    (folder / "requirements.txt").write_text("wbminidep\n")
    out = tmp_path / f"shouter-{version}.zip"
    build_zip(folder, out, wheels=wheels)
    return out


async def test_a_zip_with_a_dependency_from_local_wheels_deploys_and_runs(
    make_service: ServiceFactory, tmp_path: Path, data_home: Path
) -> None:
    service = await make_service()
    package = package_with_dependency(tmp_path, "v1")
    config = deploy_zip(service, package)  # on the loop: deploy() starts environments there
    served = await invoke(service, config.name, {"text": "lambda"})
    assert served.function_error is None, served.payload
    result = body(served)
    assert result["said"] == "LAMBDA!" and result["version"] == "v1"
    assert Path(result["from"]).is_relative_to(
        data_home
    )  # the extracted package, not site-packages


async def test_deploying_a_new_zip_replaces_the_environments(
    make_service: ServiceFactory, tmp_path: Path
) -> None:
    service = await make_service()
    first = await asyncio.to_thread(import_zip, package_with_dependency(tmp_path, "v1"))
    service.deploy(first)
    assert body(await invoke(service, first.name))["version"] == "v1"
    assert (await invoke(service, first.name)).cold is False
    second_zip = package_with_dependency(tmp_path, "v2")
    second = await asyncio.to_thread(import_zip, second_zip, name=first.name)
    service.deploy(second)
    served = await invoke(service, second.name)
    assert body(served)["version"] == "v2"
    assert served.cold, "an update must start a new environment, as on AWS"


async def test_a_layer_module_is_imported_by_two_functions(
    make_service: ServiceFactory, data_home: Path
) -> None:
    layer = publish_layer("shared", LAYER_DEMO / "layers" / "shared")
    assert layer.ref == "shared:1"  # the sample functions name this version
    service = await make_service()
    replies = {}
    for folder in ("greeter", "farewell"):
        config = load_function(LAYER_DEMO / folder)
        assert config.layers == ("shared:1",)
        service.deploy(config)
        served = await invoke(service, config.name, {"name": "Ada"})
        assert served.function_error is None, served.payload
        replies[folder] = body(served)
    assert replies["greeter"]["message"] == "Hello, Ada!"
    assert replies["farewell"]["message"] == "Goodbye, Ada. See you soon."
    helper = {Path(reply["helper_from"]) for reply in replies.values()}
    assert len(helper) == 1 and helper.pop().is_relative_to(data_home)  # one shared copy


async def test_a_missing_layer_fails_the_cold_start_clearly(
    make_service: ServiceFactory,
) -> None:
    service = await make_service()
    service.deploy(load_function(LAYER_DEMO / "greeter"))  # shared:1 was never published here
    with pytest.raises(Exception, match=r"shared:1 is not published"):
        await invoke(service, "layer-demo-greeter")


def test_invoke_accepts_a_zip(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    package = package_with_dependency(tmp_path, "cli")
    status = main(["invoke", str(package), "--backend", "process", "--payload", '{"text": "a"}'])
    assert status == 0
    assert json.loads(capsys.readouterr().out)["said"] == "A!"
