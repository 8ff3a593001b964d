"""Pull an image from a registry, or build one from a Dockerfile, streaming progress."""

from __future__ import annotations

import io
import queue
import re
import threading
import time
from typing import Any

import docker
import docker.errors
from docker.models.images import Image

from workbench.backends.images import ImageError, Progress, get_image, image_size_mb

PULL_IDLE_TIMEOUT = 15.0
_UNREACHABLE_HINTS = (
    "no such host",
    "dial tcp",
    "i/o timeout",
    "timeout",
    "connection refused",
    "network is unreachable",
    "tls handshake",
    "temporary failure in name resolution",
    "server misbehaving",
)
_ANSI_ESCAPE = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
_NOT_FOUND_HINTS = ("not found", "manifest unknown", "pull access denied", "does not exist")


def try_pull(
    client: docker.DockerClient,
    ref: str,
    *,
    progress: Progress = lambda s: None,
    idle_timeout: float = PULL_IDLE_TIMEOUT,
) -> bool:
    """Pull `ref`, giving up when the engine reports nothing for `idle_timeout` seconds."""
    repository, _, tag = ref.rpartition(":")
    if not repository or "/" in tag:
        repository, tag = ref, "latest"
    progress(f"Pulling {ref}…")
    events: queue.Queue[tuple[str, Any]] = queue.Queue()

    def worker() -> None:
        """Stream the pull's events into the queue."""
        try:
            for event in client.api.pull(repository, tag=tag, stream=True, decode=True):
                events.put(("event", event))
            events.put(("done", None))
        except Exception as exc:
            events.put(("error", exc))

    threading.Thread(target=worker, name=f"pull {ref}", daemon=True).start()
    last_report = 0.0
    while True:
        try:
            kind, payload = events.get(timeout=idle_timeout)
        except queue.Empty:
            progress(f"Pulling {ref} failed: no answer from the registry in {idle_timeout:.0f} s")
            return False
        if kind == "error":
            progress(f"Pulling {ref} failed: {_pull_failure_reason(payload)}")
            return False
        if kind == "done":
            image = get_image(client, ref)
            if image is None:
                progress(f"Pulling {ref} failed: the engine did not store the image")
                return False
            progress(f"Pulled {ref} ({image_size_mb(image)} MB)")
            return True
        if payload.get("error"):
            progress(f"Pulling {ref} failed: {_pull_failure_reason(payload['error'])}")
            return False
        now = time.monotonic()
        status = str(payload.get("status", ""))
        if status and ("id" not in payload or now - last_report > 5):
            last_report = now
            progress(f"  {status} {payload.get('progress', '')}".rstrip())


def build_image(
    client: docker.DockerClient,
    tag: str,
    *,
    progress: Progress = lambda s: None,
    path: str | None = None,
    dockerfile: str | None = None,
    labels: dict[str, str] | None = None,
    network_mode: str | None = None,
) -> Image:
    """Build an image from a context directory or Dockerfile text, streaming its output."""
    kwargs: dict[str, Any] = {
        "tag": tag,
        "rm": True,
        "forcerm": True,
        "decode": True,
        "labels": labels,
        "network_mode": network_mode,
    }
    if path is not None:
        kwargs["path"] = path
    elif dockerfile is not None:
        kwargs["fileobj"] = io.BytesIO(dockerfile.encode())
    else:
        raise ValueError("build_image needs a context path or Dockerfile text")
    try:
        for event in client.api.build(**kwargs):
            if event.get("error"):
                raise ImageError(f"Building {tag} failed: {str(event['error']).strip()}")
            for line in _ANSI_ESCAPE.sub("", str(event.get("stream", ""))).splitlines():
                if line.strip():
                    progress(f"  {line.rstrip()}")
    except docker.errors.DockerException as exc:
        raise ImageError(f"Building {tag} failed: {exc}") from exc
    image = get_image(client, tag)
    if image is None:
        raise ImageError(f"Building {tag} finished but the image is missing")
    return image


def _pull_failure_reason(error: object) -> str:
    """Turn a pull error into a short human reason."""
    if isinstance(error, docker.errors.APIError):
        text = str(error.explanation or error)
    else:
        text = str(error)
    lowered = text.lower()
    short = text.strip().splitlines()[0][:160] if text.strip() else type(error).__name__
    if any(hint in lowered for hint in _NOT_FOUND_HINTS):
        return f"image not found in the registry ({short})"
    if any(hint in lowered for hint in _UNREACHABLE_HINTS):
        return f"registry unreachable ({short})"
    return short
