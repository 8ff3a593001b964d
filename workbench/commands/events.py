"""`lambda-workbench events`: list the sample event catalogue and print freshly generated events."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from workbench.catalogue import CatalogueError, describe, generate, sample_keys


def register(subparsers: Any) -> None:
    """Add the `events` command and its `list`, `show` and `describe` sub-commands."""
    parser = subparsers.add_parser(
        "events",
        help="list the sample events and print one as JSON",
        description=(
            "The sample event catalogue: the events AWS services send to Lambda, with fresh "
            "ids and timestamps on every generation. Without an action, list them."
        ),
    )
    parser.set_defaults(func=run_list)
    actions = parser.add_subparsers(dest="events_command", metavar="{list,show,describe}")

    listing = actions.add_parser("list", help="list the sample events (key, service, title)")
    listing.set_defaults(func=run_list)

    show = actions.add_parser(
        "show",
        help="print a freshly generated sample event as JSON",
        description=(
            "Print a new sample event on stdout (fresh ids and timestamps every time). "
            "--set fills its parameters; `events describe KEY` lists them."
        ),
    )
    show.add_argument("key", metavar="KEY", help="the event's key, e.g. s3-put")
    show.add_argument(
        "--set",
        dest="settings",
        action="append",
        default=[],
        metavar="FIELD=VALUE",
        help="set a parameter, e.g. --set 'key=photos/cat 1.jpg' (repeatable)",
    )
    show.set_defaults(func=run_show)

    explain = actions.add_parser(
        "describe",
        help="explain a sample event: what it is, its surprise, its parameters",
    )
    explain.add_argument("key", metavar="KEY", help="the event's key, e.g. sqs")
    explain.set_defaults(func=run_describe)


def parse_settings(settings: list[str]) -> dict[str, str]:
    """`--set` values as parameters: split at the first '=' (so `query=name=Alice` works)."""
    params: dict[str, str] = {}
    for setting in settings:
        name, sep, value = setting.partition("=")
        if not sep or not name.strip():
            raise ValueError(f"--set expects FIELD=VALUE, got {setting!r}")
        params[name.strip()] = value
    return params


def run_list(args: argparse.Namespace) -> int:
    """Print the catalogue as a table: key, service, title."""
    try:
        rows = [(key, describe(key)["service"], describe(key)["title"]) for key in sample_keys()]
    except CatalogueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    rows.insert(0, ("KEY", "SERVICE", "TITLE"))
    key_width = max(len(row[0]) for row in rows)
    service_width = max(len(row[1]) for row in rows)
    for key, service, title in rows:
        print(f"{key:<{key_width}}  {service:<{service_width}}  {title}".rstrip())
    return 0


def run_show(args: argparse.Namespace) -> int:
    """Print one generated event as indented JSON."""
    try:
        params: dict[str, Any] = parse_settings(args.settings)
        event = generate(args.key, **params)
    except (CatalogueError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    sys.stdout.write(json.dumps(event, indent=2, ensure_ascii=False) + "\n")
    return 0


def run_describe(args: argparse.Namespace) -> int:
    """Print what an event is, what surprises learners about it, and its parameters."""
    try:
        info = describe(args.key)
    except CatalogueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    lines = [f"{info['key']}: {info['service']}, {info['title']}", info["description"]]
    if info.get("surprise"):
        lines += ["", f"Surprise: {info['surprise']}"]
    if info["params"]:
        lines += ["", f"Parameters (events show {info['key']} --set NAME=VALUE):"]
        for spec in info["params"]:
            shown = "computed" if spec["derived"] else json.dumps(spec["default"])
            lines.append(f"  {spec['name']} ({spec['type']}, default {shown}): {spec['help']}")
            where = ", ".join(spec["paths"])
            if where:
                encoding = spec.get("encoding", "none")
                lines.append(
                    f"      lands in {where}" + ("" if encoding == "none" else f" ({encoding})")
                )
            if spec.get("choices"):
                lines.append(f"      one of: {', '.join(map(str, spec['choices']))}")
    print("\n".join(lines))
    return 0
