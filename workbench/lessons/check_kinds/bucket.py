"""The thumbnail_pipeline check kind: an image dropped into a local S3 bucket, end to end
(runner: bucket_run, whose docstring tells how the check works).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import PurePosixPath
from typing import Any

from workbench.lessons.checks import declare
from workbench.lessons.schema import Field

# Image formats by extension: what the generated image is saved as, and what the thumbnail
# written under the same extension must be.
FORMATS = {".jpg": "JPEG", ".jpeg": "JPEG", ".png": "PNG"}


def _static(params: Mapping[str, Any]) -> list[tuple[tuple[str | int, ...], str]]:
    found: list[tuple[tuple[str | int, ...], str]] = []
    key = str(params.get("key", ""))
    prefix = params.get("prefix", "input/")
    suffix = params.get("suffix", PurePosixPath(key).suffix)
    if PurePosixPath(key).suffix.lower() not in FORMATS:
        found.append((("key",), f"the key must end in one of {', '.join(FORMATS)}"))
    if not key.startswith(prefix) or not key.endswith(suffix):
        found.append((("key",), f"{key!r} must start with {prefix!r} and end with {suffix!r}"))
    size = params.get("image_size", [])
    if len(size) != 2 or any(not isinstance(v, int) or not 1 <= v <= 4000 for v in size):
        found.append((("image_size",), "give [width, height], each 1 to 4000 pixels"))
    output = params.get("output_prefix", "output/")
    if output.startswith(prefix) or prefix.startswith(output):
        found.append((("output_prefix",), "the output prefix must not overlap the trigger's"))
    return found


RUNNERS = "workbench.lessons.check_kinds.bucket_run"  # imported when one of these checks runs

THUMBNAIL_PIPELINE = declare(
    "thumbnail_pipeline",
    "Drop a generated image at `key` in a local S3 bucket whose trigger fires the function for "
    "keys under `prefix` ending in `suffix`; within `wait_s` the function must write a valid "
    "image of the same format, at most `max_size` pixels on each side, at `output_prefix` + "
    "the image's file name, without retriggering itself.",
    {
        "key": Field("string", "the key to upload, e.g. 'input/beach day.jpg'", True),
        "image_size": Field("list", "[width, height] of the uploaded image", True, items="integer"),
        "max_size": Field("integer", "the thumbnail's longest side, at most", True, minimum=1),
        "prefix": Field("string", "the trigger's prefix (default input/)"),
        "suffix": Field("string", "the trigger's suffix (default: the key's extension)"),
        "output_prefix": Field("string", "where thumbnails go (default output/)"),
        "bucket": Field("string", "the bucket's name (default photos)"),
        "keep_aspect": Field("boolean", "the thumbnail must keep the image's proportions"),
        "wait_s": Field("number", "how long to wait for the thumbnail", minimum=1, maximum=60),
    },
    ("key", "output", "size", "max_size", "written", "invocations"),
    event_keys=(),
    static=_static,
    runner=RUNNERS,
)

KINDS = (THUMBNAIL_PIPELINE,)
