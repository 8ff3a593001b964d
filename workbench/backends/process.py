"""Execution environments as local processes: the same bootstrap and Runtime API, no Docker.

Freeze is SIGSTOP of the runtime's process group; memory is watched from /proc and the
runtime is killed when it exceeds the function's memory, as the cgroup would.

There is no isolation here: every runtime runs as you, can read your files, and can reach
every Runtime API on 127.0.0.1 (all local connections come from the same address). What
remains is that each environment has its own Runtime API port, handed only to its runtime,
so one runtime never takes another's events by accident.
"""

from __future__ import annotations

import asyncio
import contextlib
import math
import os
import resource
import shutil
import signal
import sys
import threading
import time
from pathlib import Path

from workbench.backends.pids import pid_alive, remove_leftover_folders
from workbench.core.model import ConfigError, FunctionConfig
from workbench.core.sandbox import SandboxError, SandboxExit, SandboxSpec
from workbench.core.scratch import scratch_dir
from workbench.packages.layers import opt_dir
from workbench.paths import BOOTSTRAP_PATH
from workbench.runtimes import NODE_BOOTSTRAP_PATH, process_command
from workbench.runtimes import get as get_runtime

ISOLATION = (
    "Local processes are not isolated: your functions run as you and can reach each other's "
    "Runtime API; use Docker to keep environments apart"
)
WATCH_INTERVAL_S = 0.02
FREEZE_WAIT_S = 0.1  # then the freeze is reported, stopped or not (a busy host)
OWNER_ARGUMENT = "--workbench-owner="
# Address space is a loose backstop only: Python reserves far more than it touches.
ADDRESS_SPACE_HEADROOM_MB = 1024


def _proc_status(pid: int) -> dict[str, str] | None:
    """/proc/<pid>/status as {field: value}, or None if the process is gone (one read)."""
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as status:
            text = status.read()
    except OSError:
        return None
    fields = {}
    for line in text.splitlines():
        name, _, value = line.partition(":")
        fields[name] = value.strip()
    return fields


def _kb(fields: dict[str, str], field: str) -> int | None:
    try:
        return int(fields[field].split()[0])
    except (KeyError, ValueError, IndexError):
        return None


def _proc_status_kb(pid: int, field: str) -> int | None:
    fields = _proc_status(pid)
    return _kb(fields, field) if fields is not None else None


def _stopped_or_gone(pid: int) -> bool:
    """Whether our child has stopped (or is gone): one wait call, without reaping it.

    Cheaper than reading /proc before every freeze; a stop reported here cannot be an old
    one, as a continued process no longer reports its stop.
    """
    try:
        info = os.waitid(os.P_PID, pid, os.WSTOPPED | os.WNOHANG | os.WNOWAIT)
    except ChildProcessError:
        return True
    return info is not None


_KILL_BIT = 1 << (signal.SIGKILL - 1)


def _dying(pid: int) -> bool:
    """Gone, a zombie, or with a SIGKILL pending: a kill just sent has not always landed.

    One read of /proc/<pid>/status: this runs before every warm invocation.
    """
    fields = _proc_status(pid)
    if fields is None or fields.get("State", "X")[:1] in ("Z", "X"):
        return True
    try:
        return any(int(fields[name], 16) & _KILL_BIT for name in ("SigPnd", "ShdPnd"))
    except (KeyError, ValueError):
        return True


