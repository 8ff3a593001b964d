"""The trigger registry: every part that lists trigger kinds asks it, so a kind declared in one
module shows up everywhere (no Qt here; the dialog and cards are tested in tests/ui)."""

from __future__ import annotations

import argparse
import dataclasses
import importlib
import subprocess
import sys
import xml.etree.ElementTree as ElementTree
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from workbench.catalogue import sample_keys
from workbench.cli import build_parser
from workbench.commands import command_table
from workbench.core.model import FunctionConfig, load_function
from workbench.packages.sam import sam_template, trigger_events
from workbench.triggers import api_trigger, bucket_trigger, queue_trigger, schedule_trigger
from workbench.triggers.kind import TriggerKind
from workbench.triggers.kinds import queue
from workbench.triggers.registry import (
    UnknownTriggerKind,
    kind_of,
    registered,
    trigger_kind,
    trigger_kinds,
)
from workbench.triggers.running import SamEvent, SpecDefaults, Trigger

BUILT_IN = ["api", "bucket", "schedule", "queue"]


@dataclass(frozen=True)
class FakeSpec:
    colour: str = "teal"

    kind = "fake"


class FakeTrigger(Trigger):
    kind, tag = "fake", "fake"


def fake_sam(spec: FakeSpec, prefix: str) -> SamEvent:
    event = {"Type": "Schedule", "Properties": {"Schedule": "rate(1 day)"}}
    return SamEvent({f"{prefix}Fake": event}, {f"{prefix}Paint": {"Type": "AWS::SNS::Topic"}})


def fake(**changes: Any) -> TriggerKind:
    """A throwaway kind whose parts are objects, not names in a module."""
    declared: dict[str, Any] = {
        "name": "fake",
        "title": "Fake source",
        "summary": "A throwaway kind, registered by a test",
        "order": 25,
        "spec": FakeSpec,
        "runner": FakeTrigger,
        "default_spec": lambda defaults: FakeSpec(),
        "sam_event": fake_sam,
        "command": "fake-trigger",
        "command_help": "a throwaway trigger command from a test",
        "icon_svg": '<circle cx="12" cy="12" r="9"/>',
    }
    return TriggerKind(**(declared | changes))


@pytest.fixture
def fake_kind() -> Iterator[TriggerKind]:
    with registered(fake()) as kind:
        yield kind
    assert "fake" not in [k.name for k in trigger_kinds()]


@pytest.fixture
def function(tmp_path: Path) -> FunctionConfig:
    folder = tmp_path / "hello-world"
    folder.mkdir()
    (folder / "lambda_function.py").write_text("def lambda_handler(event, context):\n    pass\n")
    return load_function(folder)


def test_the_built_in_kinds_are_found_in_their_modules_in_listing_order():
    assert [kind.name for kind in trigger_kinds()] == BUILT_IN
    assert trigger_kind("queue") is queue.KIND
    assert kind_of(api_trigger.ApiSpec()).name == "api"
    assert kind_of(bucket_trigger.BucketTrigger).name == "bucket"
    with pytest.raises(UnknownTriggerKind, match="known: api, bucket, schedule, queue"):
        trigger_kind("kinesis")


def test_listing_kinds_and_their_commands_loads_no_implementation():
    """--help reads every kind's declaration: no spec, runner or engine may load with it."""
    probe = (
        "import sys\n"
        "from workbench.commands import command_table\n"
        "from workbench.triggers.registry import trigger_kinds\n"
        "assert [k.icon_svg and k.summary for k in trigger_kinds()] and command_table()\n"
        "print('\\n'.join(sys.modules))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=60
    )
    loaded = set(done.stdout.split())
    assert "workbench.triggers.kinds.queue" in loaded
    heavy = ("workbench.triggers.running", "aiohttp", "workbench.core", "dataclasses")
    assert sorted(m for m in loaded if m.endswith("_trigger") or m.startswith(heavy)) == []


def test_a_registered_kind_is_listed_for_the_dialog_the_cli_and_the_export(
    fake_kind: TriggerKind, function: FunctionConfig, tmp_path: Path
):
    assert [kind.name for kind in trigger_kinds()] == ["api", "bucket", "fake", "schedule", "queue"]
    assert kind_of(FakeSpec()) is fake_kind and kind_of(FakeTrigger) is fake_kind
    # The CLI: its command table and --help list the kind's command (without importing it).
    assert command_table()["fake-trigger"] == "a throwaway trigger command from a test"
    assert "a throwaway trigger command from a test" in build_parser(["--help"]).format_help()
    # The SAM export: the kind's own event and resources.
    template = sam_template(function, tmp_path, triggers=[FakeSpec(), api_trigger.ApiSpec()])
    props = template["Resources"]["HelloWorldFunction"]["Properties"]
    assert set(props["Events"]) == {"HelloWorldFake", "HelloWorldApi"}
    assert template["Resources"]["HelloWorldPaint"] == {"Type": "AWS::SNS::Topic"}


def test_a_second_kind_with_a_taken_name_is_refused():
    taken = registered(fake(name="queue"))
    with pytest.raises(ValueError, match="'queue' is already registered"), taken:
        pass
    assert trigger_kind("queue") is queue.KIND


def test_a_kind_naming_its_parts_without_a_module_says_so():
    with pytest.raises(LookupError, match="'fake' names its spec but no module"):
        _ = fake(spec="FakeSpec").spec


