"""Function configuration: validated, immutable values, with AWS's ranges and defaults."""

from __future__ import annotations

import json
import re
import tomllib
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Literal

CONFIG_FILE_NAME = "function.toml"
DEFAULT_HANDLER = "lambda_function.lambda_handler"
DEFAULT_RUNTIME = "python3.11"
# The runtimes the workbench can run, by AWS's identifiers (lambda-runtimes.html). What each one
# is, its sample and how each backend starts it: workbench/runtimes.py.
RUNTIMES = (
    "python3.11",
    "python3.10",
    "python3.12",
    "python3.13",
    "nodejs20.x",
    "nodejs18.x",
    "nodejs22.x",
    "provided.al2023",
    "provided.al2",
)
ARCHITECTURES = ("x86_64", "arm64")
MEMORY_RANGE_MB = (128, 10_240)
TIMEOUT_RANGE_S = (1, 900)
EPHEMERAL_RANGE_MB = (512, 10_240)
ENV_TOTAL_LIMIT_BYTES = 4 * 1024
MAX_CONCURRENCY = 1_000  # AWS's default account quota of concurrent executions
MAX_LAYERS = 5  # layers per function (gettingstarted-limits.html)
ACCOUNT_ID = "123456789012"
REGION = "us-east-1"

# Reserved by Lambda: a function may not set these (configuration-envvars.html).
RESERVED_ENV_NAMES = frozenset(
    {
        "_HANDLER",
        "_X_AMZN_TRACE_ID",
        "AWS_DEFAULT_REGION",
        "AWS_REGION",
        "AWS_EXECUTION_ENV",
        "AWS_LAMBDA_FUNCTION_NAME",
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE",
        "AWS_LAMBDA_FUNCTION_VERSION",
        "AWS_LAMBDA_INITIALIZATION_TYPE",
        "AWS_LAMBDA_LOG_GROUP_NAME",
        "AWS_LAMBDA_LOG_STREAM_NAME",
        "AWS_ACCESS_KEY",
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
        "AWS_SESSION_TOKEN",
        "AWS_LAMBDA_RUNTIME_API",
        "LAMBDA_TASK_ROOT",
        "LAMBDA_RUNTIME_DIR",
    }
)

_NAME_RE = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
_ENV_KEY_RE = re.compile(r"^[A-Za-z][A-Za-z0-9_]+$")
_HANDLER_RE = re.compile(r"^[^\s]+$")
# A layer version: NAME:N or its ARN, arn:aws:lambda:REGION:ACCOUNT:layer:NAME:N.
_LAYER_RE = re.compile(
    r"^(arn:aws:lambda:[a-z0-9-]+:[0-9]{12}:layer:)?[A-Za-z0-9_-]{1,140}:[1-9][0-9]*$"
)


class ConfigError(ValueError):
    """A function setting is out of range or malformed; the message names the valid range."""

    def __init__(self, setting: str, message: str) -> None:
        super().__init__(f"{setting}: {message}")
        self.setting = setting


_TARGET_ARN = re.compile(
    r"^arn:aws:(lambda|sqs|sns):[^:]*:[^:]*:(?:function:)?([A-Za-z0-9_.-]+)(?::.*)?$"
)
_TARGET_SHORT = re.compile(r"^(function|queue|topic):([A-Za-z0-9_.-]+)$")
_KINDS = {"lambda": "function", "sqs": "queue", "sns": "topic"}


@dataclass(frozen=True)
class Target:
    """Where a record goes: another function, or a sink registered under a name."""

    kind: Literal["function", "queue", "topic"]
    name: str

    @property
    def arn(self) -> str:
        if self.kind == "function":
            return f"arn:aws:lambda:{REGION}:{ACCOUNT_ID}:function:{self.name}"
        return (
            f"arn:aws:{'sqs' if self.kind == 'queue' else 'sns'}:{REGION}:{ACCOUNT_ID}:{self.name}"
        )


