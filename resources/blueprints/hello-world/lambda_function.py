"""Hello world: returns a greeting for the name in the event."""


def lambda_handler(event, context):
    name = event.get("name", "world")
    print(f"Greeting {name}")
    return {"message": f"Hello, {name}!"}
