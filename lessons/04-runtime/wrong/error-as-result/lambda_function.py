# Wrong on purpose: the error comes back as a normal result, so Lambda reports success.
from datetime import UTC, datetime


def lambda_handler(event, context):
    name = event.get("name")
    if not name:
        return {"error": "the event needs a name"}
    return {"greeting": f"Hello, {name}!", "at": datetime.now(UTC).isoformat()}
