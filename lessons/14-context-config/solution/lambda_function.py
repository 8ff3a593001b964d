import os

# Configuration, read once at init: change it on the function, not in the code.
TAX_PERCENT = int(os.environ["TAX_PERCENT"])
CURRENCY = os.environ["CURRENCY"]


def lambda_handler(event, context):
    gross_cents = event["net_cents"] * (100 + TAX_PERCENT) // 100
    print(f"{context.aws_request_id} receipt for {event['item']}")
    return {
        "item": event["item"],
        "total": f"{gross_cents / 100:.2f} {CURRENCY}",
        # What Lambda knows about this invocation: the context object.
        "request_id": context.aws_request_id,
        "function": context.function_name,
        "memory_mb": context.memory_limit_in_mb,  # a string, as in awslambdaric
    }
