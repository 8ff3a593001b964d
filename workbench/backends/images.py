"""Find, pull or build the Docker image that Lambda execution environments run in."""

from __future__ import annotations

import contextlib
import hashlib
import io
import os
import queue
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import docker
import docker.errors
from docker.models.images import Image

from workbench.runtimes import Runtime, host_node
from workbench.runtimes import get as get_runtime

Progress = Callable[[str], None]

RUNTIME_IMAGE_REPO = "lambda-workbench/python"
DEFAULT_PYTHON = "3.11"
LABEL = "lambda-workbench"
RUNTIME_LABEL = f"{LABEL}.runtime"
SOURCE_LABEL = f"{LABEL}.source"

AWS_BASE_REPO = "public.ecr.aws/lambda/python"
DEBIAN_SUITE = "bookworm"
DEBIAN_PYTHON = "3.11"
DEBIAN_PACKAGES = ("python3", "python3-pip")
# Debian's python3-boto3 (1.26) ignores AWS_ENDPOINT_URL_S3, which handlers need to reach the
# local bucket; a current boto3 (pure Python) goes into the image instead, like AWS's runtime.
PIP_PACKAGES = ("boto3>=1.34",)
PYTHON_IMAGE_REVISION = "2"  # bump when the Python image's recipe changes: older ones rebuild
MMDEBSTRAP_TIMEOUT = 900.0
PULL_IDLE_TIMEOUT = 15.0
IMAGE_PATH = "/var/lang/bin:/usr/local/bin:/usr/bin:/bin"
IMAGE_ENV = {
    "LANG": "C.UTF-8",
    "PATH": IMAGE_PATH,
    "LAMBDA_TASK_ROOT": "/var/task",
    "LAMBDA_RUNTIME_DIR": "/var/runtime",
}
NO_ENGINE_MESSAGE = (
    "No Docker engine is reachable: start one (scripts/setup-docker.sh) or use --backend process"
)

_SOURCE_DETAILS = {
    "built": f"built locally from Debian {DEBIAN_SUITE} with mmdebstrap",
    "aws-base": "AWS's Lambda Python base image from public.ecr.aws",
    "python-slim": "the official python slim image with boto3 added",
    "python-slim-no-boto3": "the official python slim image (boto3 is missing)",
}
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


@dataclass(frozen=True)
class ImageChoice:
    """The runtime image to use and where it came from."""

    name: str
    source: str  # "built" | "aws-base" | "python-slim" | "existing"
    detail: str


class ImageError(Exception):
    """No usable runtime image exists and none could be pulled or built."""


def runtime_image_name(python: str = DEFAULT_PYTHON) -> str:
    """Return our runtime image tag for a Python version, e.g. lambda-workbench/python:3.11."""
    return f"{RUNTIME_IMAGE_REPO}:{python}"


def aws_base_image_name(python: str = DEFAULT_PYTHON) -> str:
    """Return the name of AWS's public Lambda Python base image for a version."""
    return f"{AWS_BASE_REPO}:{python}"


def slim_image_name(python: str = DEFAULT_PYTHON) -> str:
    """Return the name of the official python slim image for a version."""
    return f"python:{python}-slim"


def image_labels(python: str, source: str) -> dict[str, str]:
    """Return the labels every runtime image we create carries."""
    return {
        LABEL: "1",
        RUNTIME_LABEL: f"python{python}",
        SOURCE_LABEL: source,
        f"{LABEL}.revision": PYTHON_IMAGE_REVISION,
    }


def docker_client_or_none(timeout: float = 3.0) -> docker.DockerClient | None:
    """Return a Docker client if an engine answers a ping within `timeout` seconds, else None."""
    try:
        client = docker.from_env(timeout=timeout)
    except Exception:
        return None
    try:
        client.ping()
    except Exception:
        with contextlib.suppress(Exception):
            client.close()
        return None
    return client


def get_image(client: docker.DockerClient, name: str) -> Image | None:
    """Return the local image called `name`, or None if it is not present."""
    try:
        return client.images.get(name)
    except docker.errors.NotFound:
        return None


def image_size_mb(image: Image) -> int:
    """Return an image's size in whole megabytes."""
    return round((image.attrs.get("Size") or 0) / 1_000_000)