def parse_target(text: str, setting: str = "destination") -> Target:
    """'function:NAME', 'queue:NAME', 'topic:NAME' or an AWS ARN of one of those."""
    short = _TARGET_SHORT.match(text)
    if short:
        return Target(short.group(1), short.group(2))  # type: ignore[arg-type]
    arn = _TARGET_ARN.match(text)
    if arn:
        return Target(_KINDS[arn.group(1)], arn.group(2))  # type: ignore[arg-type]
    raise ConfigError(
        setting,
        f"{text!r} is not a destination: use function:NAME, queue:NAME, topic:NAME or an ARN",
    )


@dataclass(frozen=True)
class FunctionConfig:
    """Everything Lambda needs to run one function, validated on construction."""

    name: str
    code_dir: Path
    handler: str = DEFAULT_HANDLER
    runtime: str = DEFAULT_RUNTIME
    memory_mb: int = 128
    timeout_s: int = 3
    ephemeral_storage_mb: int = 512
    environment: dict[str, str] = field(default_factory=dict)
    architecture: str = "x86_64"
    image: str | None = None
    reserved_concurrency: int | None = None  # a cap and a guarantee; 0 disables the function
    provisioned_concurrency: int = 0  # environments initialised ahead of traffic
    # Asynchronous invocation (invocation-async.html): retries, event age, destinations.
    max_retry_attempts: int = 2
    max_event_age_s: int = 21_600
    on_success: str | None = None
    on_failure: str | None = None
    dead_letter: str | None = None
    layers: tuple[str, ...] = ()  # layer versions merged in order into /opt

    def __post_init__(self) -> None:
        validate(self)

    @property
    def arn(self) -> str:
        return f"arn:aws:lambda:{REGION}:{ACCOUNT_ID}:function:{self.name}"

    @property
    def log_group(self) -> str:
        return f"/aws/lambda/{self.name}"

    @property
    def vcpu_share(self) -> float:
        """The vCPU share the memory buys: one full vCPU at 1,769 MB (configuration-memory.html)."""
        return self.memory_mb / 1769

    def with_changes(self, **changes: Any) -> FunctionConfig:
        """A copy with some settings changed, validated again."""
        return replace(self, **changes)


def _check_range(setting: str, value: Any, bounds: tuple[int, int], unit: str) -> None:
    low, high = bounds
    if isinstance(value, bool) or not isinstance(value, int):
        raise ConfigError(setting, f"must be a whole number of {unit} from {low} to {high}")
    if not low <= value <= high:
        raise ConfigError(
            setting, f"{value} {unit} is out of range: use {low:,} to {high:,} {unit}"
        )


def validate(config: FunctionConfig) -> None:
    """Raise ConfigError for the first invalid setting."""
    for setting, text in (("name", config.name), ("handler", config.handler)):
        if not isinstance(text, str):
            raise ConfigError(setting, f"expected a string, got {text!r}")
    if not isinstance(config.environment, dict):
        raise ConfigError("environment", f"expected NAME=value pairs, got {config.environment!r}")
    if not _NAME_RE.fullmatch(config.name):
        raise ConfigError(
            "name", f"{config.name!r} is invalid: use 1 to 64 letters, digits, '-' or '_'"
        )
    if not _HANDLER_RE.fullmatch(config.handler or ""):
        raise ConfigError("handler", "must look like module.function, e.g. " + DEFAULT_HANDLER)
    if config.runtime not in RUNTIMES:
        raise ConfigError(
            "runtime",
            f"{config.runtime!r} is not a known runtime: use one of {', '.join(RUNTIMES)}",
        )
    _check_range("memory", config.memory_mb, MEMORY_RANGE_MB, "MB")
    _check_range("timeout", config.timeout_s, TIMEOUT_RANGE_S, "seconds")
    _check_range("ephemeral storage", config.ephemeral_storage_mb, EPHEMERAL_RANGE_MB, "MB")
    if config.architecture not in ARCHITECTURES:
        raise ConfigError(
            "architecture", f"{config.architecture!r} is not one of {', '.join(ARCHITECTURES)}"
        )
    validate_environment(config.environment)
    validate_layers(config.layers)
    validate_concurrency(config.reserved_concurrency, config.provisioned_concurrency)
    _check_range("maximum retry attempts", config.max_retry_attempts, (0, 2), "retries")
    _check_range("maximum event age", config.max_event_age_s, (60, 21_600), "seconds")
    for setting, target in (
        ("on-success destination", config.on_success),
        ("on-failure destination", config.on_failure),
        ("dead-letter queue", config.dead_letter),
    ):
        if target is not None:
            parse_target(target, setting)


