"""Make an image from a Debian root filesystem (mmdebstrap) holding what a runtime needs."""

from __future__ import annotations

import contextlib
import os
import shlex
import shutil
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import docker
import docker.errors

from workbench.backends.images import ImageError, Progress, get_image, image_size_mb
from workbench.runtimes import ImageContents
from workbench.runtimes.host import pip_python

DEBIAN_SUITE = "bookworm"
DEBIAN_PYTHON = "3.11"
MMDEBSTRAP_TIMEOUT = 900.0
NPM_TIMEOUT = 600.0
IMAGE_PATH = "/var/lang/bin:/usr/local/bin:/usr/bin:/bin"
IMAGE_ENV = {
    "LANG": "C.UTF-8",
    "PATH": IMAGE_PATH,
    "LAMBDA_TASK_ROOT": "/var/task",
    "LAMBDA_RUNTIME_DIR": "/var/runtime",
}
NODE_MODULES_IN_IMAGE = "/var/runtime/node_modules"  # where Lambda's Node.js images keep the SDK


def _pip_hook(contents: ImageContents) -> str:
    """A customize hook installing pure-Python packages into the image with this host's pip."""
    target = f'"$1{contents.pip_target}"'
    wanted = " ".join(shlex.quote(p) for p in contents.pip_packages)
    return (
        f"--customize-hook={shlex.quote(pip_python())} -m pip install --quiet --no-compile "
        f"--disable-pip-version-check --only-binary=:all: --python-version "
        f"{contents.pip_python} --target {target} {wanted}"
    )


def _language_hook(host_dir: str) -> str:
    """Copy a language installed here into /var/lang, and put its lib/ on the loader's path
    (its binaries may name their old lib/ folder, which the image does not have). Its
    site-packages are emptied: the image gets only what Lambda's runtime provides."""
    source = shlex.quote(host_dir.rstrip("/") + "/.")
    return (
        f'mkdir -p "$1/var/lang" && cp -a {source} "$1/var/lang/" && '
        'rm -rf "$1"/var/lang/lib/python3*/test "$1"/var/lang/lib/python3*/site-packages/* && '
        'echo /var/lang/lib > "$1/etc/ld.so.conf.d/var-lang.conf" && ldconfig -r "$1"'
    )


def _npm_install(packages: tuple[str, ...], into: Path, progress: Progress) -> Path:
    """Install npm packages (pure JavaScript, like the AWS SDK v3) into a host folder."""
    npm = shutil.which("npm")
    if npm is None:
        raise ImageError("npm is not installed here (apt-get install npm): it fetches the AWS SDK")
    progress(f"Installing {' '.join(packages)} with npm…")
    try:
        done = subprocess.run(
            [npm, "install", "--no-audit", "--no-fund", "--no-save", "--prefix", str(into),
             *packages],
            capture_output=True, text=True, timeout=NPM_TIMEOUT, check=False,
        )  # fmt: skip
    except (OSError, subprocess.SubprocessError) as exc:
        raise ImageError(f"npm failed: {exc}") from exc
    if done.returncode != 0:
        tail = "\n".join(done.stderr.strip().splitlines()[-6:])
        raise ImageError(f"npm install failed (is the npm registry reachable?):\n{tail}")
    return into / "node_modules"


