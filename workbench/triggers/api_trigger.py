"""The API Gateway trigger: HTTP requests invoke the function synchronously.

Its spec and checks (the Add trigger form's), its runner (a local HTTP API or REST API on
127.0.0.1, as `lambda-workbench api` serves) and its SAM events; declared in
workbench.triggers.kinds.api.
"""

from __future__ import annotations

import errno
import socket
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import urlencode

import aiohttp
from aiohttp import web

from workbench.invoke_api import bound_port
from workbench.listen_address import API_GATEWAY_PORT, DEFAULT_HOST
from workbench.triggers.api_gateway import ApiRequestLog, gateway_of, start_api_gateway
from workbench.triggers.api_gateway_routes import (
    Route,
    example_path,
    parse_routes,
)
from workbench.triggers.running import (
    Changed,
    Log,
    SamEvent,
    SpecDefaults,
    Trigger,
)

if TYPE_CHECKING:
    from workbench.core.model import FunctionConfig
    from workbench.core.service import LambdaService


@dataclass(frozen=True)
class ApiSpec:
    """An API Gateway in front of the function."""

    routes: tuple[str, ...] = ()  # empty: the payload version's catch-all route
    payload_version: str = "2.0"
    port: int = 0  # 0: any free port

    kind = "api"


# ----- checks ----------------------------------------------------------------------------
def split_routes(text: str) -> list[str]:
    """Routes typed one per line or separated by commas; blank entries dropped."""
    parts = [part.strip() for line in text.splitlines() for part in line.split(",")]
    return [part for part in parts if part]


def check_routes(text: str, payload_version: str) -> list[Route]:
    """The parsed routes (the version's default when none); RouteError says what is wrong."""
    return parse_routes(split_routes(text), payload_version)


def port_problem(port: int, host: str = DEFAULT_HOST) -> str | None:
    """Why the API cannot listen on port (in use, or not allowed), or None when it can."""
    if port == 0:
        return None
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        try:
            probe.bind((host, port))
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                return f"port {port} is in use: choose another (1024-65535), or 0 for any free port"
            return f"cannot listen on port {port}: {exc.strerror or exc}"
    return None


def free_port(preferred: int = API_GATEWAY_PORT) -> int:
    """The preferred port when free (3000, as `sam local start-api`), else any free one."""
    if port_problem(preferred) is None:
        return preferred
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((DEFAULT_HOST, 0))
        return int(probe.getsockname()[1])


# ----- the runner ------------------------------------------------------------------------
class ApiTrigger(Trigger):
    """A local API Gateway (HTTP API or REST API) on 127.0.0.1."""

    kind, tag = "api", "api"
    spec: ApiSpec

    def __init__(
        self, function: str, log: Log, spec: ApiSpec, changed: Changed | None = None
    ) -> None:
        super().__init__(function, log, spec, changed)
        self.url = ""
        self.example = ""
        self.method = "GET"
        self.requests = 0
        self._runner: web.AppRunner | None = None

    @property
    def title(self) -> str:
        kind = "HTTP API" if self.spec.payload_version == "2.0" else "REST API"
        return f"API Gateway · {kind}, payload {self.spec.payload_version}"

    async def start(self, service: LambdaService, config: FunctionConfig) -> None:
        self._runner = await start_api_gateway(
            service,
            config.name,
            list(self.spec.routes),
            self.spec.payload_version,
            host=DEFAULT_HOST,
            port=self.spec.port,
            on_request=self._request,
        )
        self.url = f"http://{DEFAULT_HOST}:{bound_port(self._runner)}"
        route = gateway_of(self._runner.app).routes[0]
        self.method = "GET" if route.method == "ANY" else route.method
        self.example = self.url + example_path(route) + "?" + urlencode({"name": "Alice"})
        self.status = "running"
        self.log(f"listening on {self.url} — try {self.method} {self.example}")

    def details(self) -> list[str]:
        routes = ", ".join(self.spec.routes) or "$default (every path)"
        if self.spec.payload_version == "1.0" and not self.spec.routes:
            routes = "ANY /{proxy+} (every path)"
        return [self.example or self.url, f"routes: {routes} · {self.requests} request(s)"]

    def _request(self, entry: ApiRequestLog) -> None:
        self.requests += 1
        self.log(entry.line(), entry.lambda_request_id)

    async def send_test_request(self) -> str:
        """Send the example request as a client would; the status line, or why it failed."""
        try:
            async with (
                aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=35)) as session,
                session.request(self.method, self.example) as response,
            ):
                body = await response.text()
        except (aiohttp.ClientError, TimeoutError) as exc:
            return f"✗ request failed: {exc!r}"
        return f"HTTP {response.status} · {body[:160]}"

    async def _stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()  # stops listening, then cancels late invocations
            self._runner = None


def default_spec(defaults: SpecDefaults) -> ApiSpec:
    """The version's catch-all route on any free port."""
    return ApiSpec()


# ----- SAM -------------------------------------------------------------------------------
def sam_events(spec: ApiSpec, prefix: str) -> SamEvent:
    """One HttpApi (payload 2.0) or Api (REST, 1.0) event per route."""
    rest = spec.payload_version == "1.0"
    events = {}
    for index, route in enumerate(parse_routes(list(spec.routes), spec.payload_version)):
        name = f"{prefix}Api" + (str(index + 1) if index else "")
        if route.is_default:  # HttpApi with no Path and Method: the $default route
            events[name] = {"Type": "HttpApi", "Properties": {}}
            continue
        method = "any" if rest and route.method == "ANY" else route.method
        properties = {"Path": route.path, "Method": method.lower() if rest else method}
        events[name] = {"Type": "Api" if rest else "HttpApi", "Properties": properties}
    return SamEvent(events, {})