def test_a_kind_without_a_sam_event_is_left_out_of_the_template_and_said(
    function: FunctionConfig,
):
    with registered(fake(sam_event=None)):
        events, resources, left_out = trigger_events(function, [FakeSpec(), FakeSpec()])
    assert (events, resources, left_out) == ({}, {}, ["fake", "fake"])


@pytest.mark.parametrize("name", BUILT_IN)
def test_every_kind_has_a_spec_a_runner_an_icon_samples_and_a_cli_command(
    name: str, function: FunctionConfig, tmp_path: Path
):
    kind = trigger_kind(name)
    declaration = importlib.import_module(f"workbench.triggers.kinds.{name}")
    implementation = importlib.import_module(kind.implementation)
    assert declaration.KIND is kind and kind.title and kind.summary
    # Its spec: a frozen dataclass of this kind, with a default an intent can start.
    assert kind.spec.__module__ == implementation.__name__
    assert dataclasses.is_dataclass(kind.spec) and kind.spec.kind == name
    spec = kind.default_spec(SpecDefaults(function, tmp_path / "buckets"))
    assert isinstance(spec, kind.spec)
    with pytest.raises(dataclasses.FrozenInstanceError):
        setattr(spec, dataclasses.fields(spec)[0].name, None)
    # Its runner.
    assert issubclass(kind.runner, Trigger) and kind.runner.kind == name and kind.runner.tag
    # Its SAM events, from its own module.
    assert kind.sam_event is implementation.sam_events
    # Its icon: an SVG body that parses.
    ElementTree.fromstring(f'<svg xmlns="http://www.w3.org/2000/svg">{kind.icon_svg}</svg>')
    # Its sample events exist in the catalogue.
    assert kind.samples and set(kind.samples) <= set(sample_keys())
    # Its CLI command: the module registers exactly the help line the registry lists.
    assert kind.command is not None and command_table()[kind.command] == kind.command_help
    subparsers = argparse.ArgumentParser().add_subparsers()
    importlib.import_module(f"workbench.commands.{kind.command}").register(subparsers)
    helps = {choice.dest: choice.help for choice in subparsers._choices_actions}
    assert helps == {kind.command: kind.command_help}


@pytest.mark.parametrize(
    ("spec", "module"),
    [
        (api_trigger.ApiSpec(("GET /hello", "POST /orders/{id}")), api_trigger),
        (api_trigger.ApiSpec(payload_version="1.0"), api_trigger),
        (
            bucket_trigger.BucketSpec(Path("in"), prefix="in/", events=frozenset({"put"})),
            bucket_trigger,
        ),
        (schedule_trigger.ScheduleSpec("cron(0 12 * * ? *)"), schedule_trigger),
        (queue_trigger.QueueSpec(batch_size=5, report_failures=True), queue_trigger),
    ],
)
def test_the_exported_events_are_the_kind_modules_own(
    spec: Any, module: Any, function: FunctionConfig, tmp_path: Path
):
    template = sam_template(function, tmp_path, triggers=[spec])
    expected = module.sam_events(spec, "HelloWorld")
    props = template["Resources"]["HelloWorldFunction"]["Properties"]
    assert props["Events"] == expected.events
    for name, resource in expected.resources.items():
        assert template["Resources"][name] == resource


def test_every_kind_exports_what_aws_sam_translates(
    function: FunctionConfig, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    transform = pytest.importorskip("samtranslator.translator.transform").transform
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    triggers = [
        api_trigger.ApiSpec(("GET /hello",)),
        api_trigger.ApiSpec(),
        bucket_trigger.BucketSpec(Path("photos"), prefix="uploads/", suffix=".jpg"),
        schedule_trigger.ScheduleSpec("rate(5 minutes)"),
        queue_trigger.QueueSpec(batch_size=20, window_s=2, report_failures=True),
    ]
    template = sam_template(function, tmp_path, triggers=triggers)
    template["Resources"]["HelloWorldFunction"]["Properties"]["CodeUri"] = "s3://bucket/c.zip"

    class NoManagedPolicies:
        def load(self) -> dict:
            return {}

    resources = transform(template, {}, NoManagedPolicies())["Resources"]
    types = {resource["Type"] for resource in resources.values()}
    assert {
        "AWS::ApiGatewayV2::Api",
        "AWS::S3::Bucket",
        "AWS::Events::Rule",
        "AWS::SQS::Queue",
        "AWS::Lambda::EventSourceMapping",
    } <= types
    mapping = next(r for r in resources.values() if r["Type"] == "AWS::Lambda::EventSourceMapping")
    assert mapping["Properties"]["BatchSize"] == 20
    assert mapping["Properties"]["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    s3 = resources["HelloWorldBucket"]["Properties"]["NotificationConfiguration"]
    rules = s3["LambdaConfigurations"][0]["Filter"]["S3Key"]["Rules"]
    assert {r["Name"]: r["Value"] for r in rules} == {"prefix": "uploads/", "suffix": ".jpg"}


def test_ui_triggers_holds_only_qt_code():
    """Code without Qt lives in the domain (workbench/triggers), not under ui/ (issue 14)."""
    folder = Path(__file__).resolve().parents[2] / "workbench" / "ui" / "triggers"
    qt_free = [
        path.name
        for path in sorted(folder.glob("*.py"))
        if path.name != "__init__.py" and "PySide6" not in path.read_text(encoding="utf-8")
    ]
    assert qt_free == []
