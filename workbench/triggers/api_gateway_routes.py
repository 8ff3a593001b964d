"""Route keys like API Gateway's ("GET /users/{id}", "ANY /{proxy+}", "$default") and matching.

Selection follows http-api-develop-routes: the most specific match wins — a full match of
path and method first, then a greedy path variable, then `$default` — with literal path
segments preferred to variables and a named method preferred to ANY. Path parameters are
URL-decoded, as API Gateway decodes request parameters before passing them on.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import unquote

METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS")
ANY = "ANY"
DEFAULT_ROUTE = "$default"
PAYLOAD_VERSIONS = ("2.0", "1.0")

_LITERAL, _VARIABLE, _GREEDY = 0, 1, 2
_VARIABLE_SEGMENT = re.compile(r"^\{([A-Za-z0-9._-]+)(\+?)\}$")


class RouteError(ValueError):
    """A route key API Gateway would refuse."""


@dataclass(frozen=True)
class Segment:
    kind: int  # _LITERAL, _VARIABLE or _GREEDY
    text: str  # the literal text, or the variable's name


@dataclass(frozen=True)
class Route:
    """One route: `key` is what the event's routeKey (or resource) shows."""

    key: str
    method: str  # a method, ANY, or ANY for $default
    path: str  # the resource path, "" for $default
    segments: tuple[Segment, ...]

    @property
    def is_default(self) -> bool:
        return self.key == DEFAULT_ROUTE

    def match(self, method: str, raw_path: str) -> dict[str, str] | None:
        """The path parameters if this route takes the request, else None."""
        if self.is_default:
            return {}
        if self.method not in (ANY, method):
            return None
        parts = _split(raw_path)
        params: dict[str, str] = {}
        for index, segment in enumerate(self.segments):
            if segment.kind == _GREEDY:
                rest = parts[index:]
                if not rest or not "/".join(rest):
                    return None
                params[segment.text] = unquote("/".join(rest))
                return params
            if index >= len(parts):
                return None
            value = unquote(parts[index])
            if segment.kind == _LITERAL:
                if value != segment.text:
                    return None
            elif value:
                params[segment.text] = value
            else:
                return None
        return params if len(parts) == len(self.segments) else None

    def rank(self) -> tuple[bool, tuple[int, ...], bool]:
        """Sort key: the most specific route sorts first."""
        return (self.is_default, tuple(s.kind for s in self.segments), self.method == ANY)


def _split(raw_path: str) -> list[str]:
    parts = raw_path.lstrip("/").split("/")
    if parts and parts[-1] == "":
        parts.pop()  # "/" and a trailing slash add no segment
    return parts


def default_routes(payload_version: str) -> list[str]:
    """What a fresh API routes to the function: `$default` (HTTP API) or ANY /{proxy+} (REST)."""
    return [DEFAULT_ROUTE] if payload_version == "2.0" else ["ANY /{proxy+}"]


def parse_route(text: str, payload_version: str) -> Route:
    """A route key such as "GET /hello"; raises RouteError with a learner-readable reason."""
    key = " ".join(text.split())
    if key == DEFAULT_ROUTE:
        if payload_version != "2.0":
            raise RouteError(
                "$default is a route of HTTP APIs (payload 2.0); a REST API (payload 1.0) "
                "catches everything with 'ANY /{proxy+}'"
            )
        return Route(DEFAULT_ROUTE, ANY, "", ())
    method, _, path = key.partition(" ")
    method = method.upper()
    if method not in (*METHODS, ANY) or not path:
        raise RouteError(
            f"route {text!r} must be 'METHOD /path' with METHOD one of "
            f"{', '.join((*METHODS, ANY))}, or '$default'"
        )
    if not path.startswith("/") or " " in path or "?" in path:
        raise RouteError(f"route {text!r}: the path must start with '/' (no query string)")
    parts = _split(path)
    segments: list[Segment] = []
    for index, part in enumerate(parts):
        variable = _VARIABLE_SEGMENT.match(part)
        if variable:
            greedy = bool(variable.group(2))
            if greedy and index != len(parts) - 1:
                raise RouteError(
                    f"route {text!r}: a greedy path variable ({part}) must end the path"
                )
            segments.append(Segment(_GREEDY if greedy else _VARIABLE, variable.group(1)))
        elif not part or "{" in part or "}" in part:
            raise RouteError(
                f"route {text!r}: path segments are text or a whole {{variable}} / {{proxy+}}"
            )
        else:
            segments.append(Segment(_LITERAL, part))
    names = [s.text for s in segments if s.kind != _LITERAL]
    if len(names) != len(set(names)):
        raise RouteError(f"route {text!r} names a path variable twice")
    resource = "/" + "/".join(parts)
    return Route(f"{method} {resource}", method, resource, tuple(segments))


def parse_routes(texts: list[str] | None, payload_version: str) -> list[Route]:
    """Validated routes (the version's default when none are given); no duplicates."""
    if payload_version not in PAYLOAD_VERSIONS:
        raise RouteError(f"payload version {payload_version!r} is not one of 2.0, 1.0")
    routes = [
        parse_route(text, payload_version) for text in texts or default_routes(payload_version)
    ]
    keys = [route.key for route in routes]
    duplicates = sorted({key for key in keys if keys.count(key) > 1})
    if duplicates:
        raise RouteError(f"route {duplicates[0]!r} is given twice")
    return routes


def find_route(
    routes: list[Route], method: str, raw_path: str
) -> tuple[Route, dict[str, str]] | None:
    """The most specific route for a request and its path parameters, or None."""
    best: tuple[Route, dict[str, str]] | None = None
    for route in routes:
        params = route.match(method, raw_path)
        if params is not None and (best is None or route.rank() < best[0].rank()):
            best = (route, params)
    return best


def example_path(route: Route) -> str:
    """A path this route takes, for the "try: curl ..." hint."""
    if route.is_default or not route.segments:
        return "/hello" if route.is_default else "/"
    names = {_LITERAL: None, _VARIABLE: "1", _GREEDY: "hello"}
    return "/" + "/".join(names[s.kind] or s.text for s in route.segments)
