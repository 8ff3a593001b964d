"""The Node.js runtimes (nodejsNN.x): our bootstrap.js, on this machine's or the image's node."""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence

from workbench.core.model import FunctionConfig
from workbench.core.sandbox import SandboxError
from workbench.paths import SHIM_DIR
from workbench.runtimes import support
from workbench.runtimes.host import host_node
from workbench.runtimes.runtime import SHIM_IN_CONTAINER, ImageContents, LanguageFamily, Runtime

NODE_BOOTSTRAP_PATH = SHIM_DIR / "bootstrap.js"
NODE_MISSING = "Node.js is not installed: apt-get install nodejs, or use the Docker backend"
DEBIAN_NODE_MAJOR = 18  # Debian bookworm's nodejs package is 18.x
# The AWS SDK for JavaScript v3 that Lambda's nodejs18.x and later runtimes include (AWS
# Developer Tools Blog, "Why and how you should use AWS SDK for JavaScript (v3) on Node.js 18").
# Lambda bundles every client; we install the ones the lessons and triggers use.
SDK_VERSION = "3.940.0"
SDK_PACKAGES = tuple(
    f"@aws-sdk/{name}@{SDK_VERSION}"
    for name in (
        "client-s3",
        "client-dynamodb",
        "lib-dynamodb",
        "client-sqs",
        "client-sns",
        "client-lambda",
    )
)
MODULES_VARIABLE = "LAMBDA_WORKBENCH_NODE_MODULES"  # read by shim/bootstrap.js
IMAGE_NODE_MODULES = "/var/runtime/node_modules"  # where Lambda's image keeps the SDK


def _stderr(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


class NodeFamily(LanguageFamily):
    name = "nodejs"
    order = 1
    lexer = "javascript"
    extensions = (".js", ".mjs", ".cjs")  # the order Lambda's Node.js runtime tries them
    # V8 reserves far more address space than it uses, and the module-resolution hook's
    # worker thread reserves its own code range: 1 GB is too little (measured), 4 GB is ample.
    address_space_headroom_mb = 4096

    def runtime(self, name: str) -> Runtime:
        major = int(name.removeprefix("nodejs").removesuffix(".x"))
        return Runtime(
            name=name,
            display_name=f"Node.js {major}",
            language="JavaScript",
            version=str(major),
            default_handler="index.handler",
            sample="node-hello",
            process_start=f"node workbench/shim/bootstrap.js, on this machine's Node.js {major}",
            docker_start=f"node {SHIM_IN_CONTAINER}/bootstrap.js in its image",
            lang=self,
        )

    def process_availability(self, runtime: Runtime) -> str | None:
        found = host_node()
        if found is None:
            return NODE_MISSING
        if found[1] != int(runtime.version):
            return f"this machine has Node.js {found[1]}, not {runtime.version}"
        return None

    def process_command(
        self, runtime: Runtime, config: FunctionConfig, extra: Sequence[str], python: str
    ) -> list[str]:
        found = host_node()
        if found is None:
            raise SandboxError(NODE_MISSING)
        node, major = found
        if major != int(runtime.version):
            raise SandboxError(
                f"{runtime.name} needs Node.js {runtime.version}, but this machine has Node.js "
                f"{major}: choose nodejs{major}.x, or use the Docker backend"
            )
        return [node, str(NODE_BOOTSTRAP_PATH), *extra]

    def prepare_process(self, runtime: Runtime) -> None:
        if int(runtime.version) >= 18:
            support.node_modules(SDK_PACKAGES, _stderr)

    def process_environment(self, runtime: Runtime) -> dict[str, str]:
        if int(runtime.version) < 18:
            return {}
        return {MODULES_VARIABLE: str(support.node_modules(SDK_PACKAGES, _stderr))}

    def container_command(self, runtime: Runtime) -> list[str]:
        return ["node", f"{SHIM_IN_CONTAINER}/bootstrap.js"]

    def image_contents(self, runtime: Runtime) -> ImageContents | None:
        """Node.js from Debian's package when the version matches (18), otherwise this
        machine's own `node` binary on the same Debian base (it needs only glibc and libstdc++,
        which minbase has); the SDK from npm into /var/runtime/node_modules, as in Lambda."""
        major = int(runtime.version)
        if major == DEBIAN_NODE_MAJOR:
            return ImageContents(
                detail=f"Node.js {major} from Debian bookworm with the AWS SDK v3 {SDK_VERSION}",
                cmd="node",
                debian_packages=("nodejs",),
                npm_packages=SDK_PACKAGES,
                sh_is_bash=True,
            )
        host = host_node()
        if host is not None and host[1] == major:
            return ImageContents(
                detail=f"this machine's Node.js {major} ({host[0]}) on Debian bookworm with the "
                f"AWS SDK v3 {SDK_VERSION}",
                cmd="node",
                npm_packages=SDK_PACKAGES,
                host_files=(os.path.realpath(host[0]),),
                sh_is_bash=True,
            )
        return None

    def cannot_build(self, runtime: Runtime) -> str:
        host = host_node()
        has = f"this machine has Node.js {host[1]}" if host else "this machine has no Node.js"
        return (
            f"Cannot build a {runtime.name} image here: Debian bookworm ships Node.js "
            f"{DEBIAN_NODE_MAJOR} and {has}. Use nodejs{DEBIAN_NODE_MAJOR}.x"
            + (f" or nodejs{host[1]}.x" if host and host[1] != DEBIAN_NODE_MAJOR else "")
        )


NODEJS = NodeFamily()
