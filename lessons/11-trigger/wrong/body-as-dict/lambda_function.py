# Wrong on purpose: a REST API needs the body as a string, not a dict.
def lambda_handler(event, context):
    return {
        "statusCode": 200,
        "headers": {"Content-Type": "application/json"},
        "body": {"status": "ok"},
    }
