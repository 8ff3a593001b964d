"""Custom runtimes (provided.al2023, provided.al2): the function's own `bootstrap` is the runtime.

On Amazon Linux, /bin/sh is bash: AWS's tutorial bootstrap starts `#!/bin/sh` and then
`set -euo pipefail`, which dash rejects. Our image makes /bin/sh bash too.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

from workbench.core.model import FunctionConfig
from workbench.core.runtime_env import TASK_ROOT
from workbench.runtimes.host import host_bash
from workbench.runtimes.runtime import ImageContents, LanguageFamily, Runtime

# AWS's words when the custom runtime's entrypoint cannot be started (Runtime.InvalidEntrypoint).
NO_BOOTSTRAP = "Couldn't find valid bootstrap(s): [{root}/bootstrap /opt/bootstrap]"
NOT_EXECUTABLE = "fork/exec {root}/bootstrap: permission denied"
BOOTSTRAP_FILE = "bootstrap"

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

# The container checks for the bootstrap itself (a waiting container may outlive a chmod); the
# image has no Python, so the init error is posted with curl.
_CONTAINER_LAUNCH = f"""\
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


def _reads_with_sh(bootstrap: Path) -> bool:
    """A `#!/bin/sh` script: on Amazon Linux that is bash, so run it with bash here too."""
    try:
        with open(bootstrap, "rb") as handle:
            first = handle.readline(200)
    except OSError:
        return False
    return first.startswith(b"#!") and first[2:].strip().split(b" ")[0] == b"/bin/sh"


class ProvidedFamily(LanguageFamily):
    name = "provided"
    order = 2
    lexer = "bash"
    extensions = (".sh",)

    def runtime(self, name: str) -> Runtime:
        version = name.removeprefix("provided.")
        return Runtime(
            name=name,
            display_name=f"Custom runtime ({'Amazon Linux 2' if version == 'al2' else 'OS only'})",
            language="Any: the function's own bootstrap",
            version=version,
            default_handler="function.handler",
            sample="shell-custom",
            process_start="the function folder's own ./bootstrap executable (#!/bin/sh ones "
            "with bash, as on Amazon Linux)",
            docker_start=f"{TASK_ROOT}/bootstrap in its image (bash as /bin/sh, curl, no language)",
            lang=self,
        )

    def image_tag(self, runtime: Runtime) -> str:
        return "al2023"  # one OS-only image for both

    def owns_file(self, path: Path) -> bool:
        return path.name == BOOTSTRAP_FILE

    def editor_file(self, config: FunctionConfig) -> Path:
        """The bootstrap: it is the runtime, and what a learner reads first."""
        return config.code_dir / BOOTSTRAP_FILE

    def folder_problem(self, runtime: Runtime, config: FunctionConfig) -> str | None:
        bootstrap = config.code_dir / BOOTSTRAP_FILE
        if not bootstrap.is_file():
            return (
                f"{runtime.name} runs the folder's own ./bootstrap executable, and this folder "
                "has none (see sample_functions/shell-custom)"
            )
        if not os.access(bootstrap, os.X_OK):
            return "./bootstrap is not executable: run chmod +x bootstrap"
        return None

    def process_command(
        self, runtime: Runtime, config: FunctionConfig, extra: Sequence[str], python: str
    ) -> list[str]:
        bootstrap = Path(config.code_dir) / BOOTSTRAP_FILE
        if bootstrap.is_file() and os.access(bootstrap, os.X_OK):
            # The owner marker is passed on so a later run can find orphans; AWS passes no
            # arguments, and a bootstrap has no reason to read any.
            bash = host_bash()
            if bash is not None and _reads_with_sh(bootstrap):
                return [bash, str(bootstrap), *extra]
            return [str(bootstrap), *extra]
        template = NOT_EXECUTABLE if bootstrap.is_file() else NO_BOOTSTRAP
        message = template.format(root=config.code_dir)
        return [python, "-I", "-c", _REPORT_INVALID_ENTRYPOINT, message, *extra]

    def container_command(self, runtime: Runtime) -> list[str]:
        return ["/bin/sh", "-c", _CONTAINER_LAUNCH, BOOTSTRAP_FILE]

    def image_contents(self, runtime: Runtime) -> ImageContents | None:
        return ImageContents(
            detail="Debian bookworm with bash as /bin/sh and curl, no language runtime",
            cmd="/bin/sh",
            debian_packages=("curl",),
            sh_is_bash=True,
        )


PROVIDED = ProvidedFamily()
