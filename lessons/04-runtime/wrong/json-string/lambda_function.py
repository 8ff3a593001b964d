# Wrong on purpose: json.dumps(default=str) hides the marshal error but returns a string,
# so the caller gets a JSON string, not the object.
import json
from datetime import UTC, datetime


def lambda_handler(event, context):
    name = event.get("name")
    if not name:
        raise ValueError("the event needs a name")
    return json.dumps({"greeting": f"Hello, {name}!", "at": datetime.now(UTC)}, default=str)
