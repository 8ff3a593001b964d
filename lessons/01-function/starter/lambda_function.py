def lambda_handler(event, context):
    # `event` is the input, as a dict; `context` describes this invocation.
    return "Hello"
