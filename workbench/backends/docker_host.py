"""Facts about the Docker host that the backend needs: bridge and container addresses, cgroup
files, and whether the engine translates the addresses containers connect from."""

from __future__ import annotations

import fcntl
import ipaddress
import socket
import struct
from pathlib import Path
from typing import Any

import docker
import docker.errors

from workbench.core.sandbox import SandboxError


def read_int(path: Path) -> int | None:
    try:
        return int(path.read_text().strip())
    except (OSError, ValueError):
        return None


def cgroup_memory_files(container_id: str) -> tuple[Path, Path] | None:
    """(peak, current) files of the container's memory cgroup on the host, v1 or v2."""
    root = Path("/sys/fs/cgroup")
    candidates = [
        (
            root / "memory/docker" / container_id,
            "memory.max_usage_in_bytes",
            "memory.usage_in_bytes",
        ),
        (
            root / "memory/system.slice" / f"docker-{container_id}.scope",
            "memory.max_usage_in_bytes",
            "memory.usage_in_bytes",
        ),
        (root / "system.slice" / f"docker-{container_id}.scope", "memory.peak", "memory.current"),
        (root / "docker" / container_id, "memory.peak", "memory.current"),
    ]
    for folder, peak, current in candidates:
        if (folder / peak).exists():
            return folder / peak, folder / current
    return None


ISOLATION = "Docker: each environment's Runtime API answers only its own container"
ISOLATION_TRANSLATED = (
    "Docker Desktop hides container addresses: environments' Runtime APIs are kept apart "
    "only by their private ports"
)


def running_address(container: Any) -> str | None:
    """Blocking: a running container's bridge address ("" if it has none), or None when it
    is not running (killed, or gone with an engine restart, while it waited)."""
    container.reload()
    attrs = container.attrs
    if not attrs.get("State", {}).get("Running"):
        return None
    return container_address(attrs) or ""


def container_address(attrs: dict[str, object]) -> str | None:
    """The container's IPv4 address on the default bridge, from `docker inspect` attributes."""
    settings = attrs.get("NetworkSettings")
    if not isinstance(settings, dict):
        return None
    networks = settings.get("Networks") or {}
    bridge = networks.get("bridge") if isinstance(networks, dict) else None
    address = (bridge or {}).get("IPAddress") or settings.get("IPAddress")
    return str(address) if address else None


def translates_addresses(client: docker.DockerClient) -> bool:
    """True on Docker Desktop (macOS, Windows): containers run in a VM and reach the host
    through a proxy, so the host sees their connections come from a translated address."""
    try:
        system = str(client.info().get("OperatingSystem", ""))
    except docker.errors.DockerException:
        return False
    return "Docker Desktop" in system


def bridge_gateway(client: docker.DockerClient) -> str:
    """The host's address on Docker's default bridge: only containers reach it."""
    try:
        attrs = client.networks.get("bridge").attrs
    except docker.errors.DockerException as exc:
        raise SandboxError(f"could not inspect Docker's bridge network: {exc}") from exc
    configs = attrs.get("IPAM", {}).get("Config") or []
    for config in configs:
        if config.get("Gateway"):
            return str(config["Gateway"])
    interface = attrs.get("Options", {}).get("com.docker.network.bridge.name", "docker0")
    address = interface_address(interface)
    if address:
        return address
    for config in configs:
        if config.get("Subnet"):
            # Docker gives the bridge the subnet's first host address.
            return str(next(ipaddress.ip_network(config["Subnet"]).hosts()))
    raise SandboxError("could not find the address of Docker's bridge network")


def interface_address(name: str) -> str | None:
    """The IPv4 address of a network interface (SIOCGIFADDR), or None."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        try:
            packed = fcntl.ioctl(sock.fileno(), 0x8915, struct.pack("256s", name.encode()[:15]))
        except OSError:
            return None
    return socket.inet_ntoa(packed[20:24])
