"""Says goodbye, with the same helper module as the greeter: one layer, two functions."""

import greetings  # the same file as the greeter's: a layer is shared, not copied


def lambda_handler(event, context):
    name = event.get("name", "world") if isinstance(event, dict) else "world"
    return {"message": greetings.farewell(name), "helper_from": greetings.where()}
