"""After an outage: remove what runs that died left behind, and nothing of live runs.

Other sessions share this engine and machine, so only containers whose owner-pid label
names a dead process go, then the scratch folders of dead runs (slot folders with their env
files, /tmp filesystems, version snapshots: backends/pids.py).
"""

from __future__ import annotations

import docker
import docker.errors

from workbench.backends.images import LABEL
from workbench.backends.pids import pid_alive, remove_leftover_folders

OWNER_LABEL = f"{LABEL}.owner-pid"


def sweep_orphans(client: docker.DockerClient) -> int:
    """Blocking: remove containers (running, paused or exited) of runs no longer alive.

    Another run may remove the same containers at the same moment: one that is gone (or
    already being removed) is skipped. The listing is the engine's summary, so nothing is
    asked of a container between listing and removing it. Returns how many were removed.
    Containers go first: the folders hold their mounts.
    """
    removed = 0
    try:
        listed = client.api.containers(all=True, filters={"label": LABEL})
    except docker.errors.APIError:
        listed = []
    for summary in listed:
        owner = str((summary.get("Labels") or {}).get(OWNER_LABEL, ""))
        if owner.isdigit() and pid_alive(int(owner)):
            continue
        try:
            client.api.remove_container(summary["Id"], force=True)
        except docker.errors.APIError:
            continue  # NotFound, or "removal already in progress" (409)
        removed += 1
    remove_leftover_folders()
    return removed
