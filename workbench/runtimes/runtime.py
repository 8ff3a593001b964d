"""A runtime as the app lists it, where its Docker image is named, and its language family:
the questions the app, the backends and the package tools ask about a runtime, answered once
per language (python.py, nodejs.py, provided.py). One module, as the two refer to each other."""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from workbench.core.model import FunctionConfig
from workbench.core.runtime_env import RUNTIME_DIR
from workbench.paths import SAMPLES_DIR

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


SHIM_IN_CONTAINER = f"{RUNTIME_DIR}/workbench"  # where the Docker backend mounts SHIM_DIR


@dataclass(frozen=True)
class ImageContents:
    """What a runtime's Docker image holds beyond a minimal Debian; backends/ builds it.

    debian_packages come from Debian's mirror, pip_packages and npm_packages from PyPI and
    npm at build time; host_files are copied from this machine into /usr/bin.
    """

    detail: str  # in words, for `image build` and the runtime picker
    cmd: str
    debian_packages: tuple[str, ...] = ()
    pip_packages: tuple[str, ...] = ()
    npm_packages: tuple[str, ...] = ()
    host_files: tuple[str, ...] = ()
    sh_is_bash: bool = False  # /bin/sh → bash, as on Amazon Linux
    # A language installed on this machine, copied whole into /var/lang (Lambda's own
    # language folder; its lib/ goes on the loader's path). pip_python: the Python version
    # pip_packages are for; pip_target: where they go in the image.
    host_language_dir: str = ""
    pip_python: str = "3.11"
    pip_target: str = "/usr/local/lib/python3.11/dist-packages"


class LanguageFamily:
    """One language's runtimes. Subclasses answer for their language; nothing else should."""

    name = ""  # "python", "nodejs", "provided"
    order = 0  # position in the runtime picker: lower first
    lexer = "text"  # pygments lexer name for the handler file
    extensions: tuple[str, ...] = ()  # handler file extensions, the default first
    # Virtual memory a process runtime may reserve beyond its memory size (a backstop only:
    # the process backend watches resident memory); 0 leaves the backend's default.
    address_space_headroom_mb = 0
    # AWS's public base image repository for this language, when the backend may pull and
    # adopt it instead of building ours (public.ecr.aws/lambda/python); "" for none.
    aws_base_repo = ""

    def runtime(self, name: str) -> Runtime:
        """The Runtime called `name` (one of core.model.RUNTIMES in this family)."""
        raise NotImplementedError

    def owns(self, name: str) -> bool:
        return name.startswith(self.name)

    def owns_file(self, path: Path) -> bool:
        """Whether a file without one of the extensions is still this family's (bootstrap)."""
        return False

    def image_tag(self, runtime: Runtime) -> str:
        return runtime.version

    def handler_files(self, handler: str) -> list[str]:
        """The files (relative to the code folder) a handler string may name, likeliest first."""
        module = handler.rsplit(".", 1)[0]
        return [module + extension for extension in self.extensions]

    def editor_file(self, config: FunctionConfig) -> Path:
        """The file the code editor opens for this function: the handler's file if it exists."""
        candidates = [config.code_dir / name for name in self.handler_files(config.handler)]
        return next((path for path in candidates if path.is_file()), candidates[0])

    def folder_problem(self, runtime: Runtime, config: FunctionConfig) -> str | None:
        """Why the folder cannot run on this runtime (its entry point is missing), or None."""
        candidates = self.handler_files(config.handler)
        if any((config.code_dir / candidate).is_file() for candidate in candidates):
            return None
        return (
            f"{runtime.name} looks for the handler {config.handler} in {candidates[0]}, "
            "and the folder has no such file: choose another runtime or handler"
        )

    def process_availability(self, runtime: Runtime) -> str | None:
        """None when the process backend can run this runtime here, else why not."""
        return None

    def process_command(
        self, runtime: Runtime, config: FunctionConfig, extra: Sequence[str], python: str
    ) -> list[str]:
        """The command line of the runtime process; SandboxError when this machine can't."""
        raise NotImplementedError

    def process_environment(self, runtime: Runtime) -> dict[str, str]:
        """Variables the process backend adds (where it keeps what Lambda's runtime provides)."""
        return {}

    def prepare_process(self, runtime: Runtime) -> None:
        """Blocking: install what Lambda's runtime provides for processes (once); SandboxError."""

    def container_command(self, runtime: Runtime) -> list[str]:
        """The command that starts this runtime in its image (shim mounted at /var/runtime)."""
        raise NotImplementedError

    def image_contents(self, runtime: Runtime) -> ImageContents | None:
        """What its image holds, or None when this machine cannot build it (cannot_build says
        why)."""
        return None

    def cannot_build(self, runtime: Runtime) -> str:
        return f"Cannot build a {runtime.name} image on this machine"
