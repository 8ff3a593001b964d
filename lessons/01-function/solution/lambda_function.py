def lambda_handler(event, context):
    name = event["name"]
    print(f"Greeting {name}")  # print() goes to the function's log
    return {"message": f"Hello, {name}!"}
