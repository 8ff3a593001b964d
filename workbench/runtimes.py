"""The runtimes the workbench offers: what each one is, its sample, and how each backend starts it.

A runtime is only a program that speaks the Runtime API: our Python bootstrap, our Node.js
bootstrap, or — for a custom runtime (`provided.*`) — the function's own `bootstrap`
executable. The names are AWS's identifiers; the list of names is `core.model.RUNTIMES`.
"""

from __future__ import annotations

import functools
import os
import shutil
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from workbench.core.model import RUNTIMES, FunctionConfig
from workbench.core.runtime_env import RUNTIME_DIR, TASK_ROOT
from workbench.core.sandbox import SandboxError
from workbench.paths import BOOTSTRAP_PATH, SAMPLES_DIR, SHIM_DIR

Family = Literal["python", "nodejs", "provided"]

NODE_BOOTSTRAP_PATH = SHIM_DIR / "bootstrap.js"
SHIM_IN_CONTAINER = f"{RUNTIME_DIR}/workbench"  # where the Docker backend mounts SHIM_DIR
IMAGE_REPOS = {
    "python": "lambda-workbench/python",
    "nodejs": "lambda-workbench/nodejs",
    "provided": "lambda-workbench/provided",
}
NODE_MISSING = "Node.js is not installed: apt-get install nodejs, or use the Docker backend"
# AWS's words when the custom runtime's entrypoint cannot be started (Runtime.InvalidEntrypoint).
NO_BOOTSTRAP = "Couldn't find valid bootstrap(s): [{root}/bootstrap /opt/bootstrap]"
NOT_EXECUTABLE = "fork/exec {root}/bootstrap: permission denied"


@dataclass(frozen=True)
class Runtime:
    """One runtime as the app lists it."""

    name: str  # AWS's identifier, e.g. "nodejs20.x"
    display_name: str
    language: str
    family: Family
    version: str  # "3.11", "20" or "al2023"
    extension: str  # of the default handler's file
    default_handler: str
    sample: str  # folder under sample_functions/
    process_start: str  # how the process backend starts it, in words
    docker_start: str  # how the Docker backend starts it, in words

    @property
    def sample_dir(self) -> Path:
        return SAMPLES_DIR / self.sample

    @property
    def handler_file(self) -> str:
        """The file the default handler names, e.g. index.js."""
        return self.default_handler.rsplit(".", 1)[0] + self.extension

    @property
    def image(self) -> str:
        """Our Docker image for this runtime, e.g. lambda-workbench/nodejs:20."""
        tag = "al2023" if self.family == "provided" else self.version  # one OS-only image
        return f"{IMAGE_REPOS[self.family]}:{tag}"

    @property
    def execution_env(self) -> str | None:
        """AWS_EXECUTION_ENV as Lambda sets it; custom runtimes get none."""
        return None if self.family == "provided" else f"AWS_Lambda_{self.name}"


def _python(version: str) -> Runtime:
    return Runtime(
        name=f"python{version}",
        display_name=f"Python {version}",
        language="Python",
        family="python",
        version=version,
        extension=".py",
        default_handler="lambda_function.lambda_handler",
        sample="hello",
        process_start=f"python{version} -u workbench/shim/bootstrap.py",
        docker_start=f"python3 -u {SHIM_IN_CONTAINER}/bootstrap.py in {IMAGE_REPOS['python']}"
        f":{version}",
    )


def _nodejs(major: int) -> Runtime:
    return Runtime(
        name=f"nodejs{major}.x",
        display_name=f"Node.js {major}",
        language="JavaScript",
        family="nodejs",
        version=str(major),
        extension=".js",
        default_handler="index.handler",
        sample="node-hello",
        process_start=f"node workbench/shim/bootstrap.js, on this machine's Node.js {major}",
        docker_start=f"node {SHIM_IN_CONTAINER}/bootstrap.js in {IMAGE_REPOS['nodejs']}:{major}",
    )


