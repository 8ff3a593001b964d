"""One runtime as the app lists it, and where its Docker image is named."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from workbench.paths import SAMPLES_DIR

if TYPE_CHECKING:
    from workbench.runtimes.family import LanguageFamily

IMAGE_PREFIX_VARIABLE = "LAMBDA_WORKBENCH_IMAGE_PREFIX"
DEFAULT_IMAGE_PREFIX = "lambda-workbench"


def image_prefix() -> str:
    """The repository prefix of our images: lambda-workbench, or LAMBDA_WORKBENCH_IMAGE_PREFIX.

    Read at every use, so a test (or a second checkout) can build its own set of images
    without replacing the ones another run is using.
    """
    return os.environ.get(IMAGE_PREFIX_VARIABLE, "").strip().rstrip("/") or DEFAULT_IMAGE_PREFIX


@dataclass(frozen=True)
class Runtime:
    """One runtime: AWS's identifier, how the app shows it, and its language family."""

    name: str  # AWS's identifier, e.g. "nodejs20.x"
    display_name: str
    language: str
    version: str  # "3.11", "20" or "al2023"
    default_handler: str
    sample: str  # folder under sample_functions/
    process_start: str  # how the process backend starts it, in words
    docker_start: str  # how the Docker backend starts it, in words
    lang: LanguageFamily = field(repr=False, compare=False)

    @property
    def family(self) -> str:
        """ "python", "nodejs" or "provided"."""
        return self.lang.name

    @property
    def extension(self) -> str:
        """The extension of the default handler's file."""
        return self.lang.extensions[0]

    @property
    def sample_dir(self) -> Path:
        return SAMPLES_DIR / self.sample

    @property
    def handler_file(self) -> str:
        """The file the default handler names in the sample, e.g. index.mjs (Node.js also
        accepts index.js and index.cjs: the first the sample has)."""
        candidates = self.lang.handler_files(self.default_handler)
        return next((c for c in candidates if (self.sample_dir / c).is_file()), candidates[0])

    @property
    def image_tag(self) -> str:
        """Tag of this runtime's image: the version, or al2023 for every custom runtime."""
        return self.lang.image_tag(self)

    @property
    def image(self) -> str:
        """Our Docker image for this runtime, e.g. lambda-workbench/nodejs:20."""
        return f"{image_prefix()}/{self.family}:{self.image_tag}"

    @property
    def execution_env(self) -> str | None:
        """AWS_EXECUTION_ENV as Lambda sets it; custom runtimes get none."""
        return None if self.family == "provided" else f"AWS_Lambda_{self.name}"