def mmdebstrap_import(
    client: docker.DockerClient,
    name: str,
    contents: ImageContents,
    *,
    labels: dict[str, str],
    progress: Progress,
    unavailable: str,
) -> None:
    """Make a Debian root filesystem holding `contents` and `docker import` it as image `name`."""
    exe = shutil.which("mmdebstrap")
    if exe is None:
        raise ImageError(unavailable)
    repository, _, tag = name.rpartition(":")
    progress(f"Building from Debian {DEBIAN_SUITE} with mmdebstrap (about 30 s)…")
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="lambda-workbench-rootfs-") as tmp:
        hooks = [
            'mkdir -p "$1/var/task" "$1/var/runtime" "$1/opt" "$1/tmp" && chmod 1777 "$1/tmp"',
            *(f"copy-in {path} /usr/bin" for path in contents.host_files),
        ]
        if contents.host_language_dir:
            hooks.append(_language_hook(contents.host_language_dir))
        if contents.sh_is_bash:  # Amazon Linux's /bin/sh is bash; Debian's is dash
            hooks.append('ln -sf bash "$1/usr/bin/sh" && ln -sf bash "$1/bin/sh"')
        if contents.npm_packages:
            modules = _npm_install(contents.npm_packages, Path(tmp) / "npm", progress)
            hooks.append(f'cp -a {shlex.quote(str(modules))} "$1{NODE_MODULES_IN_IMAGE}"')
        rootfs = Path(tmp) / "rootfs.tar"
        command = [
            exe,
            "--variant=minbase",
            *([f"--include={','.join(contents.debian_packages)}"] if contents.debian_packages
              else []),
            *(f"--customize-hook={hook}" for hook in hooks),
            *([_pip_hook(contents)] if contents.pip_packages else []),
            DEBIAN_SUITE,
            str(rootfs),
        ]  # fmt: skip
        mirror = os.environ.get("LAMBDA_WORKBENCH_DEBIAN_MIRROR")
        if mirror:
            command.append(mirror)
        _run_streaming(command, progress, unavailable)
        progress(
            f"Root filesystem ready in {time.monotonic() - started:.0f} s "
            f"({rootfs.stat().st_size // 1_000_000} MB); importing as {name}…"
        )
        changes = [f"ENV {key}={value}" for key, value in IMAGE_ENV.items()]
        changes += ["WORKDIR /var/task"]
        changes += [f"LABEL {key}={value}" for key, value in labels.items()]
        changes += [f'CMD ["{contents.cmd}"]']
        try:
            client.api.import_image(
                src=str(rootfs), repository=repository, tag=tag, changes=changes
            )
        except docker.errors.DockerException as exc:
            raise ImageError(f"Importing the root filesystem as {name} failed: {exc}") from exc
    image = get_image(client, name)
    if image is None:
        raise ImageError(f"Importing {name} reported success but the image is missing")
    progress(f"Imported {name} ({image_size_mb(image)} MB)")


def _run_streaming(command: list[str], progress: Progress, unavailable: str) -> None:
    """Run mmdebstrap, passing each output line to `progress`; raise ImageError on failure."""
    tail: list[str] = []
    try:
        proc = subprocess.Popen(
            command,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            errors="replace",
        )
    except OSError as exc:
        raise ImageError(f"Could not run mmdebstrap: {exc}. {unavailable}") from exc
    timer = threading.Timer(MMDEBSTRAP_TIMEOUT, proc.kill)
    timer.start()
    try:
        assert proc.stdout is not None
        for raw in proc.stdout:
            line = raw.rstrip()
            if line:
                tail = [*tail[-19:], line]
                progress(f"  {line}")
        code = proc.wait()
    finally:
        timer.cancel()
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    if code != 0:
        hint = "" if os.geteuid() == 0 else " (mmdebstrap needs root or user namespaces)"
        last = "\n".join(tail[-8:])
        raise ImageError(
            f"mmdebstrap failed with exit code {code}{hint}; last output:\n{last}\n"
            "Check that Debian's mirror (deb.debian.org) is reachable, "
            "or set LAMBDA_WORKBENCH_DEBIAN_MIRROR"
        )


def _cache_dir() -> Path:
    """Return Lambda Workbench's cache directory."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "lambda-workbench"


@contextlib.contextmanager
def build_lock(key: str) -> Iterator[None]:
    """Serialise image creation across threads and processes (best effort)."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover - non-POSIX
        yield
        return
    try:
        directory = _cache_dir()
        directory.mkdir(parents=True, exist_ok=True)
        handle = open(directory / f"runtime-image-{key}.lock", "w")  # noqa: SIM115
    except OSError:
        yield
        return
    try:
        fcntl.flock(handle, fcntl.LOCK_EX)
        yield
    finally:
        with contextlib.suppress(OSError):
            fcntl.flock(handle, fcntl.LOCK_UN)
        handle.close()