class ProcessSandbox:
    """One runtime process (and its children, in their own process group)."""

    runtime_peer: str | None = None  # every local process connects from 127.0.0.1

    def __init__(self, process: asyncio.subprocess.Process, log_fd: int, memory_mb: int) -> None:
        self.process = process
        self.log_fd = log_fd
        self._memory_mb = memory_mb
        self._frozen = False
        self._oom_killed = False
        self._peak_kb = 0
        self._exit: SandboxExit | None = None
        self._watchdog = asyncio.create_task(self._watch_memory())

    @property
    def pid(self) -> int:
        return self.process.pid

    async def _watch_memory(self) -> None:
        limit_kb = self._memory_mb * 1024
        while self.process.returncode is None:
            if not self._frozen:
                fields = _proc_status(self.pid) or {}
                rss = _kb(fields, "VmRSS") or 0
                self._peak_kb = max(self._peak_kb, _kb(fields, "VmHWM") or rss)
                if rss > limit_kb:
                    self._oom_killed = True
                    self._signal(signal.SIGKILL)
                    return
            await asyncio.sleep(WATCH_INTERVAL_S)

    def _signal(self, sig: int) -> None:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.pid, sig)

    async def after_init(self) -> None:
        """Nothing to do: a process has no CPU quota to apply."""

    async def freeze(self) -> None:
        self._frozen = True
        self._signal(signal.SIGSTOP)
        # SIGSTOP is asynchronous: report frozen only once the kernel has stopped it. It
        # usually lands within a millisecond: look on every loop turn until then (an
        # invocation arriving meanwhile waits for the freeze), then every millisecond.
        started = time.monotonic()
        while not _stopped_or_gone(self.pid):
            waited = time.monotonic() - started
            if waited > FREEZE_WAIT_S:
                return
            await asyncio.sleep(0 if waited < 0.002 else 0.001)

    async def thaw(self) -> None:
        self._signal(signal.SIGCONT)
        self._frozen = False
        if _dying(self.pid):
            # Killed while frozen: SIGCONT to a dead group raises nothing, so say it here.
            raise SandboxError(f"the runtime process {self.pid} is gone")

    async def kill(self) -> None:
        self._watchdog.cancel()
        self._signal(signal.SIGKILL)
        self._signal(signal.SIGCONT)  # a stopped group must run to die promptly
        await self.wait_exit()
        with contextlib.suppress(OSError):
            os.close(self.log_fd)

    async def wait_exit(self) -> SandboxExit:
        code = await self.process.wait()
        if self._exit is None:
            self._exit = SandboxExit(
                exit_code=code if code >= 0 else None,
                oom_killed=self._oom_killed,
                signal=-code if code < 0 else None,
            )
        return self._exit

    def peak_memory_mb(self) -> int | None:
        hwm = _proc_status_kb(self.pid, "VmHWM")
        if hwm is not None:
            self._peak_kb = max(self._peak_kb, hwm)
        return math.ceil(self._peak_kb / 1024) if self._peak_kb else None

    def current_memory_mb(self) -> int | None:
        rss = _proc_status_kb(self.pid, "VmRSS")
        return math.ceil(rss / 1024) if rss is not None else None


