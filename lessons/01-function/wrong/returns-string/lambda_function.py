# Wrong on purpose: a string, where the caller expects a JSON object with "message".
def lambda_handler(event, context):
    name = event["name"]
    print(f"Greeting {name}")
    return f"Hello, {name}!"
