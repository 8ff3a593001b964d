"""`lambda-workbench package`: build a function into a .zip or an image, and list a .zip."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from workbench.core.model import ConfigError, load_function
from workbench.packages.limits import (
    CONSOLE_EDITOR_LIMIT,
    MB,
    UNZIPPED_LIMIT,
    ZIPPED_LIMIT,
    megabytes,
)
from workbench.packages.zips import PackageInfo, build_zip, inspect_zip


def register(subparsers: Any) -> None:
    """Add `package build`, `package list` and `package image`."""
    parser = subparsers.add_parser(
        "package",
        help="build a deployment package (.zip or container image) and list a .zip",
        description="Deployment packages as Lambda takes them: a .zip of the code and its "
        "dependencies (50 MB zipped, 250 MB unzipped with layers), or a container image (10 GB).",
    )
    parser.set_defaults(func=lambda _args: parser.print_help() or 2)
    actions = parser.add_subparsers(dest="package_command", metavar="{build,list,image}")

    build = actions.add_parser("build", help="zip a function folder with its requirements")
    build.add_argument("dir", help="the function's code folder")
    build.add_argument(
        "--wheels",
        metavar="DIR",
        help="install requirements.txt from the wheels in DIR only (no package index)",
    )
    build.add_argument("-o", "--output", metavar="FILE", help="the .zip to write (./NAME.zip)")
    build.set_defaults(func=run_build)

    listing = actions.add_parser("list", help="list a .zip's files and sizes against the limits")
    listing.add_argument("file", help="the .zip package")
    listing.set_defaults(func=run_list)

    image = actions.add_parser("image", help="build the folder's Dockerfile as a function image")
    image.add_argument("dir", help="the function's folder, with a Dockerfile")
    image.set_defaults(func=run_image)


def _progress(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


def run_build(args: argparse.Namespace) -> int:
    try:
        name = load_function(Path(args.dir)).name
        out = Path(args.output) if args.output else Path.cwd() / f"{name}.zip"
        wheels = Path(args.wheels) if args.wheels else None
        info = build_zip(Path(args.dir), out, wheels=wheels, progress=_progress)
    except ConfigError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    _summary(info)
    return 0


def run_list(args: argparse.Namespace) -> int:
    try:
        info = inspect_zip(Path(args.file))
    except ConfigError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(f"{'size':>12}  {'zipped':>12}  name")
    for entry in info.entries:
        mark = " *" if entry.executable else ""
        print(f"{entry.size:>12,}  {entry.compressed:>12,}  {entry.name}{mark}")
    _summary(info)
    too_big = info.zipped_size > ZIPPED_LIMIT or info.unzipped_size > UNZIPPED_LIMIT
    return 1 if too_big else 0


def _summary(info: PackageInfo) -> None:
    """Totals against Lambda's limits, in the words the limits are written in."""
    print(f"{info.path}: {len(info.entries)} files")
    print(f"  zipped   {megabytes(info.zipped_size):>10}  (limit {ZIPPED_LIMIT // MB} MB upload)")
    print(
        f"  unzipped {megabytes(info.unzipped_size):>10}  "
        f"(limit {UNZIPPED_LIMIT // MB} MB with layers)"
    )
    if not info.console_editable:
        print(f"  over {CONSOLE_EDITOR_LIMIT // MB} MB: the console's code editor cannot show it")


def run_image(args: argparse.Namespace) -> int:
    from workbench.backends.function_image import build_function_image
    from workbench.backends.images import NO_ENGINE_MESSAGE, ImageError, docker_client_or_none

    client = docker_client_or_none()
    if client is None:
        print(f"error: {NO_ENGINE_MESSAGE}", file=sys.stderr)
        return 2
    try:
        built = build_function_image(client, Path(args.dir), progress=_progress)
    except (ConfigError, ImageError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    finally:
        client.close()
    print(built.tag)
    print(
        f"run it with: lambda-workbench invoke {args.dir} --image {built.tag} "
        f"--handler {built.config.handler}",
        file=sys.stderr,
    )
    return 0
