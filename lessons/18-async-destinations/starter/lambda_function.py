class PaymentDeclined(Exception):
    """The card was declined: retrying will not change that."""


def lambda_handler(event, context):
    if event["card"] != "ok":
        raise PaymentDeclined(f"card declined for order {event['order']}")
    print(f"charged {event['amount_cents']} cents for {event['order']}")
    return {"order": event["order"], "paid": True}
