"""The trigger registry: every part that lists trigger kinds asks it, so a kind added in one
module shows up everywhere (no Qt here; the dialog and cards are tested in tests/ui)."""

from __future__ import annotations

import argparse
import dataclasses
import importlib
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
from workbench.triggers.kind import SamEvent, SpecDefaults, Trigger, TriggerKind
from workbench.triggers.kinds import api, bucket, queue, schedule
from workbench.triggers.registry import (
    UnknownTriggerKind,
    kind_of,
    registered,
    trigger_kind,
    trigger_kinds,
)

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


FAKE = TriggerKind(
    name="fake",
    title="Fake source",
    summary="A throwaway kind, registered by a test",
    order=25,
    spec=FakeSpec,
    runner=FakeTrigger,
    default_spec=lambda defaults: FakeSpec(),
    command="fake-trigger",
    command_help="a throwaway trigger command from a test",
    sam_event=fake_sam,
    samples=(),
    icon_svg='<circle cx="12" cy="12" r="9"/>',
)


@pytest.fixture
def fake_kind() -> Iterator[TriggerKind]:
    with registered(FAKE) as kind:
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
    assert kind_of(api.ApiSpec()) is api.KIND and kind_of(bucket.BucketTrigger) is bucket.KIND
    with pytest.raises(UnknownTriggerKind, match="known: api, bucket, schedule, queue"):
        trigger_kind("kinesis")


def test_a_registered_kind_is_listed_for_the_dialog_the_cli_and_the_export(
    fake_kind: TriggerKind, function: FunctionConfig, tmp_path: Path
):
    assert [kind.name for kind in trigger_kinds()] == ["api", "bucket", "fake", "schedule", "queue"]
    assert kind_of(FakeSpec()) is fake_kind and kind_of(FakeTrigger) is fake_kind
    # The CLI: its command table and --help list the kind's command (without importing it).
    assert command_table()["fake-trigger"] == "a throwaway trigger command from a test"
    assert "a throwaway trigger command from a test" in build_parser(["--help"]).format_help()
    # The SAM export: the kind's own event and resources.
    template = sam_template(function, tmp_path, triggers=[FakeSpec(), api.ApiSpec()])
    props = template["Resources"]["HelloWorldFunction"]["Properties"]
    assert set(props["Events"]) == {"HelloWorldFake", "HelloWorldApi"}
    assert template["Resources"]["HelloWorldPaint"] == {"Type": "AWS::SNS::Topic"}


def test_a_second_kind_with_a_taken_name_is_refused():
    taken = registered(dataclasses.replace(FAKE, name="queue"))
    with pytest.raises(ValueError, match="'queue' is already registered"), taken:
        pass
    assert trigger_kind("queue") is queue.KIND


def test_a_kind_without_a_sam_event_is_left_out_of_the_template_and_said(
    function: FunctionConfig,
):
    with registered(dataclasses.replace(FAKE, sam_event=None)):
        events, resources, left_out = trigger_events(function, [FakeSpec(), FakeSpec()])
    assert (events, resources, left_out) == ({}, {}, ["fake", "fake"])


@pytest.mark.parametrize("name", BUILT_IN)
def test_every_kind_has_a_spec_a_runner_an_icon_samples_and_a_cli_command(
    name: str, function: FunctionConfig, tmp_path: Path
):
    kind = trigger_kind(name)
    module = importlib.import_module(f"workbench.triggers.kinds.{name}")
    assert module.KIND is kind and kind.title and kind.summary
    # Its spec: a frozen dataclass of this kind, with a default an intent can start.
    assert dataclasses.is_dataclass(kind.spec) and kind.spec.kind == name
    spec = kind.default_spec(SpecDefaults(function, tmp_path / "buckets"))
    assert isinstance(spec, kind.spec)
    with pytest.raises(dataclasses.FrozenInstanceError):
        setattr(spec, dataclasses.fields(spec)[0].name, None)
    # Its runner.
    assert issubclass(kind.runner, Trigger) and kind.runner.kind == name and kind.runner.tag
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
    ("spec", "declared"),
    [
        (api.ApiSpec(("GET /hello", "POST /orders/{id}")), api.sam_events),
        (api.ApiSpec(payload_version="1.0"), api.sam_events),
        (bucket.BucketSpec(Path("in"), prefix="in/", events=frozenset({"put"})), bucket.sam_events),
        (schedule.ScheduleSpec("cron(0 12 * * ? *)"), schedule.sam_events),
        (queue.QueueSpec(batch_size=5, report_failures=True), queue.sam_events),
    ],
)
def test_the_exported_events_are_the_kind_modules_own(
    spec: Any, declared: Any, function: FunctionConfig, tmp_path: Path
):
    template = sam_template(function, tmp_path, triggers=[spec])
    expected = declared(spec, "HelloWorld")
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
        api.ApiSpec(("GET /hello",)),
        api.ApiSpec(),
        bucket.BucketSpec(Path("photos"), prefix="uploads/", suffix=".jpg"),
        schedule.ScheduleSpec("rate(5 minutes)"),
        queue.QueueSpec(batch_size=20, window_s=2, report_failures=True),
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
    assert {rule["Name"]: rule["Value"] for rule in rules} == {
        "prefix": "uploads/",
        "suffix": ".jpg",
    }
