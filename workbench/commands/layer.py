"""`lambda-workbench layer`: publish a folder or .zip as a numbered layer version; list them."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from workbench.core.model import ConfigError
from workbench.packages.layers import list_layers, publish_layer
from workbench.packages.limits import megabytes


def register(subparsers: Any) -> None:
    """Add `layer publish` and `layer list`."""
    parser = subparsers.add_parser(
        "layer",
        help="publish and list layers (shared code mounted at /opt)",
        description="Layers: a folder or .zip published as an immutable, numbered version "
        "(NAME:1, NAME:2, ...). A function lists up to 5 in function.toml (layers = "
        '["NAME:1"]) or with --layer; they are merged in order into /opt.',
    )
    parser.set_defaults(func=run_list, name=None)
    actions = parser.add_subparsers(dest="layer_command", metavar="{publish,list}")

    publish = actions.add_parser("publish", help="publish the next version of a layer")
    publish.add_argument("name", help="the layer's name")
    publish.add_argument("source", help="a folder (its content becomes /opt) or a .zip")
    publish.set_defaults(func=run_publish)

    listing = actions.add_parser("list", help="list published layer versions")
    listing.add_argument("name", nargs="?", help="only this layer's versions")
    listing.set_defaults(func=run_list)


def run_publish(args: argparse.Namespace) -> int:
    try:
        layer = publish_layer(args.name, Path(args.source))
    except ConfigError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(layer.ref)
    print(
        f"published {layer.arn} ({megabytes(layer.zipped_size)} zipped, "
        f"{megabytes(layer.unzipped_size)} unzipped)",
        file=sys.stderr,
    )
    if not (layer.content / "python").is_dir():
        print(
            "note: the layer has no python/ folder, so Python functions will not import its "
            "modules (Lambda puts /opt/python on sys.path)",
            file=sys.stderr,
        )
    return 0


def run_list(args: argparse.Namespace) -> int:
    try:
        layers = list_layers(args.name)
    except ConfigError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if not layers:
        print("no layers published yet: lambda-workbench layer publish NAME DIR", file=sys.stderr)
        return 0
    for layer in layers:
        print(
            f"{layer.ref:<24} {megabytes(layer.unzipped_size):>10} unzipped  {layer.created}  "
            f"{layer.arn}"
        )
    return 0
