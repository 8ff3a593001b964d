"""Runner of the thumbnail_pipeline check kind (declared in bucket.py): an image dropped
into a local S3 bucket, end to end.

A LocalBucket over a temporary folder fires the learner's function (asynchronously, as S3
does) for keys under `prefix` ending in `suffix`; the function reaches the bucket with boto3
through AWS_ENDPOINT_URL_S3. The check drops a generated image at `key`, waits (bounded)
for the function to write `output_prefix` + the image's file name, and opens what it wrote
with Pillow. Retries are switched off for the check, so a failure is reported at once rather
than retried a minute later; the bucket's recursive-loop guard (16 invocations per chain)
stays on, and a function that writes back under the trigger's prefix fails the check.
"""

from __future__ import annotations

import asyncio
import io
import os
import re
import tempfile
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from workbench.core.events import Event, InvocationCompleted, InvocationDropped, LogLine
from workbench.core.model import FunctionConfig
from workbench.lessons.check_kinds.bucket import FORMATS
from workbench.lessons.check_kinds.package_run import lesson_layer
from workbench.lessons.checks import CheckContext, Outcome, failed, passed
from workbench.lessons.feedback import clip
from workbench.packages.layers import stage_installed
from workbench.triggers.bucket import LOOP_LIMIT, Firing, LocalBucket
from workbench.triggers.s3_events import TriggerFilter, encode_key

POLL_S = 0.1  # the bucket's folder poll and this check's own
DEFAULT_WAIT_S = 10.0
PILLOW_LAYER = "pillow"  # what the thumbnail checks attach: Pillow is not in the runtime
_MISSING_KEY = re.compile(r"NoSuchKey|Not Found|\(404\)|does not exist", re.IGNORECASE)
_NO_MODULE = re.compile(r"No module named '([^'.]+)")
SHOWN_KEYS = 5


@dataclass
class _Watch:
    """What the bucket and the bus report while the check runs."""

    function: str
    firings: list[Firing] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    done: dict[str, InvocationCompleted | InvocationDropped] = field(default_factory=dict)
    logs: dict[str, list[str]] = field(default_factory=dict)

    def on_event(self, event: Event) -> None:
        if event.function != self.function:
            return
        if isinstance(event, InvocationCompleted | InvocationDropped):
            self.done.setdefault(event.request_id, event)
        elif isinstance(event, LogLine) and event.request_id:
            self.logs.setdefault(event.request_id, []).append(event.text)

    @property
    def invoked(self) -> list[str]:
        return [f.request_id for f in self.firings if f.request_id]

    @property
    def settled(self) -> bool:
        """Something fired, and every invocation it caused (and they caused) has finished."""
        return bool(self.firings) and all(rid in self.done for rid in self.invoked)

    def first_error(self) -> tuple[str, str] | None:
        """The errorType and message of the first failed invocation, from its log."""
        for request_id in self.invoked:
            outcome = self.done.get(request_id)
            if isinstance(outcome, InvocationCompleted) and outcome.function_error:
                lines = self.logs.get(request_id, [])
                line = next((ln for ln in lines if ln.startswith("[ERROR]")), "")
                kind_, _, message = line.removeprefix("[ERROR] ").partition(": ")
                report = outcome.report
                if report.status == "timeout":
                    seconds = report.duration_ms / 1000
                    return "Sandbox.Timedout", f"timed out after {seconds:.2f} seconds"
                return kind_ or report.error_type or outcome.function_error, message
        return None