def find_runtime_image(
    client: docker.DockerClient, python: str = DEFAULT_PYTHON
) -> ImageChoice | None:
    """Return the best runtime image already present locally, without pulling or building."""
    ours = get_image(client, runtime_image_name(python))
    if ours is not None:
        origin = (ours.labels or {}).get(SOURCE_LABEL, "")
        detail = _SOURCE_DETAILS.get(origin, "created by an earlier run")
        return ImageChoice(runtime_image_name(python), "existing", f"already present ({detail})")
    if get_image(client, aws_base_image_name(python)) is not None:
        return ImageChoice(
            aws_base_image_name(python), "aws-base", "AWS's Lambda Python base image, found locally"
        )
    if get_image(client, slim_image_name(python)) is not None:
        return ImageChoice(
            slim_image_name(python), "python-slim", "official python slim image, found locally"
        )
    return None


def ensure_runtime_image(
    client: docker.DockerClient,
    python: str = DEFAULT_PYTHON,
    *,
    rebuild: bool = False,
    allow_pull: bool = True,
    progress: Progress = lambda s: None,
) -> ImageChoice:
    """Return our runtime image, pulling or building it first if needed (idempotent)."""
    name = runtime_image_name(python)
    progress("Looking for a runtime image…")
    with _build_lock(python):
        if not rebuild:
            found = find_runtime_image(client, python)
            if found is not None and found.source == "existing" and _outdated(client, name):
                progress(f"{name} was built from an older recipe: rebuilding it")
                found = None
            if found is not None and found.source == "existing":
                progress(f"Using {name}: {found.detail}")
                return found
            if found is not None and found.source == "aws-base":
                progress(f"Found {found.name} locally")
                return _adopt_aws_base(client, python, progress)
            if found is not None and found.source == "python-slim":
                progress(f"Found {found.name} locally")
                return _adopt_slim(client, python, progress)
            progress(f"No local runtime image for Python {python}")
        previous = get_image(client, name)
        if allow_pull:
            if try_pull(client, aws_base_image_name(python), progress=progress):
                choice = _adopt_aws_base(client, python, progress)
                _remove_replaced(client, previous, name)
                return choice
            if try_pull(client, slim_image_name(python), progress=progress):
                choice = _adopt_slim(client, python, progress)
                _remove_replaced(client, previous, name)
                return choice
        else:
            progress("Not pulling from a registry (pulls disabled)")
        choice = _build_with_mmdebstrap(client, python, progress)
        _remove_replaced(client, previous, name)
        return choice


def _outdated(client: docker.DockerClient, name: str) -> bool:
    """An image we built ourselves from an older recipe (pulled or adopted ones are kept)."""
    image = get_image(client, name)
    labels = (image.labels or {}) if image is not None else {}
    built = labels.get(SOURCE_LABEL) == "built"
    return built and labels.get(f"{LABEL}.revision") != PYTHON_IMAGE_REVISION


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


def _dockerfile_runtime_tail(python: str, source: str) -> str:
    """Return the Dockerfile lines that make an image look like our runtime image."""
    env = " ".join(f"{key}={value}" for key, value in IMAGE_ENV.items())
    labels = " ".join(f'"{key}"="{value}"' for key, value in image_labels(python, source).items())
    return (
        f"ENV {env}\n"
        "RUN mkdir -p /var/task /var/runtime /opt /tmp\n"
        "WORKDIR /var/task\n"
        f"LABEL {labels}\n"
        'CMD ["python3"]\n'
    )


def _tag_as_ours(client: docker.DockerClient, source_ref: str, python: str) -> None:
    """Tag an existing image with our runtime image name."""
    image = client.images.get(source_ref)
    if not image.tag(RUNTIME_IMAGE_REPO, python):
        raise ImageError(f"Could not tag {source_ref} as {runtime_image_name(python)}")


def _adopt_aws_base(client: docker.DockerClient, python: str, progress: Progress) -> ImageChoice:
    """Make AWS's base image our runtime image by adding our labels to it."""
    name = runtime_image_name(python)
    base = aws_base_image_name(python)
    labels = " ".join(f'"{k}"="{v}"' for k, v in image_labels(python, "aws-base").items())
    progress(f"Labelling {base} as {name}…")
    try:
        build_image(client, name, progress=progress, dockerfile=f"FROM {base}\nLABEL {labels}\n")
    except ImageError as exc:
        progress(f"Warning: {exc}; tagging {base} as {name} without our labels")
        _tag_as_ours(client, base, python)
    return ImageChoice(name, "aws-base", f"AWS's Lambda Python base image {base}, tagged as {name}")


