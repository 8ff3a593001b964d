import json


def lambda_handler(event, context):
    # Payload 2.0 omits queryStringParameters when there is no query string.
    query = event.get("queryStringParameters") or {}
    name = query.get("name") or "world"
    return {
        "statusCode": 200,
        "headers": {"Content-Type": "application/json"},
        "body": json.dumps({"greeting": f"Hello, {name}!"}),
    }