class ProcessBackend:
    """Runs each environment's runtime as a local Python process."""

    name = "process"
    isolation = ISOLATION
    bind_host = "127.0.0.1"
    enforces_memory = True
    freeze_delay_s = 0.0  # SIGSTOP costs microseconds: freeze at once, as Lambda does

    def __init__(self, python: str = sys.executable, reason: str = "") -> None:
        self.python = python
        self.description = "Local processes" + (f" — {reason}" if reason else "")
        self._sandboxes: list[ProcessSandbox] = []
        # Named with our pid: a later run removes it if we die without cleaning up.
        self._tmp_root = scratch_dir("envs")
        self._preparing: set[str] = set()  # runtimes whose runtime folder is being filled

    def runtime_command(self, spec: SandboxSpec) -> list[str]:
        """The runtime to start: our Python or Node.js bootstrap, or the function's own.

        The owner argument (ignored by the bootstrap) lets a later run find orphans.
        SandboxError when this machine lacks the runtime (workbench/runtimes/ says why).
        """
        owner = f"{OWNER_ARGUMENT}{os.getpid()}"
        return process_command(spec.function, [owner], self.python)

    def prepare(self, function: FunctionConfig) -> None:
        """Start installing what Lambda's runtime provides (boto3, the AWS SDK v3) into the
        runtime folder, in the background, the first time a runtime needs it; a process
        itself starts in milliseconds. A failure is reported by start(), which tries again."""
        try:
            runtime = get_runtime(function.runtime)
        except ValueError:
            return
        if runtime.name in self._preparing:
            return
        self._preparing.add(runtime.name)

        def install() -> None:
            with contextlib.suppress(SandboxError):
                runtime.lang.prepare_process(runtime)

        threading.Thread(target=install, name=f"prepare {runtime.name}", daemon=True).start()

    def _tmp_dir(self, env_id: str) -> Path:
        """The environment's own /tmp (TMPDIR): it survives resets, as Lambda's does.

        A process cannot be given another /tmp: code that names "/tmp/x" literally still
        writes the host's, and nothing limits the size (docs/decisions/009-tmp-storage.md).
        """
        path = self._tmp_root / env_id
        path.mkdir(mode=0o700, exist_ok=True)
        return path

    async def release(self, env_id: str) -> None:
        """The environment was reaped: its /tmp goes with it."""
        await asyncio.to_thread(shutil.rmtree, self._tmp_root / env_id, True)

    async def start(self, spec: SandboxSpec) -> ProcessSandbox:
        config = spec.function
        try:
            layers = opt_dir(config.layers)
        except ConfigError as exc:
            raise SandboxError(str(exc)) from exc
        runtime = get_runtime(config.runtime)
        command = self.runtime_command(spec)  # first: a missing interpreter says so at once
        # What Lambda's runtime provides (boto3, the AWS SDK v3) from the runtime folder,
        # installed on first use: a thread, since that may take a while.
        await asyncio.to_thread(runtime.lang.prepare_process, runtime)
        tmp = self._tmp_dir(spec.env_id)
        variables = {
            **runtime.lang.process_environment(runtime),
            **spec.variables,
            "LAMBDA_TASK_ROOT": str(config.code_dir),
            "TMPDIR": str(tmp),
            "HOME": str(tmp),
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "PYTHONDONTWRITEBYTECODE": "1",  # /var/task is read-only on Lambda
        }
        if layers is not None:  # no /opt for a process: the bootstrap reads its layers here
            variables["LAMBDA_WORKBENCH_OPT"] = str(layers)
        read_fd, write_fd = os.pipe()
        headroom = runtime.lang.address_space_headroom_mb or ADDRESS_SPACE_HEADROOM_MB
        limit = (config.memory_mb + headroom) * 1024 * 1024
        try:
            process = await asyncio.create_subprocess_exec(
                *command,
                cwd=str(config.code_dir),
                env=variables,
                stdin=asyncio.subprocess.DEVNULL,
                stdout=write_fd,
                stderr=write_fd,
                start_new_session=True,
            )
            _limit_resources(process.pid, limit)
        except OSError as exc:
            os.close(read_fd)
            raise SandboxError(f"could not start the runtime process: {exc}") from exc
        finally:
            os.close(write_fd)
        sandbox = ProcessSandbox(process, read_fd, config.memory_mb)
        self._sandboxes = [s for s in self._sandboxes if s.process.returncode is None]
        self._sandboxes.append(sandbox)
        return sandbox

    async def close(self) -> None:
        sandboxes, self._sandboxes = self._sandboxes, []
        await asyncio.gather(*(s.kill() for s in sandboxes), return_exceptions=True)
        shutil.rmtree(self._tmp_root, ignore_errors=True)


def sweep_orphans() -> int:
    """Kill runtimes left by a run that died (frozen ones would wait forever); how many.

    The scratch folders of dead runs are removed too (backends/pids.py).
    """
    swept = 0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            arguments = (entry / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        owners = [a for a in arguments if a.startswith(OWNER_ARGUMENT.encode())]
        if not owners or not _is_runtime(arguments, owners[0]):
            continue
        owner = int(owners[0][len(OWNER_ARGUMENT) :] or 0)
        if owner and pid_alive(owner):
            continue
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(int(entry.name), signal.SIGKILL)
            swept += 1
    remove_leftover_folders()  # their /tmp folders, and any other scratch of dead runs
    return swept


def _is_runtime(arguments: list[bytes], owner: bytes) -> bool:
    """Our Python or Node.js bootstrap, or a custom runtime's ./bootstrap, given an owner."""
    if {str(BOOTSTRAP_PATH).encode(), str(NODE_BOOTSTRAP_PATH).encode()} & set(arguments):
        return True
    position = arguments.index(owner)
    return position > 0 and arguments[position - 1].endswith(b"/bootstrap")


def _limit_resources(pid: int, address_space_bytes: int) -> None:
    """Lambda's 1,024 file descriptors and a memory backstop, set on the started runtime.

    Set from outside (prlimit) rather than in the child before exec: a preexec_fn runs
    Python in a forked child of a threaded process and can deadlock there (it once hung a
    cold start). The runtime has only just exec'd its interpreter when the limits land.
    """
    prlimit = getattr(resource, "prlimit", None)  # Linux only; elsewhere no backstop
    if prlimit is None:
        return
    for kind, value in (
        (resource.RLIMIT_NOFILE, 1024),
        (resource.RLIMIT_AS, address_space_bytes),
    ):
        with contextlib.suppress(ValueError, OSError):  # ProcessLookupError: it died at once
            prlimit(pid, kind, (value, value))