def _adopt_slim(client: docker.DockerClient, python: str, progress: Progress) -> ImageChoice:
    """Derive our runtime image from python:<v>-slim, adding boto3 when the network allows."""
    name = runtime_image_name(python)
    slim = slim_image_name(python)
    progress(f"Deriving {name} from {slim} (installing boto3 with pip)…")
    with_boto3 = (
        f"FROM {slim}\nRUN pip install --no-cache-dir --disable-pip-version-check boto3\n"
        + _dockerfile_runtime_tail(python, "python-slim")
    )
    try:
        image = build_image(client, name, progress=progress, dockerfile=with_boto3)
        progress(f"Built {name} ({image_size_mb(image)} MB)")
        return ImageChoice(name, "python-slim", f"{slim} with boto3 added, tagged as {name}")
    except ImageError as exc:
        progress(f"Warning: installing boto3 failed ({exc}); boto3 will be missing in {name}")
    without_boto3 = f"FROM {slim}\n" + _dockerfile_runtime_tail(python, "python-slim-no-boto3")
    try:
        build_image(client, name, progress=progress, dockerfile=without_boto3)
    except ImageError as exc:
        progress(f"Warning: {exc}; tagging {slim} as {name} as is")
        _tag_as_ours(client, slim, python)
    return ImageChoice(name, "python-slim", f"{slim} tagged as {name}; boto3 is missing")


def _no_image_message(python: str) -> str:
    """Return the actionable message for when no runtime image can be obtained."""
    return (
        "No runtime image and none can be pulled or built: install mmdebstrap "
        "(apt-get install mmdebstrap) and run as root, or make "
        f"{aws_base_image_name(python)} reachable"
    )


def _build_with_mmdebstrap(
    client: docker.DockerClient, python: str, progress: Progress
) -> ImageChoice:
    """Build our runtime image from a Debian root filesystem made by mmdebstrap."""
    name = runtime_image_name(python)
    if python != DEBIAN_PYTHON:
        raise ImageError(
            f"Cannot build a Python {python} runtime image locally: Debian {DEBIAN_SUITE} ships "
            f"Python {DEBIAN_PYTHON} only. Use Python {DEBIAN_PYTHON}, or make "
            f"{aws_base_image_name(python)} or {slim_image_name(python)} available "
            "(docker pull, or docker load from a saved image)"
        )
    _mmdebstrap_import(
        client,
        name,
        packages=DEBIAN_PACKAGES,
        pip_packages=PIP_PACKAGES,
        labels=image_labels(python, "built"),
        cmd="python3",
        progress=progress,
        unavailable=_no_image_message(python),
    )
    return ImageChoice(name, "built", _SOURCE_DETAILS["built"])


def _pip_hook(packages: tuple[str, ...]) -> str:
    """A customize hook installing pure-Python packages into the image with this host's pip."""
    target = f'"$1/usr/local/lib/python{DEBIAN_PYTHON}/dist-packages"'
    wanted = " ".join(shlex.quote(p) for p in packages)
    return (
        f"--customize-hook={shlex.quote(sys.executable)} -m pip install --quiet --no-compile "
        f"--disable-pip-version-check --only-binary=:all: --python-version {DEBIAN_PYTHON} "
        f"--target {target} {wanted}"
    )


def _mmdebstrap_import(
    client: docker.DockerClient,
    name: str,
    *,
    packages: tuple[str, ...],
    labels: dict[str, str],
    cmd: str,
    progress: Progress,
    unavailable: str,
    copy_in: tuple[str, ...] = (),
    pip_packages: tuple[str, ...] = (),
) -> None:
    """Make a Debian root filesystem with mmdebstrap and `docker import` it as image `name`.

    copy_in: host files copied into the image's /usr/bin (e.g. this machine's node).
    """
    exe = shutil.which("mmdebstrap")
    if exe is None:
        raise ImageError(unavailable)
    repository, _, tag = name.rpartition(":")
    progress(f"Building from Debian {DEBIAN_SUITE} with mmdebstrap (about 30 s)…")
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="lambda-workbench-rootfs-") as tmp:
        rootfs = Path(tmp) / "rootfs.tar"
        command = [
            exe,
            "--variant=minbase",
            *([f"--include={','.join(packages)}"] if packages else []),
            '--customize-hook=mkdir -p "$1/var/task" "$1/var/runtime" "$1/opt" "$1/tmp"'
            ' && chmod 1777 "$1/tmp"',
            *(f"--customize-hook=copy-in {path} /usr/bin" for path in copy_in),
            *([_pip_hook(pip_packages)] if pip_packages else []),
            DEBIAN_SUITE,
            str(rootfs),
        ]
        mirror = os.environ.get("LAMBDA_WORKBENCH_DEBIAN_MIRROR")
        if mirror:
            command.append(mirror)
        _run_streaming(command, progress, unavailable)
        progress(
            f"Root filesystem ready in {time.monotonic() - started:.0f} s "
            f"({rootfs.stat().st_size // 1_000_000} MB); importing as {name}…"
        )
        changes = [f"ENV {key}={value}" for key, value in IMAGE_ENV.items()]
        changes += ["WORKDIR /var/task"]
        changes += [f"LABEL {key}={value}" for key, value in labels.items()]
        changes += [f'CMD ["{cmd}"]']
        try:
            client.api.import_image(
                src=str(rootfs), repository=repository, tag=tag, changes=changes
            )
        except docker.errors.DockerException as exc:
            raise ImageError(f"Importing the root filesystem as {name} failed: {exc}") from exc
    image = get_image(client, name)
    if image is None:
        raise ImageError(f"Importing {name} reported success but the image is missing")
    progress(f"Imported {name} ({image_size_mb(image)} MB)")


