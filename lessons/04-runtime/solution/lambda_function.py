from datetime import UTC, datetime


def lambda_handler(event, context):
    name = event.get("name")
    if not name:
        # The runtime posts this to /error as {"errorType": "ValueError", ...}.
        raise ValueError("the event needs a name, e.g. {\"name\": \"Ada\"}")
    # The runtime json.dumps() the result: a datetime can't be marshalled, a string can.
    return {"greeting": f"Hello, {name}!", "at": datetime.now(UTC).isoformat()}