def validate_layers(layers: tuple[str, ...]) -> None:
    """At most 5 layer versions, each written NAME:N or as a layer version ARN."""
    if not isinstance(layers, tuple):
        raise ConfigError("layers", "must be a list of layer versions such as shared:1")
    if len(layers) > MAX_LAYERS:
        raise ConfigError(
            "layers", f"{len(layers)} layers; Lambda allows at most {MAX_LAYERS} per function"
        )
    for layer in layers:
        if not isinstance(layer, str) or not _LAYER_RE.fullmatch(layer):
            raise ConfigError(
                "layers",
                f"{layer!r} is not a layer version: write NAME:VERSION (e.g. shared:1) or "
                f"arn:aws:lambda:{REGION}:{ACCOUNT_ID}:layer:NAME:VERSION",
            )


def layer_version_arn(name: str, version: int) -> str:
    """The ARN of a layer version, as Lambda names it."""
    return f"arn:aws:lambda:{REGION}:{ACCOUNT_ID}:layer:{name}:{version}"


def validate_concurrency(reserved: int | None, provisioned: int) -> None:
    """Reserved: 0 or more (0 disables). Provisioned: 0 or more, within the reserved cap."""
    if reserved is not None:
        _check_range("reserved concurrency", reserved, (0, MAX_CONCURRENCY), "environments")
    _check_range("provisioned concurrency", provisioned, (0, MAX_CONCURRENCY), "environments")
    if reserved is not None and provisioned > reserved:
        raise ConfigError(
            "provisioned concurrency",
            f"{provisioned} is more than the reserved concurrency ({reserved}): "
            "provisioned environments count against the reservation",
        )


def validate_environment(env: dict[str, str]) -> None:
    """Apply Lambda's rules for environment variables: names, reserved keys, 4 KB in total."""
    total = 0
    for key, value in env.items():
        if not _ENV_KEY_RE.fullmatch(key):
            raise ConfigError(
                "environment",
                f"{key!r} is not a valid name: start with a letter, use letters, digits and _,"
                " at least 2 characters",
            )
        if key in RESERVED_ENV_NAMES:
            raise ConfigError("environment", f"{key} is reserved by Lambda and cannot be set")
        if not isinstance(value, str):
            raise ConfigError("environment", f"the value of {key} must be a string")
        total += len(key.encode()) + len(value.encode())
    if total > ENV_TOTAL_LIMIT_BYTES:
        raise ConfigError(
            "environment",
            f"variables take {total:,} bytes; Lambda allows 4 KB ({ENV_TOTAL_LIMIT_BYTES:,} bytes)"
            " in total",
        )


def parse_env_assignments(items: list[str]) -> dict[str, str]:
    """Turn ["KEY=VALUE", ...] from a command line into a dict, refusing malformed items."""
    env: dict[str, str] = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep:
            raise ConfigError("environment", f"{item!r} must be written KEY=VALUE")
        env[key] = value
    return env


def load_function(code_dir: Path, **overrides: Any) -> FunctionConfig:
    """Read a function folder and its optional function.toml; explicit overrides win.

    Overrides whose value is None are ignored, so a CLI can pass its options straight through.
    """
    code_dir = Path(code_dir).resolve()
    if not code_dir.is_dir():
        raise ConfigError("code", f"{code_dir} is not a folder")
    settings: dict[str, Any] = {"name": _default_name(code_dir.name)}
    config_file = code_dir / CONFIG_FILE_NAME
    if config_file.is_file():
        settings.update(_read_config_file(config_file))
    env = dict(settings.pop("environment", {}))
    env.update(overrides.pop("environment", None) or {})
    settings.update({k: v for k, v in overrides.items() if v is not None})
    return FunctionConfig(code_dir=code_dir, environment=env, **settings)