def _run_streaming(command: list[str], progress: Progress, unavailable: str) -> None:
    """Run mmdebstrap, passing each output line to `progress`; raise ImageError on failure."""
    tail: list[str] = []
    try:
        proc = subprocess.Popen(
            command,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            errors="replace",
        )
    except OSError as exc:
        raise ImageError(f"Could not run mmdebstrap: {exc}. {unavailable}") from exc
    timer = threading.Timer(MMDEBSTRAP_TIMEOUT, proc.kill)
    timer.start()
    try:
        assert proc.stdout is not None
        for raw in proc.stdout:
            line = raw.rstrip()
            if line:
                tail = [*tail[-19:], line]
                progress(f"  {line}")
        code = proc.wait()
    finally:
        timer.cancel()
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    if code != 0:
        hint = "" if os.geteuid() == 0 else " (mmdebstrap needs root or user namespaces)"
        last = "\n".join(tail[-8:])
        raise ImageError(
            f"mmdebstrap failed with exit code {code}{hint}; last output:\n{last}\n"
            "Check that Debian's mirror (deb.debian.org) is reachable, "
            "or set LAMBDA_WORKBENCH_DEBIAN_MIRROR"
        )


def _remove_replaced(client: docker.DockerClient, previous: Image | None, name: str) -> None:
    """Remove the image `name` used to point at if nothing refers to it any more."""
    if previous is None:
        return
    current = get_image(client, name)
    if current is not None and current.id == previous.id:
        return
    with contextlib.suppress(docker.errors.DockerException):
        stale = get_image(client, previous.id)
        if stale is not None and not stale.tags:
            client.images.remove(stale.id, noprune=False)


def _cache_dir() -> Path:
    """Return Lambda Workbench's cache directory."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "lambda-workbench"


@contextlib.contextmanager
def _build_lock(python: str) -> Iterator[None]:
    """Serialise image creation across threads and processes (best effort)."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover - non-POSIX
        yield
        return
    try:
        directory = _cache_dir()
        directory.mkdir(parents=True, exist_ok=True)
        handle = open(directory / f"runtime-image-{python}.lock", "w")  # noqa: SIM115
    except OSError:
        yield
        return
    try:
        fcntl.flock(handle, fcntl.LOCK_EX)
        yield
    finally:
        with contextlib.suppress(OSError):
            fcntl.flock(handle, fcntl.LOCK_UN)
        handle.close()


# --- Node.js and custom-runtime images ----------------------------------------------------------
RECIPE_LABEL = f"{LABEL}.recipe"
DEBIAN_NODE_MAJOR = 18  # Debian bookworm's nodejs package is 18.x
RECIPE_REVISION = "1"  # bump when a recipe changes in a way its fingerprint cannot see


@dataclass(frozen=True)
class Recipe:
    """How one of our Node.js or custom-runtime images is made from Debian with mmdebstrap."""

    runtime: str  # the runtime name it carries, e.g. "nodejs18.x"
    name: str  # the image, e.g. lambda-workbench/nodejs:18
    packages: tuple[str, ...]
    source: str  # "built" or "host-node"
    detail: str
    copy_in: tuple[str, ...] = ()  # host files copied into /usr/bin
    cmd: str = "/bin/sh"

    @property
    def fingerprint(self) -> str:
        """Stored as a label: an image made from another recipe (or node binary) is rebuilt."""
        parts = [RECIPE_REVISION, DEBIAN_SUITE, *self.packages]
        for path in self.copy_in:
            stat = os.stat(path)
            parts.append(f"{path}:{stat.st_size}:{stat.st_mtime_ns}")
        return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:16]

    def labels(self) -> dict[str, str]:
        return {
            LABEL: "1",
            RUNTIME_LABEL: self.runtime,
            SOURCE_LABEL: self.source,
            RECIPE_LABEL: self.fingerprint,
        }


