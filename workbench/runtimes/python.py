"""The Python runtimes (python3.x): our bootstrap.py, speaking the Runtime API like awslambdaric."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path

from workbench.core.model import FunctionConfig
from workbench.core.sandbox import SandboxError
from workbench.paths import BOOTSTRAP_PATH
from workbench.runtimes import support
from workbench.runtimes.host import host_python, python_missing
from workbench.runtimes.runtime import SHIM_IN_CONTAINER, ImageContents, LanguageFamily, Runtime

# What Lambda's Python runtimes provide besides the standard library: the AWS SDK for Python
# (python-package.html: "The Lambda Python runtimes include the AWS SDK for Python (Boto3) and
# its dependencies"). One version for images and processes alike.
BOTO3_VERSION = "1.44.8"
PROVIDED_PACKAGES = (f"boto3=={BOTO3_VERSION}",)
PACKAGES_VARIABLE = "LAMBDA_WORKBENCH_RUNTIME_PACKAGES"  # read by shim/bootstrap.py
DEBIAN_PYTHON = "3.11"  # Debian bookworm's python3
# The shared libraries a Python built on Debian bookworm (pyenv's) loads for its stdlib.
HOST_PYTHON_LIBRARIES = (
    "libssl3", "libffi8", "libsqlite3-0", "libbz2-1.0", "liblzma5", "libreadline8",
    "libncursesw6", "libgdbm6", "zlib1g", "libuuid1", "ca-certificates",
)  # fmt: skip


def _is_debian_bookworm() -> bool:
    """Whether this machine is Debian 12, so what its Pythons link against is in the image."""
    try:
        release = Path("/etc/os-release").read_text(encoding="utf-8")
    except OSError:
        return False
    return "ID=debian" in release and 'VERSION_ID="12"' in release


def _stderr(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


class PythonFamily(LanguageFamily):
    name = "python"
    order = 0
    lexer = "python"
    extensions = (".py", "/__init__.py")
    aws_base_repo = "public.ecr.aws/lambda/python"

    def runtime(self, name: str) -> Runtime:
        version = name.removeprefix("python")
        return Runtime(
            name=name,
            display_name=f"Python {version}",
            language="Python",
            version=version,
            default_handler="lambda_function.lambda_handler",
            sample="hello",
            process_start=f"python{version} -I -S -B -u workbench/shim/bootstrap.py, with only "
            "boto3 besides the function's own packages and layers",
            docker_start=f"python3 -u {SHIM_IN_CONTAINER}/bootstrap.py in its image",
            lang=self,
        )

    def handler_files(self, handler: str) -> list[str]:
        # "src/app.handler" and "src.app.handler" both name src/app.py, as in awslambdaric.
        module = handler.rsplit(".", 1)[0].replace(".", "/")
        return [module + extension for extension in self.extensions]

    def process_availability(self, runtime: Runtime) -> str | None:
        if host_python(runtime.version) is None:
            return python_missing(runtime.version)
        return None

    def process_command(
        self, runtime: Runtime, config: FunctionConfig, extra: Sequence[str], python: str
    ) -> list[str]:
        interpreter = host_python(runtime.version, python)
        if interpreter is None:
            raise SandboxError(f"{runtime.name} cannot start: {python_missing(runtime.version)}")
        # -I: no PYTHON* variables, no user site, no script folder on sys.path; -S: no
        # site-packages at all. The bootstrap then adds the function, its layers and the
        # runtime folder (boto3): what Lambda's Python runtime can import, and nothing more.
        # -B: /var/task is read-only on Lambda, so no __pycache__ in the function's folder.
        return [interpreter, "-I", "-S", "-B", "-u", str(BOOTSTRAP_PATH), *extra]

    def prepare_process(self, runtime: Runtime) -> None:
        support.python_packages(runtime.version, PROVIDED_PACKAGES, _stderr)

    def process_environment(self, runtime: Runtime) -> dict[str, str]:
        folder = support.python_packages(runtime.version, PROVIDED_PACKAGES, _stderr)
        return {PACKAGES_VARIABLE: str(folder)}

    def container_command(self, runtime: Runtime) -> list[str]:
        return ["python3", "-u", f"{SHIM_IN_CONTAINER}/bootstrap.py"]

    def image_contents(self, runtime: Runtime) -> ImageContents | None:
        if runtime.version != DEBIAN_PYTHON:
            return self._host_python_image(runtime)
        return ImageContents(
            detail=f"Python {DEBIAN_PYTHON} from Debian bookworm with boto3 {BOTO3_VERSION}",
            cmd="python3",
            debian_packages=("python3", "python3-pip"),
            pip_packages=PROVIDED_PACKAGES,
            sh_is_bash=True,
        )

    def _host_python_image(self, runtime: Runtime) -> ImageContents | None:
        """Another Python, when this machine has one built for Debian bookworm in a folder of
        its own (pyenv's versions): copied into /var/lang, as Lambda's Python lives there."""
        interpreter = host_python(runtime.version)
        if interpreter is None or not _is_debian_bookworm():
            return None
        prefix = Path(interpreter).resolve().parent.parent
        if (
            prefix in (Path("/usr"), Path("/usr/local"))
            or not (prefix / "lib" / f"python{runtime.version}").is_dir()
        ):
            return None  # a system Python shares /usr with everything else: not copyable
        return ImageContents(
            detail=f"this machine's Python {runtime.version} ({prefix}) in /var/lang on Debian "
            f"bookworm with boto3 {BOTO3_VERSION}",
            cmd="python3",
            debian_packages=HOST_PYTHON_LIBRARIES,
            pip_packages=PROVIDED_PACKAGES,
            pip_python=runtime.version,
            pip_target=f"/var/lang/lib/python{runtime.version}/site-packages",
            host_language_dir=str(prefix),
            sh_is_bash=True,
        )

    def cannot_build(self, runtime: Runtime) -> str:
        return (
            f"Cannot build a Python {runtime.version} runtime image locally: Debian bookworm ships "
            "Python "
            f"{DEBIAN_PYTHON} only. Use python{DEBIAN_PYTHON}, or make AWS's base image "
            f"public.ecr.aws/lambda/python:{runtime.version} available (docker pull or load)"
        )


PYTHON = PythonFamily()
