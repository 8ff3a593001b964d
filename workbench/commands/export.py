"""`lambda-workbench export DIR --format sam`: a SAM template.yaml to deploy the function to AWS."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from workbench.core.model import ConfigError, load_function
from workbench.packages.sam import export_sam
from workbench.packages.zips import import_zip


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "export",
        help="export a function as an AWS SAM template.yaml (plus its saved test events)",
        description="Write a SAM template.yaml naming every setting of the function (memory, "
        "timeout, /tmp, architecture, environment, layers, concurrency, async invocation, "
        "destinations), and its saved test events (events/*.json) beside it.",
    )
    parser.add_argument("dir", help="the function's code folder (or a .zip package)")
    parser.add_argument("--format", choices=["sam"], default="sam", help="only sam, for now")
    parser.add_argument(
        "-o", "--output", metavar="FILE", help="the template to write (default DIR/template.yaml)"
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    source = Path(args.dir)
    try:
        code = None
        if source.suffix.lower() == ".zip" and source.is_file():
            config, code = import_zip(source), source.resolve()  # SAM deploys the .zip as is
            default = code.parent / "template.yaml"
        else:
            config = load_function(source)
            default = config.code_dir / "template.yaml"
        out = Path(args.output) if args.output else default
        written = export_sam(config, out, code=code)
    except (ConfigError, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(written.template)
    for event in written.events:
        print(event)
    print(
        f"deploy with: cd {written.template.parent} && sam build && sam deploy --guided",
        file=sys.stderr,
    )
    return 0
