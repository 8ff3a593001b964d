"""How a function's container is sized and locked down, the way Lambda sizes environments.

Memory limit = the function's memory (swap off); CPU quota = memory / 1,769 MB of a vCPU,
applied once init is over (docker_sandbox.py); no capabilities, no new privileges, a
read-only root with only /tmp writable (decision 009), and docker-init as PID 1.
"""

from __future__ import annotations

import os
from typing import Any

import docker

from workbench.backends.docker_slots import LAUNCHER, SlotShape
from workbench.backends.docker_sweep import OWNER_LABEL
from workbench.backends.images import LABEL
from workbench.core.runtime_env import TASK_ROOT

FUNCTION_LABEL = f"{LABEL}.function"
VCPU_MB = 1769  # one full vCPU at 1,769 MB (configuration-memory.html)


# Docker's default CFS period. Shorter periods spread a small share more evenly, but every
# warm invocation of a 128 MB function then waits for the next period (p50 18 ms measured with
# 20 ms); with 100 ms light traffic runs at full speed and sustained traffic is throttled to
# the share in bursts. Lambda's own period is not published.
CPU_PERIOD_US = 100_000


def cpu_quota(memory_mb: int, period_us: int = CPU_PERIOD_US) -> int:
    """CFS quota (µs per period) for a function's memory: the vCPU share Lambda gives it."""
    return max(int(memory_mb / VCPU_MB * period_us), 1_000)


def container_run_options(
    shape: SlotShape,
    name: str,
    function_name: str,
    command: list[str],
    volumes: Any,
    tmpfs: Any,
) -> dict[str, Any]:
    """Keyword arguments of `containers.run` for a container that waits in the launcher."""
    return dict(
        entrypoint=["/bin/sh", "-c", LAUNCHER, "sh"],
        command=command,
        name=name,
        detach=True,
        labels={LABEL: "1", OWNER_LABEL: str(os.getpid()), FUNCTION_LABEL: function_name},
        mem_limit=f"{shape.memory_mb}m",
        memswap_limit=f"{shape.memory_mb}m",  # swap off: the limit is real
        pids_limit=1024,
        ulimits=[docker.types.Ulimit(name="nofile", soft=1024, hard=1024)],
        cap_drop=["ALL"],
        security_opt=["no-new-privileges"],
        read_only=True,  # also makes /etc/hosts, /etc/resolv.conf, … read-only
        tmpfs=tmpfs,
        volumes=volumes,
        init=True,  # docker-init as PID 1 reaps zombies, as Lambda's init does
        working_dir=TASK_ROOT,
        extra_hosts={"host.docker.internal": "host-gateway"},
        network_mode="bridge",
    )
