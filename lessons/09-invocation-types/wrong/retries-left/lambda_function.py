def lambda_handler(event, context):
    if "order" not in event or "amount" not in event:
        raise ValueError("malformed order: needs an order id and an amount")
    return {"order": event["order"], "accepted": True}
