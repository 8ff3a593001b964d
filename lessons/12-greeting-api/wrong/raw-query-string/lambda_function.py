# Wrong on purpose: reads rawQueryString by hand, without decoding %20 and friends.
import json


def lambda_handler(event, context):
    raw = event.get("rawQueryString", "")
    params = dict(part.split("=", 1) for part in raw.split("&") if "=" in part)
    name = params.get("name") or "world"
    return {
        "statusCode": 200,
        "headers": {"Content-Type": "application/json"},
        "body": json.dumps({"greeting": f"Hello, {name}!"}),
    }
