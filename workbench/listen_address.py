"""Where the local endpoints listen: loopback only, never 0.0.0.0.

Kept free of aiohttp and the engine so that a command can check its --host and print its
help before it imports either.
"""

from __future__ import annotations

import ipaddress

DEFAULT_HOST = "127.0.0.1"
INVOKE_API_PORT = 3001  # the Invoke API's default port (`serve`); SAM's start-lambda uses 3001
API_GATEWAY_PORT = 3000  # the local API Gateway's default port (`api`); `sam local start-api`'s


def check_loopback(host: str, service: str = "the Invoke API") -> None:
    """Raise ValueError unless host is a loopback address (or 'localhost')."""
    if host == "localhost":
        return
    try:
        loopback = ipaddress.ip_address(host).is_loopback
    except ValueError:
        loopback = False
    if not loopback:
        raise ValueError(
            f"refusing to listen on {host!r}: {service} has no authentication, so it "
            "only listens on loopback (e.g. 127.0.0.1)"
        )
