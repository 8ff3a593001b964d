"""An API Gateway (HTTP API, payload 2.0) handler: reads the query string, answers JSON."""

import json


def lambda_handler(event, context):
    params = event.get("queryStringParameters") or {}
    name = params.get("name", "world")
    method = event.get("requestContext", {}).get("http", {}).get("method", "GET")
    return {
        "statusCode": 200,
        "headers": {"content-type": "application/json"},
        "body": json.dumps({"message": f"Hello, {name}!", "method": method}),
    }