CONFIG_FILE_KEYS = {  # function.toml key → FunctionConfig field
    "name": "name",
    "handler": "handler",
    "runtime": "runtime",
    "memory": "memory_mb",
    "timeout": "timeout_s",
    "ephemeral_storage": "ephemeral_storage_mb",
    "architecture": "architecture",
    "image": "image",
    "environment": "environment",
    "reserved_concurrency": "reserved_concurrency",
    "provisioned_concurrency": "provisioned_concurrency",
    "max_retry_attempts": "max_retry_attempts",
    "max_event_age": "max_event_age_s",
    "on_success": "on_success",
    "on_failure": "on_failure",
    "dead_letter": "dead_letter",
    "layers": "layers",
}


# What each function.toml key holds; every other key is text.
_WHOLE_NUMBER_KEYS = {
    "memory": "MB",
    "timeout": "seconds",
    "ephemeral_storage": "MB",
    "reserved_concurrency": "environments",
    "provisioned_concurrency": "environments",
    "max_retry_attempts": "retries",
    "max_event_age": "seconds",
}
_TOML_KINDS: tuple[tuple[type, str], ...] = (
    (bool, "a boolean"), (int, "an integer"), (float, "a float"), (str, "a string"),
    (list, "an array"), (dict, "a table"),
)  # fmt: skip


def _toml_kind(value: Any) -> str:
    """What a TOML value is, in TOML's words."""
    return next((name for kind, name in _TOML_KINDS if isinstance(value, kind)), "a date/time")


def _expected(key: str, what: str, value: Any, hint: str = "") -> ConfigError:
    """`key: expected what, got 5 (an integer)`, the value written as in TOML."""
    if isinstance(value, dict | list):
        got = _toml_kind(value)
    else:
        shown = json.dumps(value) if isinstance(value, bool | str) else str(value)
        got = f"{shown} ({_toml_kind(value)})"
    return ConfigError(key, f"expected {what}, got {got}{hint}")


def check_file_types(section: dict[str, Any]) -> None:
    """ConfigError `key: expected …` for the first function.toml value of the wrong type."""
    for key, value in section.items():
        if key in _WHOLE_NUMBER_KEYS:
            if isinstance(value, bool) or not isinstance(value, int):
                raise _expected(key, f"a whole number of {_WHOLE_NUMBER_KEYS[key]}", value)
        elif key == "environment":
            if not isinstance(value, dict):
                raise _expected(key, 'a table of NAME = "value" ([environment] section)', value)
            for name, text in value.items():
                if not isinstance(text, str):
                    hint = f'; quote it: {name} = "{text}"' if isinstance(text, int | float) else ""
                    raise _expected(f"environment.{name}", "a string", text, hint)
        elif key == "layers":
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                raise _expected(key, 'an array of strings such as ["shared:1"]', value)
        elif key in CONFIG_FILE_KEYS and not isinstance(value, str):
            example = DEFAULT_HANDLER if key == "handler" else "…"
            raise _expected(key, f'a string such as {key} = "{example}"', value)


def _read_config_file(path: Path) -> dict[str, Any]:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(CONFIG_FILE_NAME, f"{path} is not valid TOML: {exc}") from exc
    except OSError as exc:
        raise ConfigError(CONFIG_FILE_NAME, f"cannot read {path}: {exc.strerror}") from exc
    section = data.get("function", data)
    if not isinstance(section, dict):
        raise ConfigError(str(path), _expected("function", "a [function] table", section).args[0])
    unknown = sorted(set(section) - set(CONFIG_FILE_KEYS))
    if unknown:
        raise ConfigError(
            CONFIG_FILE_NAME,
            f"unknown setting(s) {', '.join(unknown)}; "
            f"known: {', '.join(sorted(CONFIG_FILE_KEYS))}",
        )
    try:
        check_file_types(section)
    except ConfigError as exc:
        raise ConfigError(str(path), str(exc)) from None  # "path: key: expected …"
    settings = {CONFIG_FILE_KEYS[key]: value for key, value in section.items()}
    if isinstance(settings.get("layers"), list):
        settings["layers"] = tuple(settings["layers"])  # TOML arrays arrive as lists
    return settings


def _default_name(folder: str) -> str:
    cleaned = re.sub(r"[^A-Za-z0-9_-]", "-", folder)[:64]
    return cleaned or "function"
