import json


def lambda_handler(event, context):
    # A REST API (payload 1.0) needs a proxy response: statusCode, headers, body as a string.
    return {
        "statusCode": 200,
        "headers": {"Content-Type": "application/json"},
        "body": json.dumps({"status": "ok"}),
    }
