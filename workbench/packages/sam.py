"""Export a function as an AWS SAM template.yaml, so the same function deploys with `sam`.

Every setting of FunctionConfig has its SAM property. Destination and queue ARNs are written
with ${AWS::Region} and ${AWS::AccountId}, so they name the learner's own account. Layers
become AWS::Serverless::LayerVersion resources whose ContentUri is the published version's
folder on this machine (versions are immutable, so the path stays valid). Triggers become
the function's Events (and the buckets and queues they need), each as its kind declares it in
workbench.triggers.kinds.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from workbench.core.model import FunctionConfig, parse_target
from workbench.packages.image_names import function_image_repo
from workbench.packages.layers import resolve_layer
from workbench.triggers.registry import kind_of
from workbench.triggers.running import TriggerSpec

SAM_TRANSFORM = "AWS::Serverless-2016-10-31"
PROVISIONED_ALIAS = "live"  # ProvisionedConcurrencyConfig needs an alias to attach to
EVENTS_FOLDER = "events"  # where saved test events live, as in `sam init` projects
_ARN_SERVICE = {"function": ("lambda", "function:"), "queue": ("sqs", ""), "topic": ("sns", "")}
_DESTINATION_TYPE = {"function": "Lambda", "queue": "SQS", "topic": "SNS"}


@dataclass(frozen=True)
class Export:
    """What an export wrote."""

    template: Path
    events: list[Path] = field(default_factory=list)
    not_exported: list[str] = field(default_factory=list)  # trigger kinds SAM cannot express


def logical_id(name: str, suffix: str) -> str:
    """A CloudFormation logical id (letters and digits only), e.g. hello-world -> HelloWorld."""
    words = [w for w in re.split(r"[^A-Za-z0-9]+", name) if w]
    return "".join(w[:1].upper() + w[1:] for w in words) + suffix


def _account_arn(text: str, setting: str) -> dict[str, str]:
    """A destination's ARN in the deploying account (Fn::Sub), not the workbench's."""
    target = parse_target(text, setting)
    service, prefix = _ARN_SERVICE[target.kind]
    return {
        "Fn::Sub": f"arn:aws:{service}:${{AWS::Region}}:${{AWS::AccountId}}:{prefix}{target.name}"
    }


def _destination(text: str) -> dict[str, Any]:
    target = parse_target(text)
    return {"Type": _DESTINATION_TYPE[target.kind], "Destination": _account_arn(text, "")}


def _relative(path: Path, start: Path) -> str:
    return Path(os.path.relpath(path, start)).as_posix()


def is_image_function(config: FunctionConfig) -> bool:
    """An image built by `package image` (its code inside), not a base image run on a folder."""
    return bool(config.image and config.image.startswith(function_image_repo()))


def function_properties(
    config: FunctionConfig, template_dir: Path, code: Path | None = None
) -> dict[str, Any]:
    """The AWS::Serverless::Function properties that say what FunctionConfig says.

    `code` is where SAM takes the code from: the folder (default) or a .zip package.
    """
    props: dict[str, Any] = {}
    if is_image_function(config):
        props["PackageType"] = "Image"
        props["ImageConfig"] = {"Command": [config.handler]}
    else:
        props["CodeUri"] = _relative(code or config.code_dir, template_dir)
        props["Handler"] = config.handler
        props["Runtime"] = config.runtime
    props["MemorySize"] = config.memory_mb
    props["Timeout"] = config.timeout_s
    props["EphemeralStorage"] = {"Size": config.ephemeral_storage_mb}
    props["Architectures"] = [config.architecture]
    if config.environment:
        props["Environment"] = {"Variables": dict(config.environment)}
    if config.reserved_concurrency is not None:
        props["ReservedConcurrentExecutions"] = config.reserved_concurrency
    if config.provisioned_concurrency:
        props["AutoPublishAlias"] = PROVISIONED_ALIAS
        props["ProvisionedConcurrencyConfig"] = {
            "ProvisionedConcurrentExecutions": config.provisioned_concurrency
        }
    invoke_config: dict[str, Any] = {
        "MaximumRetryAttempts": config.max_retry_attempts,
        "MaximumEventAgeInSeconds": config.max_event_age_s,
    }
    destinations = {
        key: _destination(target)
        for key, target in (("OnSuccess", config.on_success), ("OnFailure", config.on_failure))
        if target
    }
    if destinations:
        invoke_config["DestinationConfig"] = destinations
    props["EventInvokeConfig"] = invoke_config
    if config.dead_letter:
        kind = parse_target(config.dead_letter).kind
        props["DeadLetterQueue"] = {
            "Type": "SNS" if kind == "topic" else "SQS",
            "TargetArn": _account_arn(config.dead_letter, "dead-letter queue"),
        }
    return props


def trigger_events(
    config: FunctionConfig, triggers: Sequence[TriggerSpec]
) -> tuple[dict[str, Any], dict[str, Any], list[str]]:
    """The SAM events of these triggers, the resources they need, and the kinds left out
    (those whose kind declares no SAM event)."""
    events: dict[str, Any] = {}
    resources: dict[str, Any] = {}
    left_out: list[str] = []
    seen: dict[str, int] = {}
    for spec in triggers:
        kind = kind_of(spec)
        if kind.sam_event is None:
            left_out.append(kind.name)
            continue
        seen[kind.name] = seen.get(kind.name, 0) + 1
        number = seen[kind.name]
        prefix = logical_id(config.name, str(number) if number > 1 else "")
        sam = kind.sam_event(spec, prefix)
        events.update(sam.events)
        resources.update(sam.resources)
    return events, resources, left_out


def sam_template(
    config: FunctionConfig,
    template_dir: Path,
    *,
    triggers: Sequence[TriggerSpec] = (),
    code: Path | None = None,
) -> dict[str, Any]:
    """The template as data; `triggers` (the kinds' specs) become the function's Events."""
    function_id = logical_id(config.name, "Function")
    props = function_properties(config, template_dir, code)
    events, resources, _ = trigger_events(config, triggers)
    if config.layers and not is_image_function(config):
        refs = []
        for ref in config.layers:
            layer = resolve_layer(ref)
            layer_id = logical_id(layer.name, "Layer")
            resources[layer_id] = {
                "Type": "AWS::Serverless::LayerVersion",
                "Properties": {
                    "LayerName": layer.name,
                    "Description": f"{layer.ref} in Lambda Workbench",
                    "ContentUri": str(layer.content),  # absolute: it lives in the data folder
                    "CompatibleRuntimes": [config.runtime],
                },
            }
            refs.append({"Ref": layer_id})
        props["Layers"] = refs
    if events:
        props["Events"] = events
    function: dict[str, Any] = {"Type": "AWS::Serverless::Function", "Properties": props}
    if is_image_function(config):
        function["Metadata"] = {
            "Dockerfile": "Dockerfile",
            "DockerContext": _relative(config.code_dir, template_dir),
            "DockerTag": str(config.image).rsplit(":", 1)[-1],
        }
    return {
        "AWSTemplateFormatVersion": "2010-09-09",
        "Transform": SAM_TRANSFORM,
        "Description": f"{config.name}, exported from Lambda Workbench",
        "Resources": {function_id: function, **resources},
        "Outputs": {
            "FunctionArn": {
                "Description": f"The ARN of {config.name}",
                "Value": {"Fn::GetAtt": [function_id, "Arn"]},
            }
        },
    }


def saved_events(code_dir: Path) -> dict[str, Any]:
    """The function's saved test events: events/NAME.json in its folder."""
    folder = code_dir / EVENTS_FOLDER
    found = {}
    for path in sorted(folder.glob("*.json")) if folder.is_dir() else []:
        try:
            found[path.stem] = json.loads(path.read_text("utf-8"))
        except (OSError, ValueError):
            continue  # a broken file is not an event worth exporting
    return found


def export_sam(
    config: FunctionConfig,
    out: Path,
    *,
    triggers: Sequence[TriggerSpec] = (),
    test_events: Mapping[str, Any] | None = None,
    code: Path | None = None,
) -> Export:
    """Write template.yaml at `out` and the function's saved test events beside it."""
    out = Path(out).resolve()
    out.parent.mkdir(parents=True, exist_ok=True)
    template = sam_template(config, out.parent, triggers=triggers, code=code)
    header = (
        f"# {config.name}, exported from Lambda Workbench.\n"
        "# Deploy it to AWS with: sam build && sam deploy --guided\n"
        "# Try a saved event with: sam local invoke -e events/NAME.json\n"
    )
    out.write_text(header + yaml.safe_dump(template, sort_keys=False, width=100), "utf-8")
    written = []
    target = out.parent / EVENTS_FOLDER
    in_place = (config.code_dir / EVENTS_FOLDER).resolve() == target
    saved = {} if in_place else saved_events(config.code_dir)  # in place: already beside it
    for name, event in {**saved, **(test_events or {})}.items():
        target.mkdir(parents=True, exist_ok=True)
        path = target / f"{name}.json"
        path.write_text(json.dumps(event, indent=2) + "\n", "utf-8")
        written.append(path)
    if in_place:
        written += sorted(p for p in target.glob("*.json") if p not in written)
    return Export(out, written, trigger_events(config, triggers)[2])
