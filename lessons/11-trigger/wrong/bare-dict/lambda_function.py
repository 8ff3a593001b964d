# Wrong on purpose: fine for an HTTP API (2.0), malformed for a REST API (1.0).
def lambda_handler(event, context):
    return {"status": "ok"}