def recipe_for(runtime: Runtime) -> Recipe | None:
    """The recipe of a Node.js or custom runtime's image, or None when this machine can't make it.

    Node.js comes from Debian's package when the version matches (18), otherwise from this
    machine's own `node` binary copied onto the same Debian base (it needs only glibc and
    libstdc++, which minbase has). The custom runtime's image has a shell and curl and no
    language at all, like provided.al2023.
    """
    if runtime.family == "provided":
        return Recipe(
            runtime.name,
            runtime.image,
            ("curl",),
            "built",
            f"Debian {DEBIAN_SUITE} with a shell and curl, no language runtime",
        )
    if runtime.family != "nodejs":
        return None
    major = int(runtime.version)
    if major == DEBIAN_NODE_MAJOR:
        return Recipe(
            runtime.name,
            runtime.image,
            ("nodejs",),
            "built",
            f"Node.js {major} from Debian {DEBIAN_SUITE}'s nodejs package",
            cmd="node",
        )
    host = host_node()
    if host is not None and host[1] == major:
        return Recipe(
            runtime.name,
            runtime.image,
            (),
            "host-node",
            f"this machine's Node.js {major} ({host[0]}) on Debian {DEBIAN_SUITE}",
            copy_in=(os.path.realpath(host[0]),),
            cmd="node",
        )
    return None


def _cannot_build(runtime: Runtime) -> str:
    host = host_node()
    has = f"this machine has Node.js {host[1]}" if host else "this machine has no Node.js"
    return (
        f"Cannot build a {runtime.name} image here: Debian {DEBIAN_SUITE} ships Node.js "
        f"{DEBIAN_NODE_MAJOR} and {has}. Use nodejs{DEBIAN_NODE_MAJOR}.x"
        + (f" or nodejs{host[1]}.x" if host and host[1] != DEBIAN_NODE_MAJOR else "")
    )


def ensure_image_for_runtime(
    client: docker.DockerClient,
    runtime_name: str,
    *,
    rebuild: bool = False,
    allow_pull: bool = True,
    progress: Progress = lambda s: None,
) -> ImageChoice:
    """Return the image a runtime runs in, building it first if needed (idempotent).

    Python runtimes go through ensure_runtime_image; the others are built from their recipe,
    and rebuilt when the recipe changed since (their label records which recipe made them).
    """
    runtime = get_runtime(runtime_name)
    if runtime.family == "python":
        return ensure_runtime_image(
            client, runtime.version, rebuild=rebuild, allow_pull=allow_pull, progress=progress
        )
    recipe = recipe_for(runtime)
    if recipe is None:
        if not rebuild and get_image(client, runtime.image) is not None:
            detail = "already present (this machine could not build it again)"
            return ImageChoice(runtime.image, "existing", detail)
        raise ImageError(_cannot_build(runtime))
    progress(f"Looking for the {runtime.name} image…")
    with _build_lock(recipe.name.rpartition("/")[2].replace(":", "-")):
        existing = get_image(client, recipe.name)
        if existing is not None and not rebuild:
            if (existing.labels or {}).get(RECIPE_LABEL) == recipe.fingerprint:
                progress(f"Using {recipe.name}: already present")
                return ImageChoice(recipe.name, "existing", f"already present ({recipe.detail})")
            progress(f"{recipe.name} was made from an older recipe: rebuilding it")
        _mmdebstrap_import(
            client,
            recipe.name,
            packages=recipe.packages,
            labels=recipe.labels(),
            cmd=recipe.cmd,
            progress=progress,
            unavailable=(
                f"No {recipe.name} image and none can be built: install mmdebstrap "
                "(apt-get install mmdebstrap) and run as root"
            ),
            copy_in=recipe.copy_in,
        )
        _remove_replaced(client, existing, recipe.name)
    return ImageChoice(recipe.name, recipe.source, recipe.detail)


def image_status(client: docker.DockerClient | None, runtime: Runtime) -> str | None:
    """For listing a runtime on Docker: "" when its image is here, a note on how to build it,
    or None when this machine can neither find nor build it."""
    if client is not None and get_image(client, runtime.image) is not None:
        return ""
    buildable = (
        runtime.version == DEBIAN_PYTHON
        if runtime.family == "python"
        else recipe_for(runtime) is not None
    )
    if not buildable:
        return None
    return f"build its image first: lambda-workbench image build --runtime {runtime.name}"
