from datetime import UTC, datetime


def lambda_handler(event, context):
    name = event["name"]
    return {"greeting": f"Hello, {name}!", "at": datetime.now(UTC)}
