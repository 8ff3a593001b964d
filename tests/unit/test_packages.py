"""Deployment packages without running anything: .zip build/import, limits, layers, SAM export."""

from __future__ import annotations

import json
import os
import time
import zipfile
from pathlib import Path

import pytest
import yaml

from tests.support.mini_wheel import write_wheel
from workbench.cli import main
from workbench.core.model import ConfigError, FunctionConfig, load_function
from workbench.packages import layers, limits
from workbench.packages.image_names import function_image_repo
from workbench.packages.limits import MB, PackageError
from workbench.packages.sam import export_sam
from workbench.packages.zips import build_zip, import_zip, inspect_zip
from workbench.triggers.api_trigger import ApiSpec
from workbench.triggers.schedule_trigger import ScheduleSpec

HANDLER = "def lambda_handler(event, context):\n    return {'ok': True}\n"


@pytest.fixture(autouse=True)
def data_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every test gets its own data folder (layers, extracted packages)."""
    home = tmp_path / "data-home"
    monkeypatch.setenv("XDG_DATA_HOME", str(home))
    return home


def make_function(
    root: Path, name: str = "fn", toml: str = "", files: dict[str, str] | None = None
) -> Path:
    """A function folder with a handler, an optional function.toml and more files."""
    folder = root / name
    folder.mkdir(parents=True)
    (folder / "lambda_function.py").write_text(HANDLER)
    if toml:
        (folder / "function.toml").write_text(toml)
    for relative, text in (files or {}).items():
        path = folder / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return folder


def stream_zip(path: Path, members: dict[str, int], method: int = zipfile.ZIP_DEFLATED) -> Path:
    """A .zip of files of zeros (sizes in bytes), written without any of them on disk."""
    with zipfile.ZipFile(path, "w", method) as archive:
        for name, size in members.items():
            with archive.open(name, "w", force_zip64=True) as writer:
                for _ in range(size // MB):
                    writer.write(bytes(MB))
                writer.write(bytes(size % MB))
    return path


# ----- building ------------------------------------------------------------------------
def test_build_is_reproducible_and_leaves_caches_out(tmp_path: Path) -> None:
    folder = make_function(
        tmp_path, toml='name = "fn"\n', files={"lib/util.py": "X = 1\n", "__pycache__/a.pyc": "x"}
    )
    (folder / ".git").mkdir()
    (folder / ".git" / "HEAD").write_text("ref")
    script = folder / "run.sh"
    script.write_text("#!/bin/sh\n")
    script.chmod(0o755)
    first = build_zip(folder, tmp_path / "a.zip")
    time.sleep(1.1)  # a zip stores 2-second timestamps: make sure ours are fixed, not "now"
    build_zip(folder, tmp_path / "b.zip")
    assert (tmp_path / "a.zip").read_bytes() == (tmp_path / "b.zip").read_bytes()
    names = [e.name for e in first.entries]
    assert names == ["function.toml", "lambda_function.py", "lib/util.py", "run.sh"]
    assert [e.name for e in first.entries if e.executable] == ["run.sh"]


def test_build_installs_requirements_from_a_local_wheel_folder(tmp_path: Path) -> None:
    wheels = tmp_path / "wheels"
    write_wheel(wheels)
    folder = make_function(tmp_path, files={"requirements.txt": "wbminidep==1.0\n"})
    info = build_zip(folder, tmp_path / "fn.zip", wheels=wheels)
    names = {e.name for e in info.entries}
    assert "wbminidep/__init__.py" in names
    assert "wbminidep-1.0.dist-info/METADATA" in names
    assert not any(name.endswith(".pyc") for name in names)


def test_requirements_without_index_or_wheels_fail_fast_and_clearly(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PIP_INDEX_URL", "http://127.0.0.1:9/simple/")  # nothing listens there
    folder = make_function(tmp_path, files={"requirements.txt": "wbminidep\n"})
    started = time.monotonic()
    with pytest.raises(PackageError, match="no package index is reachable") as caught:
        build_zip(folder, tmp_path / "fn.zip")
    assert time.monotonic() - started < 10
    assert "--wheels" in str(caught.value)
    assert not (tmp_path / "fn.zip").exists()


def test_an_oversized_package_is_refused_with_the_limit_named(tmp_path: Path) -> None:
    folder = make_function(tmp_path)
    (folder / "model.bin").write_bytes(os.urandom(51 * MB))  # random: deflate cannot shrink it
    with pytest.raises(PackageError) as caught:
        build_zip(folder, tmp_path / "fn.zip")
    assert "MB zipped; Lambda allows 50 MB for a direct upload" in str(caught.value)
    assert not (tmp_path / "fn.zip").exists()
    stored = tmp_path / "big.zip"
    with zipfile.ZipFile(stored, "w", zipfile.ZIP_STORED) as archive:
        archive.write(folder / "lambda_function.py", "lambda_function.py")
        archive.write(folder / "model.bin", "model.bin")
    with pytest.raises(PackageError, match=r"the package is 51\.\d MB zipped"):
        import_zip(stored)


def test_the_unzipped_limit_counts_layers(tmp_path: Path) -> None:
    layer_zip = stream_zip(tmp_path / "big-layer.zip", {"python/data.bin": 150 * MB})
    layers.publish_layer("big", layer_zip)
    package = stream_zip(tmp_path / "fn.zip", {"data.bin": 120 * MB})
    with zipfile.ZipFile(package, "a") as archive:
        archive.writestr("lambda_function.py", HANDLER)
    with pytest.raises(PackageError) as caught:
        import_zip(package, layers=("big:1",))
    message = str(caught.value)
    assert "layers" in message and "Lambda allows 250 MB unzipped, layers included" in message
    expected = f"Unzipped size must be smaller than {262144000 - 150 * MB} bytes"
    assert caught.value.message.startswith(expected)
    assert import_zip(package).name == "fn"  # the code alone fits


# ----- importing -----------------------------------------------------------------------
def test_import_extracts_into_a_managed_folder_with_settings(
    tmp_path: Path, data_home: Path
) -> None:
    folder = make_function(tmp_path, toml="memory = 256\n")
    build_zip(folder, tmp_path / "my-fn.zip")
    config = import_zip(tmp_path / "my-fn.zip", timeout_s=9)
    assert config.name == "my-fn" and config.memory_mb == 256 and config.timeout_s == 9
    assert config.code_dir.is_relative_to(data_home)
    assert (config.code_dir / "lambda_function.py").read_text() == HANDLER
    assert import_zip(tmp_path / "my-fn.zip").code_dir == config.code_dir  # same bytes, reused


@pytest.mark.parametrize("evil", ["../escape.py", "/etc/evil.py", "a/../../escape.py", "C:\\x.py"])
def test_zip_slip_is_refused(tmp_path: Path, data_home: Path, evil: str) -> None:
    package = tmp_path / "slip.zip"
    with zipfile.ZipFile(package, "w") as archive:
        archive.writestr("lambda_function.py", HANDLER)
        archive.writestr(evil, "print('pwned')")
    with pytest.raises(PackageError, match="zip-slip"):
        import_zip(package)
    with pytest.raises(PackageError, match="zip-slip"):
        inspect_zip(package)
    assert not (tmp_path / "escape.py").exists()
    assert not list(data_home.rglob("*.py"))


def test_import_refuses_non_zips_and_a_missing_handler(tmp_path: Path) -> None:
    (tmp_path / "not.zip").write_text("hello")
    with pytest.raises(PackageError, match=r"not a \.zip archive"):
        import_zip(tmp_path / "not.zip")
    nested = tmp_path / "nested.zip"
    with zipfile.ZipFile(nested, "w") as archive:
        archive.writestr("fn/lambda_function.py", HANDLER)  # zipped the folder, not its content
    with pytest.raises(PackageError, match=r"lambda_function\.py at the root"):
        import_zip(nested)
    assert import_zip(nested, handler="fn/lambda_function.lambda_handler").name == "nested"


# ----- layers ----------------------------------------------------------------------------
def test_layers_are_numbered_immutable_versions_merged_in_order(tmp_path: Path) -> None:
    one = make_function(tmp_path, "one", files={"python/helper.py": "V = 1\n", "bin/tool": "a"})
    two = make_function(tmp_path, "two", files={"python/helper.py": "V = 2\n"})
    first, second = layers.publish_layer("shared", one), layers.publish_layer("shared", two)
    assert (first.ref, second.ref) == ("shared:1", "shared:2")
    assert second.arn == "arn:aws:lambda:us-east-1:123456789012:layer:shared:2"
    assert [v.ref for v in layers.list_layers()] == ["shared:1", "shared:2"]
    assert layers.resolve_layer(second.arn).version == 2
    merged = layers.opt_dir(("shared:1", "shared:2"))
    assert merged is not None
    assert (merged / "python" / "helper.py").read_text() == "V = 2\n"  # the later layer wins
    assert (merged / "bin" / "tool").is_file()
    assert (layers.opt_dir(("shared:1",)) / "python" / "helper.py").read_text() == "V = 1\n"
    with pytest.raises(PackageError, match=r"shared:3 is not published"):
        layers.resolve_layer("shared:3")
    with pytest.raises(PackageError, match="another account"):
        layers.resolve_layer("arn:aws:lambda:eu-west-1:999999999999:layer:shared:1")


def test_a_function_takes_at_most_five_layers(tmp_path: Path) -> None:
    folder = make_function(tmp_path, toml='layers = ["a:1", "b:2"]\n')
    assert load_function(folder).layers == ("a:1", "b:2")
    FunctionConfig(name="f", code_dir=folder, layers=tuple(f"l{i}:1" for i in range(5)))
    with pytest.raises(ConfigError, match="Lambda allows at most 5 per function"):
        FunctionConfig(name="f", code_dir=folder, layers=tuple(f"l{i}:1" for i in range(6)))
    with pytest.raises(ConfigError, match="not a layer version"):
        FunctionConfig(name="f", code_dir=folder, layers=("shared",))


def test_limit_messages_start_with_aws_own_words() -> None:
    """AWS's InvalidParameterValueException reads "Unzipped size must be smaller than 262144000
    bytes" (jkehler/awslambda-psycopg2#82, serverless/serverless#6792), with the room the
    layers leave when there are some ("smaller than 255174947 bytes",
    aws-samples/serverless-pdf-chat#51). A direct upload over 50 MB is refused as
    RequestEntityTooLargeException "Request must be smaller than 69905067 bytes for the
    CreateFunction operation" (localstack/localstack#2999): 50 MB, base64-encoded."""
    with pytest.raises(PackageError) as zipped:
        limits.check_zipped(51 * MB)
    assert zipped.value.message.startswith(
        "Request must be smaller than 69905067 bytes for the UpdateFunctionCode operation"
    )
    with pytest.raises(PackageError) as layer:
        limits.check_zipped(51 * MB, "PublishLayerVersion")
    assert "for the PublishLayerVersion operation" in layer.value.message
    assert limits.REQUEST_LIMIT == -(-limits.ZIPPED_LIMIT // 3) * 4 - 1  # base64 of 50 MB
    with pytest.raises(PackageError) as unzipped:
        limits.check_unzipped(251 * MB)
    assert unzipped.value.message.startswith("Unzipped size must be smaller than 262144000 bytes")
    with pytest.raises(PackageError) as with_layers:
        limits.check_unzipped(200 * MB, 60 * MB)
    assert with_layers.value.message.startswith(
        f"Unzipped size must be smaller than {262144000 - 60 * MB} bytes"
    )


def test_limit_messages_name_the_limits() -> None:
    with pytest.raises(PackageError, match=r"61\.2 MB zipped; Lambda allows 50 MB"):
        limits.check_zipped(int(61.2 * MB))
    with pytest.raises(PackageError, match="Lambda allows 10 GB for a container image"):
        limits.check_image(limits.IMAGE_LIMIT + 1)
    limits.check_unzipped(200 * MB, 50 * MB)  # exactly 250 MB is allowed


# ----- SAM export ------------------------------------------------------------------------
FULL_TOML = """\
name = "full-fn"
handler = "app.main"
memory = 512
timeout = 30
ephemeral_storage = 1024
architecture = "arm64"
layers = ["shared:1"]
reserved_concurrency = 10
provisioned_concurrency = 2
max_retry_attempts = 1
max_event_age = 3600
on_success = "queue:done"
on_failure = "function:oops"
dead_letter = "topic:dlq"
[environment]
GREETING = "hi"
"""


def translate(template: dict, monkeypatch: pytest.MonkeyPatch) -> dict:
    """Run AWS's own SAM translator offline (local paths swapped for S3 URIs, as sam does)."""
    transform = pytest.importorskip("samtranslator.translator.transform").transform
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    for resource in template["Resources"].values():
        for key in ("CodeUri", "ContentUri"):
            if key in resource["Properties"]:
                resource["Properties"][key] = f"s3://bucket/{key}.zip"

    class NoManagedPolicies:
        def load(self) -> dict:
            return {}

    return transform(template, {}, NoManagedPolicies())


def test_sam_export_names_every_setting_and_translates(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    layers.publish_layer("shared", make_function(tmp_path, "layer", files={"python/g.py": ""}))
    folder = make_function(tmp_path, toml=FULL_TOML, files={"app.py": HANDLER})
    (folder / "events").mkdir()
    (folder / "events" / "ada.json").write_text('{"name": "Ada"}')
    out = tmp_path / "export" / "template.yaml"
    triggers = [ApiSpec(("GET /hello",)), ScheduleSpec("rate(5 minutes)")]
    written = export_sam(load_function(folder), out, triggers=triggers)
    assert json.loads((out.parent / "events" / "ada.json").read_text()) == {"name": "Ada"}
    assert written.events == [out.parent / "events" / "ada.json"]
    template = yaml.safe_load(out.read_text())
    props = template["Resources"]["FullFnFunction"]["Properties"]
    assert props["CodeUri"] == "../fn" and props["Handler"] == "app.main"
    assert (props["Runtime"], props["MemorySize"], props["Timeout"]) == ("python3.11", 512, 30)
    assert props["EphemeralStorage"] == {"Size": 1024} and props["Architectures"] == ["arm64"]
    assert props["Environment"] == {"Variables": {"GREETING": "hi"}}
    assert props["Layers"] == [{"Ref": "SharedLayer"}]
    assert props["ReservedConcurrentExecutions"] == 10
    assert props["AutoPublishAlias"] == "live"
    assert props["ProvisionedConcurrencyConfig"] == {"ProvisionedConcurrentExecutions": 2}
    invoke_config = props["EventInvokeConfig"]
    assert invoke_config["MaximumRetryAttempts"] == 1
    assert invoke_config["MaximumEventAgeInSeconds"] == 3600
    assert invoke_config["DestinationConfig"]["OnSuccess"]["Type"] == "SQS"
    assert invoke_config["DestinationConfig"]["OnFailure"]["Type"] == "Lambda"
    assert props["DeadLetterQueue"]["Type"] == "SNS"
    assert set(props["Events"]) == {"FullFnApi", "FullFnSchedule"}

    resources = translate(template, monkeypatch)["Resources"]
    function = resources["FullFnFunction"]["Properties"]
    assert function["MemorySize"] == 512 and function["Architectures"] == ["arm64"]
    assert function["EphemeralStorage"] == {"Size": 1024}
    assert function["ReservedConcurrentExecutions"] == 10
    assert function["Environment"] == {"Variables": {"GREETING": "hi"}}
    types = {resource["Type"] for resource in resources.values()}
    assert {"AWS::Lambda::LayerVersion", "AWS::Lambda::EventInvokeConfig"} <= types
    assert {"AWS::Lambda::Alias", "AWS::Events::Rule", "AWS::ApiGatewayV2::Api"} <= types
    alias = next(r for r in resources.values() if r["Type"] == "AWS::Lambda::Alias")
    assert alias["Properties"]["ProvisionedConcurrencyConfig"] == {
        "ProvisionedConcurrentExecutions": 2
    }


def test_sam_export_of_an_image_function(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = make_function(tmp_path, files={"Dockerfile": "FROM scratch\n"})
    image = f"{function_image_repo('fn')}:abc123"  # the prefix follows the environment
    config = load_function(folder, image=image, handler="app.handler")
    template = yaml.safe_load(export_sam(config, folder / "template.yaml").template.read_text())
    function = template["Resources"]["FnFunction"]
    assert function["Properties"]["PackageType"] == "Image"
    assert function["Properties"]["ImageConfig"] == {"Command": ["app.handler"]}
    assert "Handler" not in function["Properties"] and "CodeUri" not in function["Properties"]
    assert function["Metadata"] == {"Dockerfile": "Dockerfile", "DockerContext": ".",
                                    "DockerTag": "abc123"}  # fmt: skip
    function["Properties"]["ImageUri"] = "123456789012.dkr.ecr.us-east-1.amazonaws.com/fn:1"
    resources = translate(template, monkeypatch)["Resources"]
    assert resources["FnFunction"]["Properties"]["PackageType"] == "Image"


# ----- the commands ----------------------------------------------------------------------
def test_package_layer_and_export_commands(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = make_function(tmp_path, toml='layers = ["tools:1"]\n')
    assert main(["layer", "publish", "tools", str(make_function(tmp_path, "t"))]) == 0
    assert "no python/ folder" in capsys.readouterr().err
    assert main(["layer", "list"]) == 0
    assert "arn:aws:lambda:us-east-1:123456789012:layer:tools:1" in capsys.readouterr().out
    out = tmp_path / "fn.zip"
    assert main(["package", "build", str(folder), "-o", str(out)]) == 0
    assert main(["package", "list", str(out)]) == 0
    listing = capsys.readouterr().out
    assert "lambda_function.py" in listing and "limit 50 MB" in listing
    assert main(["export", str(folder), "--format", "sam"]) == 0
    assert (folder / "template.yaml").is_file()
    assert "template.yaml" not in {e.name for e in build_zip(folder, out).entries}
    assert main(["export", str(out)]) == 0  # a .zip exports as itself: SAM deploys it as is
    exported = yaml.safe_load((tmp_path / "template.yaml").read_text())
    assert exported["Resources"]["FnFunction"]["Properties"]["CodeUri"] == "fn.zip"
    (tmp_path / "bad.zip").write_text("no")
    assert main(["package", "list", str(tmp_path / "bad.zip")]) == 2
    assert "not a .zip archive" in capsys.readouterr().err
