# Wrong on purpose: memory is configuration (function.toml), not a variable in the code.
MEMORY = 256


def lambda_handler(event, context):
    name = event["name"]
    print(f"Greeting {name}")
    return {"message": f"Hello, {name}!"}
