"""Container slots: a started container that waits for the word to exec the runtime.

Starting a container costs ~250 ms here (containerd + runc), longer than Python's whole
init. Lambda keeps sandboxes provisioned ahead of time and does not count that in Init
Duration, so the backend keeps one started, idle slot per function shape: a cold start
then only hands the slot its environment variables and says "go". A slot's shell blocks
on a FIFO read: no runtime runs and no CPU is used until then.

The slot folder is mounted read-only: the function can neither change its `env` file nor
store anything there (FIFOs stay writable on a read-only mount). The env file is deleted
once the runtime is up. /tmp is the only writable place (docker_tmp.py).
"""

from __future__ import annotations

import contextlib
import os
import shlex
import shutil
import uuid
from dataclasses import dataclass

from workbench.backends.docker_tmp import TmpVolume
from workbench.core.runtime_env import TASK_ROOT
from workbench.core.scratch import scratch_dir

SLOT_DIR_IN_CONTAINER = "/var/lambda-workbench"
# Wait for "go", load the environment, send all output into our log FIFO, become the runtime.
LAUNCHER = (
    f"read -r _ < {SLOT_DIR_IN_CONTAINER}/go && set -a && . {SLOT_DIR_IN_CONTAINER}/env "
    f'&& set +a && exec "$@" >{SLOT_DIR_IN_CONTAINER}/log 2>&1'
)


@dataclass(frozen=True)
class SlotShape:
    """What a container is created with and cannot change later."""

    image: str
    code_dir: str
    memory_mb: int
    ephemeral_storage_mb: int
    handler: str
    opt_dir: str | None = None  # the function's layers, merged; mounted read-only at /opt


class ContainerSlot:
    """A host folder with the slot's FIFOs, its /tmp, and (once created) its container.

    `tmp` is None when /tmp is a tmpfs (no filesystem images on this machine). The backend
    owns the /tmp volume: it outlives the slot when the environment is reset.
    """

    def __init__(self, shape: SlotShape, tmp: TmpVolume | None = None) -> None:
        self.shape = shape
        self.tmp = tmp
        self.container: object | None = None
        self.name = f"lambda-workbench-{uuid.uuid4().hex[:10]}"
        self.host_dir = scratch_dir("slot")  # mkdtemp: private (0700)
        os.mkfifo(self.host_dir / "log", 0o600)
        os.mkfifo(self.host_dir / "go", 0o600)
        # Read end first (non-blocking), plus a writer of our own so the FIFO never reports
        # end-of-file while the container opens and closes it.
        self.log_fd = os.open(self.host_dir / "log", os.O_RDONLY | os.O_NONBLOCK)
        self._log_writer = os.open(self.host_dir / "log", os.O_WRONLY | os.O_NONBLOCK)
        # Read-write keeps "go" readable until the container has read it.
        self._go_fd = os.open(self.host_dir / "go", os.O_RDWR | os.O_NONBLOCK)

    def mounts(
        self, read_only: dict[str, str], code_inside: bool
    ) -> tuple[dict[str, dict[str, str]], dict[str, str]]:
        """The container's volumes and tmpfs: everything read-only except /tmp.

        read_only: more host folders to bind (host → inside). code_inside: the image carries
        its own /var/task. The slot folder is read-only too (see the module docstring).
        """
        binds = {**read_only, str(self.host_dir): SLOT_DIR_IN_CONTAINER}
        if not code_inside:
            binds[self.shape.code_dir] = TASK_ROOT
        if self.shape.opt_dir:
            binds[self.shape.opt_dir] = "/opt"
        volumes = {host: {"bind": inside, "mode": "ro"} for host, inside in binds.items()}
        if self.tmp is None:  # no filesystem images here: sized, but in memory (decision 009)
            return volumes, {"/tmp": f"size={self.shape.ephemeral_storage_mb}m"}
        volumes[str(self.tmp.host_dir)] = {"bind": "/tmp", "mode": "rw"}
        return volumes, {}

    def launch(self, variables: dict[str, str]) -> None:
        """Give the waiting container its environment and let it exec the runtime."""
        lines = [f"{key}={shlex.quote(value)}" for key, value in variables.items()]
        env_file = self.host_dir / "env"
        env_file.write_text("\n".join(lines) + "\n", encoding="utf-8")
        os.chmod(env_file, 0o600)
        os.write(self._go_fd, b"go\n")

    def forget_environment(self) -> None:
        """Delete the env file once the runtime has read it: nothing of it stays on disk."""
        with contextlib.suppress(OSError):
            (self.host_dir / "env").unlink()

    def close(self) -> None:
        """Release the host side; the container is removed by its owner."""
        for fd in (self.log_fd, self._log_writer, self._go_fd):
            with contextlib.suppress(OSError):
                os.close(fd)
        shutil.rmtree(self.host_dir, ignore_errors=True)
