"""The Lambda API's read and configuration operations, as botocore and the AWS CLI call them.

GetFunction, GetFunctionConfiguration, ListFunctions, ListVersionsByFunction, PublishVersion,
ListAliases, GetAlias, CreateAlias/UpdateAlias, GetAccountSettings and the provisioned
concurrency operations (Put/Get/Delete/ListProvisionedConcurrencyConfig(s)). Paths and
response members follow botocore's service model for lambda 2015-03-31; errors go through
the Invoke API's middleware (X-Amzn-ErrorType + message).
"""

from __future__ import annotations

import base64
import hashlib
import os
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from aiohttp import web

from workbench.core import errors
from workbench.core.errors import InvokeError
from workbench.core.model import ACCOUNT_ID, ConfigError, FunctionConfig
from workbench.core.service import LambdaService
from workbench.core.versions import LATEST, ProvisionedConfig
from workbench.lambda_api_common import SERVICE_KEY, invalid_parameter, json_body, resolve_function

FUNCTIONS = "/2015-03-31/functions"
PROVISIONED = "/2019-09-30/functions/{FunctionName}/provisioned-concurrency"
# Quotas GetAccountSettings reports (gettingstarted-limits.html, LAMBDA_FACTS A6).
CODE_STORAGE_BYTES = 75 * 1024**3
UNZIPPED_LIMIT_BYTES = 250 * 1024**2
ZIPPED_LIMIT_BYTES = 50 * 1024**2
ROLE_ARN = f"arn:aws:iam::{ACCOUNT_ID}:role/lambda-workbench-role"  # no IAM locally


def add_control_routes(app: web.Application) -> None:
    """Register the operations on an app whose SERVICE_KEY holds the service."""
    add = app.router
    add.add_get(FUNCTIONS + "/", _list_functions)
    add.add_get(FUNCTIONS, _list_functions)
    add.add_get(FUNCTIONS + "/{FunctionName}", _get_function)
    add.add_get(FUNCTIONS + "/{FunctionName}/configuration", _get_configuration)
    add.add_get(FUNCTIONS + "/{FunctionName}/versions", _list_versions)
    add.add_post(FUNCTIONS + "/{FunctionName}/versions", _publish_version)
    add.add_get(FUNCTIONS + "/{FunctionName}/aliases", _list_aliases)
    add.add_post(FUNCTIONS + "/{FunctionName}/aliases", _put_alias)
    add.add_get(FUNCTIONS + "/{FunctionName}/aliases/{Name}", _get_alias)
    add.add_put(FUNCTIONS + "/{FunctionName}/aliases/{Name}", _put_alias)
    add.add_get("/2016-08-19/account-settings", _account_settings)
    add.add_get("/2016-08-19/account-settings/", _account_settings)
    add.add_put(PROVISIONED, _put_provisioned)
    add.add_get(PROVISIONED, _get_provisioned)
    add.add_delete(PROVISIONED, _delete_provisioned)


# ----- shapes ------------------------------------------------------------------------------
def function_configuration(
    config: FunctionConfig, version: str = LATEST, *, qualified: bool = False
) -> dict[str, Any]:
    """A FunctionConfiguration (GetFunctionConfiguration, ListFunctions, versions...)."""
    size, sha256, modified = _code_facts(config.code_dir)
    arn = f"{config.arn}:{version}" if qualified else config.arn
    answer: dict[str, Any] = {
        "FunctionName": config.name,
        "FunctionArn": arn,
        "Runtime": config.runtime,
        "Role": ROLE_ARN,
        "Handler": config.handler,
        "CodeSize": size,
        "Description": "",
        "Timeout": config.timeout_s,
        "MemorySize": config.memory_mb,
        "LastModified": modified,
        "CodeSha256": sha256,
        "Version": version,
        "Environment": {"Variables": dict(config.environment)},
        "TracingConfig": {"Mode": "PassThrough"},
        "RevisionId": str(uuid.uuid5(uuid.NAMESPACE_URL, f"{arn}/{sha256}/{config!r}")),
        "PackageType": "Image" if config.image else "Zip",
        "State": "Active",
        "LastUpdateStatus": "Successful",
        "Architectures": [config.architecture],
        "EphemeralStorage": {"Size": config.ephemeral_storage_mb},
        "SnapStart": {"ApplyOn": "None", "OptimizationStatus": "Off"},
        "LoggingConfig": {"LogFormat": "Text", "LogGroup": config.log_group},
    }
    if config.image:
        del answer["Runtime"], answer["Handler"]  # image functions carry neither
    if config.layers:
        answer["Layers"] = [{"Arn": layer, "CodeSize": 0} for layer in config.layers]
    return answer