def _provided(version: str) -> Runtime:
    return Runtime(
        name=f"provided.{version}",
        display_name=f"Custom runtime ({'Amazon Linux 2' if version == 'al2' else 'OS only'})",
        language="Any: the function's own bootstrap",
        family="provided",
        version=version,
        extension=".sh",
        default_handler="function.handler",
        sample="shell-custom",
        process_start="the function folder's own ./bootstrap executable",
        docker_start=f"{TASK_ROOT}/bootstrap in {IMAGE_REPOS['provided']}:al2023 (no Python)",
    )


def _build(name: str) -> Runtime:
    if name.startswith("python"):
        return _python(name.removeprefix("python"))
    if name.startswith("nodejs"):
        return _nodejs(int(name.removeprefix("nodejs").removesuffix(".x")))
    return _provided(name.removeprefix("provided."))


CATALOGUE: dict[str, Runtime] = {name: _build(name) for name in RUNTIMES}


def get(name: str) -> Runtime:
    """The runtime called `name`; ValueError naming the known ones otherwise."""
    try:
        return CATALOGUE[name]
    except KeyError:
        raise ValueError(
            f"{name!r} is not a known runtime: use one of {', '.join(RUNTIMES)}"
        ) from None


def runtime_for_image(image: str) -> Runtime | None:
    """The runtime one of our images carries (lambda-workbench/nodejs:20 → nodejs20.x)."""
    for runtime in CATALOGUE.values():
        if runtime.image == image:
            return runtime
    return None


# --- What this machine has ------------------------------------------------------------------
@functools.cache
def host_node() -> tuple[str, int] | None:
    """(path, major version) of this machine's `node`, or None."""
    node = shutil.which("node")
    if node is None:
        return None
    try:
        out = subprocess.run(
            [node, "--version"], capture_output=True, text=True, timeout=10, check=True
        ).stdout
        return node, int(out.strip().lstrip("v").split(".")[0])
    except (OSError, subprocess.SubprocessError, ValueError):
        return None


def host_python(version: str, default: str = sys.executable) -> str | None:
    """An interpreter of this Python version on this machine: ours if it matches, or pythonX.Y."""
    if f"{sys.version_info[0]}.{sys.version_info[1]}" == version:
        return default
    return shutil.which(f"python{version}")


def process_availability(runtime: Runtime) -> str | None:
    """None when the process backend can run this runtime here, else why not."""
    if runtime.family == "python" and host_python(runtime.version) is None:
        return f"Python {runtime.version} is not installed here (no python{runtime.version})"
    if runtime.family == "nodejs":
        found = host_node()
        if found is None:
            return NODE_MISSING
        if found[1] != int(runtime.version):
            return f"this machine has Node.js {found[1]}, not {runtime.version}"
    return None


@dataclass(frozen=True)
class Offer:
    """A runtime as the app lists it for a backend; `note` says what is missing, if anything."""

    runtime: Runtime
    ready: bool
    note: str = ""


def offered(backend: str, docker_client: object | None = None) -> list[Offer]:
    """The runtimes to list for a backend: each Python and Node.js this machine (or its images)
    has, plus the custom runtime. Docker runtimes whose image can still be built are listed,
    not ready, with the command that builds them."""
    offers: list[Offer] = []
    for runtime in CATALOGUE.values():
        if runtime.name == "provided.al2":
            continue  # listed once, as provided.al2023; provided.al2 is accepted in function.toml
        if backend == "docker":
            from workbench.backends.images import image_status  # needs the Docker SDK

            status = image_status(docker_client, runtime)
            if status is not None:
                offers.append(Offer(runtime, status == "", status))
        else:
            reason = process_availability(runtime)
            if reason is None:
                offers.append(Offer(runtime, True))
    return offers


