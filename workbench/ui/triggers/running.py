"""The triggers the app runs for the open function: start, describe, stop (plain asyncio).

Here the base class and the API and bucket triggers; schedules and queues are in
running_pollers.

Each one wraps a trigger from workbench.triggers exactly as its CLI command uses it, and
turns its callbacks into log lines `(tag, text, request_id)` for the app's log view.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlencode

import aiohttp
from aiohttp import web

from workbench.core.model import FunctionConfig
from workbench.core.service import LambdaService
from workbench.invoke_api import bound_port
from workbench.triggers.api_gateway import (
    DEFAULT_HOST,
    ApiRequestLog,
    gateway_of,
    start_api_gateway,
)
from workbench.triggers.api_gateway_routes import example_path
from workbench.triggers.bucket import ENDPOINT_VARIABLE, Firing, LocalBucket
from workbench.triggers.s3_access import service_identities
from workbench.triggers.s3_api import S3Endpoint
from workbench.ui.triggers.specs import ApiSpec, BucketSpec

Log = Callable[[str, str, str | None], None]  # (tag, text, request id)
STOP_GRACE_S = 2.0  # a queue batch still running when stopped gets this long to finish
_numbers = itertools.count(1)


class Trigger:
    """One running trigger: a title, live details, a status, and a clean stop."""

    kind = ""
    tag = ""  # the log prefix, e.g. [api]

    def __init__(self, function: str, log: Log) -> None:
        self.number = next(_numbers)
        self.function = function
        self.status = "starting"
        self._log = log

    def log(self, text: str, request_id: str | None = None) -> None:
        self._log(self.tag, text, request_id)

    @property
    def title(self) -> str:
        return self.kind

    def details(self) -> list[str]:
        """Lines that describe the trigger now (refreshed while it runs)."""
        return []

    async def start(self, service: LambdaService, config: FunctionConfig) -> None:
        raise NotImplementedError

    async def _stop(self) -> None:
        raise NotImplementedError

    async def stop(self) -> None:
        """Stop taking and sending events; safe to call twice."""
        if self.status == "stopped":
            return
        self.status = "stopping"
        try:
            await self._stop()
        finally:
            self.status = "stopped"


class ApiTrigger(Trigger):
    """A local API Gateway (HTTP API or REST API) on 127.0.0.1."""

    kind, tag = "api", "api"

    def __init__(self, function: str, log: Log, spec: ApiSpec) -> None:
        super().__init__(function, log)
        self.spec = spec
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


class BucketTrigger(Trigger):
    """A folder as an S3 bucket, with the S3 endpoint handlers reach it through."""

    kind, tag = "bucket", "s3"

    def __init__(
        self, function: str, log: Log, spec: BucketSpec, changed: Callable[[], None]
    ) -> None:
        super().__init__(function, log)
        self.spec = spec
        self.bucket: LocalBucket | None = None
        self.endpoint: S3Endpoint | None = None
        self.firings = 0
        self._changed = changed
        self.warnings: list[str] = []

    @property
    def title(self) -> str:
        name = self.bucket.name if self.bucket else self.spec.folder.name
        return f"S3 bucket · s3://{name}"

    @property
    def root(self) -> Path:
        return self.bucket.root if self.bucket else self.spec.folder.resolve()

    @property
    def environment(self) -> dict[str, str]:
        """What the function's environments need to reach this bucket."""
        return {ENDPOINT_VARIABLE: self.bucket.endpoint_url} if self.bucket else {}

    async def start(self, service: LambdaService, config: FunctionConfig) -> None:
        self.spec.folder.mkdir(parents=True, exist_ok=True)
        self.endpoint = S3Endpoint(service_identities(service))
        self.bucket = LocalBucket(
            service,
            self.spec.folder,
            config,
            trigger=self.spec.trigger(),
            on_firing=self._fired,
            on_warning=self._warned,
            endpoint=self.endpoint,
        )
        try:
            for name, folder in self.spec.others:
                folder.mkdir(parents=True, exist_ok=True)
                self.endpoint.add_bucket(name, folder)
            await self.endpoint.start(service.backend.bind_host)
            await self.bucket.start()
        except BaseException:
            await self._stop()
            raise
        self.status = "running"
        self.log(f"s3://{self.bucket.name} is {self.bucket.root}; {self.trigger_text()}")
        for name, folder in self.spec.others:
            self.log(f"s3://{name} is {folder.resolve()} (no trigger)")

    def trigger_text(self) -> str:
        return self.spec.trigger().describe()

    def details(self) -> list[str]:
        endpoint = self.bucket.endpoint_url if self.bucket else ""
        lines = [str(self.root), f"{self.trigger_text()} · {self.firings} firing(s)"]
        if self.spec.others:
            lines.append("also s3://" + ", s3://".join(name for name, _ in self.spec.others))
        lines.append(f"handlers get {ENDPOINT_VARIABLE}={endpoint}")
        if self.warnings:
            lines.append(f"⚠ {self.warnings[-1][:110]}…")
        return lines

    def _fired(self, firing: Firing) -> None:
        name = firing.record["eventName"]
        if firing.stopped:
            self.log(f"{name} {firing.key} → not delivered (recursive loop, depth {firing.depth})")
        else:
            self.firings += 1
            self.log(f"{name} {firing.key} → invoked asynchronously", firing.request_id)
        self._changed()

    def _warned(self, text: str) -> None:
        self.warnings.append(text)
        self.log(f"⚠ {text}")
        self._changed()

    async def _stop(self) -> None:
        if self.bucket is not None:
            await self.bucket.close()
        if self.endpoint is not None:
            await self.endpoint.close()