def _code_facts(code_dir: Path) -> tuple[int, str, str]:
    """Size in bytes, base64 SHA-256 and last change (AWS's timestamp format) of the code."""
    digest = hashlib.sha256()
    size, newest = 0, 0.0
    for root, dirs, files in os.walk(code_dir):
        dirs[:] = sorted(d for d in dirs if d not in ("__pycache__", ".git"))
        for name in sorted(files):
            path = Path(root, name)
            try:
                data, stat = path.read_bytes(), path.stat()
            except OSError:
                continue
            digest.update(str(path.relative_to(code_dir)).encode() + b"\0" + data)
            size, newest = size + len(data), max(newest, stat.st_mtime)
    when = datetime.fromtimestamp(newest, UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "+0000"
    return size, base64.b64encode(digest.digest()).decode(), when


def _alias(config: FunctionConfig, alias: str, version: int) -> dict[str, Any]:
    arn = f"{config.arn}:{alias}"
    return {
        "AliasArn": arn,
        "Name": alias,
        "FunctionVersion": str(version),
        "Description": "",
        "RevisionId": str(uuid.uuid5(uuid.NAMESPACE_URL, f"{arn}/{version}")),
    }


def _names(request: web.Request) -> tuple[LambdaService, str, str | None]:
    service = request.app[SERVICE_KEY]
    name, qualifier = resolve_function(
        request.match_info["FunctionName"], request.query.get("Qualifier")
    )
    service.function(name)  # ResourceNotFoundException first
    return service, name, qualifier


# ----- functions and versions -------------------------------------------------------------
async def _list_functions(request: web.Request) -> web.Response:
    service = request.app[SERVICE_KEY]
    return web.json_response(
        {"Functions": [function_configuration(c) for c in service.functions()]}
    )


async def _get_function(request: web.Request) -> web.Response:
    service, name, qualifier = _names(request)
    target = service.resolve(name, qualifier)
    answer: dict[str, Any] = {
        "Configuration": function_configuration(
            target.config, target.version, qualified=qualifier is not None
        )
    }
    reserved = service.function(name).reserved_concurrency
    if reserved is not None:
        answer["Concurrency"] = {"ReservedConcurrentExecutions": reserved}
    return web.json_response(answer)


async def _get_configuration(request: web.Request) -> web.Response:
    service, name, qualifier = _names(request)
    target = service.resolve(name, qualifier)
    return web.json_response(
        function_configuration(target.config, target.version, qualified=qualifier is not None)
    )


async def _list_versions(request: web.Request) -> web.Response:
    service, name, _ = _names(request)
    versions = [function_configuration(service.function(name), LATEST, qualified=True)]
    versions += [
        function_configuration(v.config, str(v.number), qualified=True)
        for v in service.versions.versions(name)
    ]
    return web.json_response({"Versions": versions})


async def _publish_version(request: web.Request) -> web.Response:
    service, name, _ = _names(request)
    body = await json_body(request)
    version = service.publish_version(name, str(body.get("Description", "")))
    answer = function_configuration(version.config, str(version.number), qualified=True)
    answer["Description"] = version.description
    return web.json_response(answer, status=201)


# ----- aliases -----------------------------------------------------------------------------
async def _list_aliases(request: web.Request) -> web.Response:
    service, name, _ = _names(request)
    wanted = request.query.get("FunctionVersion")
    config = service.function(name)
    aliases = [
        _alias(config, alias, version)
        for alias, version in sorted(service.versions.aliases(name).items())
        if wanted is None or str(version) == wanted
    ]
    return web.json_response({"Aliases": aliases})


async def _get_alias(request: web.Request) -> web.Response:
    service, name, _ = _names(request)
    alias = request.match_info["Name"]
    version = service.versions.aliases(name).get(alias)
    if version is None:
        raise errors.not_found(f"{name}:{alias}")
    return web.json_response(_alias(service.function(name), alias, version))


async def _put_alias(request: web.Request) -> web.Response:
    """CreateAlias (POST .../aliases) and UpdateAlias (PUT .../aliases/{Name})."""
    service, name, _ = _names(request)
    body = await json_body(request)
    alias = request.match_info.get("Name") or str(body.get("Name", ""))
    version = str(body.get("FunctionVersion", ""))
    if not version.isdigit():
        raise invalid_parameter("FunctionVersion must be a published version number")
    try:
        service.set_alias(name, alias, int(version))
    except ConfigError as exc:
        raise invalid_parameter(str(exc)) from None
    except LookupError as exc:
        raise errors.not_found(f"{name}:{version}") from exc
    status = 201 if request.method == "POST" else 200
    return web.json_response(_alias(service.function(name), alias, int(version)), status=status)


# ----- account -----------------------------------------------------------------------------
async def _account_settings(request: web.Request) -> web.Response:
    service = request.app[SERVICE_KEY]
    functions = service.functions()
    return web.json_response(
        {
            "AccountLimit": {
                "TotalCodeSize": CODE_STORAGE_BYTES,
                "CodeSizeUnzipped": UNZIPPED_LIMIT_BYTES,
                "CodeSizeZipped": ZIPPED_LIMIT_BYTES,
                # Sized to this machine (docs/decisions/005), as the throttle messages say.
                "ConcurrentExecutions": service.gate.account.limit,
                "UnreservedConcurrentExecutions": service.gate.unreserved_pool,
            },
            "AccountUsage": {
                "TotalCodeSize": sum(_code_facts(c.code_dir)[0] for c in functions),
                "FunctionCount": len(functions),
            },
        }
    )


# ----- provisioned concurrency -------------------------------------------------------------
def _provisioned(service: LambdaService, config: ProvisionedConfig) -> dict[str, Any]:
    ready = service.provisioned_ready(config.function, config.qualifier)
    when = datetime.fromtimestamp(config.last_modified, UTC)
    return {
        "RequestedProvisionedConcurrentExecutions": config.requested,
        "AvailableProvisionedConcurrentExecutions": ready,
        "AllocatedProvisionedConcurrentExecutions": ready,
        "Status": "READY" if ready >= config.requested else "IN_PROGRESS",
        "LastModified": when.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "+0000",
    }


async def _put_provisioned(request: web.Request) -> web.Response:
    service, name, qualifier = _names(request)
    count = (await json_body(request)).get("ProvisionedConcurrentExecutions")
    if not isinstance(count, int) or isinstance(count, bool):
        raise invalid_parameter("ProvisionedConcurrentExecutions must be a whole number")
    config = service.put_provisioned_concurrency(name, qualifier, count)
    return web.json_response(_provisioned(service, config), status=202)


async def _get_provisioned(request: web.Request) -> web.Response:
    service, name, qualifier = _names(request)
    configs = service.versions.provisioned(name)
    if request.query.get("List") == "ALL":  # ListProvisionedConcurrencyConfigs
        arn = service.function(name).arn
        listed = [
            {"FunctionArn": f"{arn}:{c.qualifier}", **_provisioned(service, c)} for c in configs
        ]
        return web.json_response({"ProvisionedConcurrencyConfigs": listed})
    found = next((c for c in configs if c.qualifier == qualifier), None)
    if found is None:
        raise InvokeError(
            404,
            "ProvisionedConcurrencyConfigNotFoundException",
            f"No Provisioned Concurrency Config found for this function: {name}:{qualifier}",
        )
    return web.json_response(_provisioned(service, found))


async def _delete_provisioned(request: web.Request) -> web.Response:
    service, name, qualifier = _names(request)
    service.delete_provisioned_concurrency(name, qualifier or LATEST)
    return web.Response(status=204)