# --- How the process backend starts each runtime ----------------------------------------------
def process_command(
    config: FunctionConfig, extra_arguments: Sequence[str] = (), python: str = sys.executable
) -> list[str]:
    """The command line of the runtime process; SandboxError when this machine can't run it.

    extra_arguments (the owner marker) go last; our bootstraps ignore them.
    """
    runtime = get(config.runtime)
    if runtime.family == "python":
        interpreter = host_python(runtime.version, python)
        if interpreter is None:
            raise SandboxError(
                f"{runtime.name} needs Python {runtime.version}, which is not installed here: "
                f"install python{runtime.version}, use the Docker backend, or choose "
                f"python{sys.version_info[0]}.{sys.version_info[1]}"
            )
        return [interpreter, "-u", str(BOOTSTRAP_PATH), *extra_arguments]
    if runtime.family == "nodejs":
        found = host_node()
        if found is None:
            raise SandboxError(NODE_MISSING)
        node, major = found
        if major != int(runtime.version):
            raise SandboxError(
                f"{runtime.name} needs Node.js {runtime.version}, but this machine has Node.js "
                f"{major}: choose nodejs{major}.x, or use the Docker backend"
            )
        return [node, str(NODE_BOOTSTRAP_PATH), *extra_arguments]
    return _custom_bootstrap(config.code_dir, extra_arguments, python)


# Run instead of a missing custom bootstrap: tell the Runtime API why init failed, as Lambda does.
_REPORT_INVALID_ENTRYPOINT = """\
import http.client, json, os, sys
print(sys.argv[1], flush=True)
body = json.dumps({"errorMessage": sys.argv[1], "errorType": "Runtime.InvalidEntrypoint"})
api = http.client.HTTPConnection(os.environ["AWS_LAMBDA_RUNTIME_API"], timeout=10)
api.request("POST", "/2018-06-01/runtime/init/error", body,
            {"Lambda-Runtime-Function-Error-Type": "Runtime.InvalidEntrypoint"})
api.getresponse().read()
sys.exit(1)
"""


def _custom_bootstrap(code_dir: Path, extra_arguments: Sequence[str], python: str) -> list[str]:
    bootstrap = Path(code_dir) / "bootstrap"
    if bootstrap.is_file() and os.access(bootstrap, os.X_OK):
        # The owner marker is passed on so a later run can find orphans; AWS passes no
        # arguments, and a bootstrap has no reason to read any.
        return [str(bootstrap), *extra_arguments]
    template = NOT_EXECUTABLE if bootstrap.is_file() else NO_BOOTSTRAP
    message = template.format(root=code_dir)
    return [python, "-c", _REPORT_INVALID_ENTRYPOINT, message, *extra_arguments]


# --- How the Docker backend starts each runtime -----------------------------------------------
# The container checks for the bootstrap itself (a waiting container may outlive a chmod); the
# image has no Python, so the init error is posted with curl.
_CONTAINER_CUSTOM_LAUNCH = f"""\
b={TASK_ROOT}/bootstrap
if [ ! -f "$b" ]; then reason="{NO_BOOTSTRAP.format(root=TASK_ROOT)}"
elif [ ! -x "$b" ]; then reason="{NOT_EXECUTABLE.format(root=TASK_ROOT)}"
else exec "$b"
fi
echo "$reason"
type=Runtime.InvalidEntrypoint
curl -sS -o /dev/null -X POST "http://$AWS_LAMBDA_RUNTIME_API/2018-06-01/runtime/init/error" \\
  -H "Lambda-Runtime-Function-Error-Type: $type" \\
  --data-binary "{{\\"errorMessage\\": \\"$reason\\", \\"errorType\\": \\"$type\\"}}"
exit 1
"""


def container_command(runtime: Runtime) -> list[str]:
    """The command that starts this runtime inside its image (shim mounted at /var/runtime)."""
    if runtime.family == "python":
        return ["python3", "-u", f"{SHIM_IN_CONTAINER}/bootstrap.py"]
    if runtime.family == "nodejs":
        return ["node", f"{SHIM_IN_CONTAINER}/bootstrap.js"]
    return ["/bin/sh", "-c", _CONTAINER_CUSTOM_LAUNCH, "bootstrap"]