def _make_image(size: tuple[int, int], image_format: str) -> bytes:
    """A photo-like test image: a gradient with shapes, so every format compresses it."""
    from PIL import Image, ImageDraw

    width, height = size
    image = Image.new("RGB", size)
    draw = ImageDraw.Draw(image)
    for y in range(height):
        shade = int(255 * y / max(height - 1, 1))
        draw.line([(0, y), (width, y)], fill=(shade, 120, 255 - shade))
    draw.ellipse([width // 4, height // 4, 3 * width // 4, 3 * height // 4], fill=(250, 200, 40))
    buffer = io.BytesIO()
    image.save(buffer, format=image_format)
    return buffer.getvalue()


def _drop(root: Path, key: str, data: bytes) -> None:
    """Put an object in place as a finished file: written under a temporary name, renamed."""
    path = root.joinpath(*key.split("/"))
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(path.name + ".part")  # a name the bucket ignores
    temporary.write_bytes(data)
    os.replace(temporary, path)


def _objects(root: Path) -> set[str]:
    return {
        p.relative_to(root).as_posix()
        for p in root.rglob("*")
        if p.is_file() and not p.name.endswith(".part") and not p.name.startswith(".~")
    }


def _keys(keys: list[str]) -> str:
    shown = ", ".join(keys[:SHOWN_KEYS]) + (", …" if len(keys) > SHOWN_KEYS else "")
    return shown or "nothing"


async def thumbnail_pipeline(ctx: CheckContext, params: Mapping[str, Any]) -> Outcome:
    key = params["key"]
    prefix = params.get("prefix", "input/")
    suffix = params.get("suffix", PurePosixPath(key).suffix)
    image_format = FORMATS[PurePosixPath(key).suffix.lower()]
    width, height = params["image_size"]
    output = params.get("output_prefix", "output/") + PurePosixPath(key).name
    trigger = TriggerFilter(prefix=prefix, suffix=suffix, events=frozenset({"put"}))
    watch = _Watch(ctx.name)
    config = await asyncio.to_thread(_with_pillow_layer, ctx.config)
    unsubscribe = ctx.service.bus.subscribe(watch.on_event)
    with tempfile.TemporaryDirectory(prefix="lesson-bucket-") as tmp:
        root = Path(tmp) / "bucket"
        root.mkdir()
        bucket = LocalBucket(
            ctx.service,
            root,
            config.with_changes(max_retry_attempts=0),
            name=params.get("bucket", "photos"),
            trigger=trigger,
            poll_interval_s=POLL_S,
            on_firing=watch.firings.append,
            on_warning=watch.warnings.append,
        )
        try:
            await bucket.start()
            data = await asyncio.to_thread(_make_image, (width, height), image_format)
            await asyncio.to_thread(_drop, root, key, data)
            await _wait(watch, float(params.get("wait_s", DEFAULT_WAIT_S)), ctx.config.timeout_s)
        finally:
            await bucket.close()
            unsubscribe()
            ctx.service.deploy(ctx.config)  # without the bucket's endpoint, retries as set
        written = sorted(_objects(root) - {key})
        thumbnail = (root / output).read_bytes() if (root / output).is_file() else None
    facts = _Facts(key, prefix, suffix, output, (width, height), params, trigger, written)
    return _judge(facts, watch, thumbnail)


def _with_pillow_layer(config: FunctionConfig) -> FunctionConfig:
    """Pillow is not part of Lambda's Python runtime: as on AWS, a layer provides it. The check
    attaches the layer `pillow` (built once from the workbench's own Pillow, for this machine's
    Python) unless the function ships PIL itself or brings layers of its own."""
    if (config.code_dir / "PIL").is_dir() or config.layers:
        return config
    with tempfile.TemporaryDirectory(prefix="pillow-layer-") as tmp:
        version = lesson_layer(PILLOW_LAYER, stage_installed(("PIL",), Path(tmp)))
    return config.with_changes(layers=(version.ref,))


async def _wait(watch: _Watch, wait_s: float, timeout_s: int) -> None:
    """Until the chain of invocations has finished, or nothing happens within wait_s.

    A chain still running at wait_s may finish: it is given the function's timeout more.
    """
    started = time.monotonic()
    while True:
        await asyncio.sleep(POLL_S)
        if watch.settled:
            return
        elapsed = time.monotonic() - started
        running = bool(watch.firings) and not watch.settled
        if elapsed > wait_s and (not running or elapsed > wait_s + timeout_s + 5):
            return


@dataclass(frozen=True)
class _Facts:
    key: str
    prefix: str
    suffix: str
    output: str
    size: tuple[int, int]
    params: Mapping[str, Any]
    trigger: TriggerFilter
    written: list[str]

    def fields(self, watch: _Watch, size: str = "") -> dict[str, Any]:
        return {
            "key": self.key,
            "output": self.output,
            "size": size,
            "max_size": self.params["max_size"],
            "written": _keys(self.written),
            "invocations": len(watch.invoked),
        }


def _judge(facts: _Facts, watch: _Watch, thumbnail: bytes | None) -> Outcome:
    fields = facts.fields(watch)
    wait_s = float(facts.params.get("wait_s", DEFAULT_WAIT_S))
    if not watch.firings:
        return failed(
            f"Uploading {facts.key} did not invoke the function within {wait_s:g} s", **fields
        )
    looped = [f for f in watch.firings if f.depth > 1]
    if looped:
        return _loop(facts, watch, looped, fields)
    error = watch.first_error()
    encoded = encode_key(facts.key)
    decoded_wrongly = facts.params.get("output_prefix", "output/") + PurePosixPath(encoded).name
    if error is not None:
        return failed(_why_failed(facts, error, encoded), **fields)
    if thumbnail is None and decoded_wrongly in facts.written and encoded != facts.key:
        return failed(
            f"Your function wrote {decoded_wrongly}, not {facts.output}: the key arrived "
            f'URL-encoded ("{encoded}"). Decode it with urllib.parse.unquote_plus(key) first',
            **fields,
        )
    if thumbnail is None:
        others = [k for k in facts.written if k != facts.output]
        wrote = f"it wrote {_keys(others)}" if others else "it wrote nothing to the bucket"
        put = f's3.put_object(Bucket=bucket, Key="{facts.output}", Body=...)'
        if not watch.settled:
            return failed(
                f"Nothing appeared at {facts.output} within {wait_s:g} s: the function was "
                f"still running ({wrote} so far). Write the thumbnail with {put}",
                **fields,
            )
        return failed(
            f"Your function finished, but nothing appeared at {facts.output} ({wrote}). "
            f"Write the thumbnail with {put}",
            **fields,
        )
    return _judge_image(facts, watch, thumbnail)


def _why_failed(facts: _Facts, error: tuple[str, str], encoded: str) -> str:
    error_type, message = error
    said = f"{error_type}: {clip(message)}" if message else error_type
    if _MISSING_KEY.search(message) and encoded != facts.key:
        return (
            f'Your function failed with {error_type}: the event\'s key is "{encoded}", but the '
            f'object is "{facts.key}". The key arrived URL-encoded, as S3 always sends it: '
            "decode it with urllib.parse.unquote_plus(key) before get_object (unquote alone "
            "leaves the + signs)"
        )
    module = _NO_MODULE.search(message)
    if module and module.group(1) == "PIL":
        return (
            f"Your function failed with {said}: Pillow is not available to it. It is not part "
            "of Lambda's Python runtime: it must be in the package (requirements.txt) or in a "
            f'layer (the checks attach the layer "{PILLOW_LAYER}" unless the function has '
            "layers of its own)"
        )
    if error_type == "Sandbox.Timedout":
        return f"Your function {message}: raise its timeout in function.toml, or do less"
    return f"Your function failed with {said}"


def _loop(facts: _Facts, watch: _Watch, looped: list[Firing], fields: dict[str, Any]) -> Outcome:
    first = min((f.key for f in looped), key=len)
    more = len({f.key for f in looped}) - 1
    also = f" (and {more} more like it)" if more else ""
    count = len(watch.invoked)
    if any(f.stopped for f in watch.firings):
        chain = (
            f"one upload caused {count} invocations before the bucket's recursive-loop guard "
            f"stopped the chain, as Lambda's loop detection does after {LOOP_LIMIT}"
        )
    else:
        chain = f"one upload caused {count} invocations"
    return failed(
        f"Recursive loop: your function wrote {first}{also}, which matches the trigger "
        f"({facts.trigger.describe()}), so each write invoked it again: {chain}. Write "
        f"thumbnails under {facts.params.get('output_prefix', 'output/')}, where the trigger "
        "does not look",
        **fields,
    )


def _judge_image(facts: _Facts, watch: _Watch, thumbnail: bytes) -> Outcome:
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(thumbnail)) as image:
            image.load()
            width, height, found_format = image.width, image.height, image.format
    except (UnidentifiedImageError, OSError, ValueError) as exc:
        return failed(
            f"The object {facts.output} is not an image Pillow can open ({clip(str(exc))}): "
            "write the bytes of the saved thumbnail "
            "(image.save(buffer, format=...), then buffer.getvalue())",
            **facts.fields(watch),
        )
    size = f"{width}×{height}"
    fields = facts.fields(watch, size)
    limit = int(facts.params["max_size"])
    original = f"{facts.size[0]}×{facts.size[1]}"
    if width > limit or height > limit:
        return failed(
            f"Your thumbnail is {size}; the exercise asks for at most {limit}×{limit} "
            f"(image.thumbnail(({limit}, {limit})) shrinks the {original} image in place)",
            **fields,
        )
    expected_format = FORMATS[PurePosixPath(facts.key).suffix.lower()]
    if found_format != expected_format:
        return failed(
            f"The thumbnail {facts.output} holds a {found_format} image, but its name promises "
            f"{expected_format}: save with the original's format (image.format)",
            **fields,
        )
    original_w, original_h = facts.size
    if facts.params.get("keep_aspect") and abs(width * original_h - height * original_w) > max(
        original_w, original_h
    ):
        return failed(
            f"Your thumbnail is {size}, but the image is {original}: keep its proportions "
            "(Image.thumbnail does; resize to a fixed size does not)",
            **fields,
        )
    if not watch.settled:
        return failed(
            f"The thumbnail {facts.output} appeared, but the function was still running after "
            "the wait",
            **fields,
        )
    return passed(
        f"The thumbnail {facts.output} is a {size} {found_format} image, made from the "
        f"{original} upload in one invocation",
        **fields,
    )
