"""Each Docker environment's /tmp: an ext4 filesystem image of the ephemeral storage size.

A tmpfs /tmp lives in memory and is charged to the container's memory cgroup, so at 128 MB
filling it is an OOM kill instead of "No space left on device", and it vanishes with the
container on every reset. Instead each environment gets a sparse image file (on disk, under
/var/tmp), formatted ext4 and loop-mounted on the host, then bind-mounted at /tmp: writes
stop with ENOSPC at the configured size, the page cache it uses is reclaimable (never an
OOM kill), and the same mount is bound into the replacement container after a reset. See
docs/decisions/009-tmp-storage.md, including why this needs root and what happens without.
"""

from __future__ import annotations

import math
import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from workbench.backends.pids import mounts_under, unmount
from workbench.core.sandbox import SandboxError
from workbench.core.scratch import scratch_bases, scratch_dir

# ext4 with 4 KiB blocks, no journal or resize reserve and one inode per 64 KiB keeps ~0.8 %
# for itself: 2 % + 8 MB more than asked leaves at least the configured size free.
_MKFS_OPTIONS = [
    "-q", "-F", "-b", "4096", "-m", "0", "-i", "65536",
    "-O", "^has_journal,^resize_inode", "-E", "nodiscard",
]  # fmt: skip
_PROBE_MB = 8


def image_size_mb(storage_mb: int) -> int:
    """Size of the image file whose filesystem has at least storage_mb free."""
    return storage_mb + math.ceil(storage_mb / 50) + 8


@dataclass(frozen=True)
class TmpVolume:
    """A mounted /tmp on the host side: bind host_dir into the container at /tmp."""

    host_dir: Path
    image: Path
    size_mb: int


def _run(command: list[str]) -> str | None:
    """Run a tool; None on success, else why it failed."""
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=60, check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return str(exc)
    if done.returncode != 0:
        return (done.stderr or done.stdout).strip() or f"exit status {done.returncode}"
    return None


class TmpStorage:
    """Creates and removes per-environment /tmp filesystems, or says why it cannot."""

    def __init__(self, base: Path | None = None) -> None:
        self._base = base or scratch_bases()[-1]  # /var/tmp when there is one: on disk
        self._root: Path | None = None
        self._volumes: set[TmpVolume] = set()
        self.unavailable = self._probe()

    @property
    def sized_images(self) -> bool:
        """True when /tmp is an ext4 image; False: a tmpfs charged to memory, lost on reset."""
        return self.unavailable is None

    def _probe(self) -> str | None:
        """Why ext4 images cannot be used here, or None when a test image mounts."""
        if os.geteuid() != 0:
            return "mounting a filesystem image needs root"
        for tool in ("mkfs.ext4", "mount", "umount"):
            if shutil.which(tool) is None:
                return f"{tool} is not installed"
        if not Path("/dev/loop-control").exists():
            return "no loop devices (/dev/loop-control)"
        try:
            volume = self.create(_PROBE_MB)
        except (OSError, SandboxError) as exc:
            return str(exc)
        self.remove(volume)
        self.close()  # the root folder is made again when a /tmp is needed
        return None

    def create(self, size_mb: int) -> TmpVolume:
        """Blocking: a fresh, empty, mounted filesystem of size_mb; SandboxError if not."""
        try:
            if self._root is None:
                self._root = scratch_dir("tmp", self._base)
            folder = self._root / os.urandom(6).hex()
            mount_point = folder / "tmp"
            mount_point.mkdir(parents=True)
        except OSError as exc:
            raise SandboxError(f"could not make a /tmp folder: {exc}") from exc
        image = folder / "fs.img"
        try:
            with open(image, "wb") as file:  # sparse: it costs only what is written
                file.truncate(image_size_mb(size_mb) * 1024 * 1024)
            failure = _run(["mkfs.ext4", *_MKFS_OPTIONS, str(image)])
            if failure is None:
                options = "loop,nosuid,nodev,noatime"
                command = ["mount", "-t", "ext4", "-o", options, str(image), str(mount_point)]
                failure = _run(command)
            if failure is None:
                shutil.rmtree(mount_point / "lost+found", ignore_errors=True)  # an empty /tmp
                os.chmod(mount_point, 0o1777)
                volume = TmpVolume(mount_point, image, size_mb)
                self._volumes.add(volume)
                return volume
        except OSError as exc:
            failure = str(exc)
        self.remove(TmpVolume(mount_point, image, size_mb))
        raise SandboxError(f"could not make a {size_mb} MB /tmp filesystem: {failure}")

    def remove(self, volume: TmpVolume) -> None:
        """Blocking: unmount and delete; never deletes through a mount that stayed."""
        self._volumes.discard(volume)
        folder = volume.host_dir.parent
        for point in mounts_under(folder):
            unmount(point)
        if not mounts_under(folder):
            shutil.rmtree(folder, ignore_errors=True)

    def close(self) -> None:
        """Blocking: remove every volume and the root folder."""
        for volume in list(self._volumes):
            self.remove(volume)
        if self._root is not None and not mounts_under(self._root):
            shutil.rmtree(self._root, ignore_errors=True)
            self._root = None
