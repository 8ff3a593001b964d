# Wrong on purpose: a bad order "succeeds", so nothing is retried and nothing reaches the
# failure destination.
def lambda_handler(event, context):
    if "order" not in event or "amount" not in event:
        return {"order": event.get("order"), "accepted": False}
    return {"order": event["order"], "accepted": True}
