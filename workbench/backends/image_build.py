"""Find, pull or build the Docker image each runtime's execution environments run in."""

from __future__ import annotations

import contextlib
import hashlib
import os
from dataclasses import dataclass

import docker
import docker.errors
from docker.models.images import Image

from workbench.backends.image_pull import build_image, try_pull
from workbench.backends.image_rootfs import DEBIAN_SUITE, IMAGE_ENV, build_lock, mmdebstrap_import
from workbench.backends.images import (
    DEFAULT_PYTHON,
    LABEL,
    RECIPE_LABEL,
    RUNTIME_LABEL,
    SOURCE_DETAILS,
    SOURCE_LABEL,
    ImageChoice,
    ImageError,
    Progress,
    aws_base_image_name,
    find_runtime_image,
    get_image,
    image_size_mb,
    runtime_image_name,
    runtime_image_repo,
    slim_image_name,
)
from workbench.runtimes import ImageContents, Runtime, family_of
from workbench.runtimes import get as get_runtime

# Bump when the Python image's recipe changes: older ones are rebuilt. 3: boto3 pinned to the
# runtime folder's version; bash as /bin/sh.
PYTHON_IMAGE_REVISION = "3"
RECIPE_REVISION = "2"  # bump when a recipe changes in a way its fingerprint cannot see


def image_labels(python: str, source: str) -> dict[str, str]:
    """Return the labels every Python runtime image we create carries."""
    return {
        LABEL: "1",
        RUNTIME_LABEL: f"python{python}",
        SOURCE_LABEL: source,
        f"{LABEL}.revision": PYTHON_IMAGE_REVISION,
    }


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
    with build_lock(name.replace("/", "-").replace(":", "-")):
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
    if not image.tag(runtime_image_repo(), python):
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
    name_of_runtime = f"python{python}"
    runtime = family_of(name_of_runtime).runtime(name_of_runtime)  # any version, even unknown
    contents = runtime.lang.image_contents(runtime)
    if contents is None:
        raise ImageError(runtime.lang.cannot_build(runtime))
    mmdebstrap_import(
        client,
        name,
        contents,
        labels=image_labels(python, "built"),
        progress=progress,
        unavailable=_no_image_message(python),
    )
    return ImageChoice(name, "built", SOURCE_DETAILS["built"])


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


# --- Node.js and custom-runtime images ----------------------------------------------------------
@dataclass(frozen=True)
class Recipe:
    """How one of our Node.js or custom-runtime images is made: its family's contents."""

    runtime: str  # the runtime name it carries, e.g. "nodejs18.x"
    name: str  # the image, e.g. lambda-workbench/nodejs:18
    contents: ImageContents

    @property
    def source(self) -> str:
        return "host-node" if self.contents.host_files else "built"

    @property
    def fingerprint(self) -> str:
        """Stored as a label: an image made from another recipe (or node binary) is rebuilt."""
        c = self.contents
        parts = [RECIPE_REVISION, DEBIAN_SUITE, *c.debian_packages, *c.pip_packages]
        parts += [*c.npm_packages, f"sh_is_bash={c.sh_is_bash}"]
        for path in c.host_files:
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
    """The recipe of a Node.js or custom runtime's image, or None when this machine can't make
    it (the family says what its image holds)."""
    contents = runtime.lang.image_contents(runtime)
    return None if contents is None else Recipe(runtime.name, runtime.image, contents)


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
    if runtime.lang.aws_base_repo:  # AWS's base image may be pulled and adopted (Python)
        return ensure_runtime_image(
            client, runtime.version, rebuild=rebuild, allow_pull=allow_pull, progress=progress
        )
    recipe = recipe_for(runtime)
    if recipe is None:
        if not rebuild and get_image(client, runtime.image) is not None:
            detail = "already present (this machine could not build it again)"
            return ImageChoice(runtime.image, "existing", detail)
        raise ImageError(runtime.lang.cannot_build(runtime))
    progress(f"Looking for the {runtime.name} image…")
    with build_lock(recipe.name.replace("/", "-").replace(":", "-")):
        existing = get_image(client, recipe.name)
        if existing is not None and not rebuild:
            if (existing.labels or {}).get(RECIPE_LABEL) == recipe.fingerprint:
                progress(f"Using {recipe.name}: already present")
                detail = f"already present ({recipe.contents.detail})"
                return ImageChoice(recipe.name, "existing", detail)
            progress(f"{recipe.name} was made from an older recipe: rebuilding it")
        mmdebstrap_import(
            client,
            recipe.name,
            recipe.contents,
            labels=recipe.labels(),
            progress=progress,
            unavailable=(
                f"No {recipe.name} image and none can be built: install mmdebstrap "
                "(apt-get install mmdebstrap) and run as root"
            ),
        )
        _remove_replaced(client, existing, recipe.name)
    return ImageChoice(recipe.name, recipe.source, recipe.contents.detail)
