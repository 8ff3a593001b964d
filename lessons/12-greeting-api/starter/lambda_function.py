def lambda_handler(event, context):
    # TODO: read ?name= from the query string (HTTP API, payload format 2.0), default to
    # "world", and answer {"greeting": "Hello, <name>!"} as JSON with statusCode 200.
    return "Hello"
