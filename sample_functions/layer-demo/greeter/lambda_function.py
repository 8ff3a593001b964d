"""Greets the name in the event, with a helper that lives in the `shared` layer."""

import greetings  # not in this folder: it comes from the layer, at /opt/python/greetings.py


def lambda_handler(event, context):
    name = event.get("name", "world") if isinstance(event, dict) else "world"
    return {"message": greetings.greet(name), "helper_from": greetings.where()}
