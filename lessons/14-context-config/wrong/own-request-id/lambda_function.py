# Wrong on purpose: makes up its own ids and reads the memory it was written for.
import os
import uuid

TAX_PERCENT = int(os.environ["TAX_PERCENT"])
CURRENCY = os.environ["CURRENCY"]


def lambda_handler(event, context):
    gross_cents = event["net_cents"] * (100 + TAX_PERCENT) // 100
    return {
        "item": event["item"],
        "total": f"{gross_cents / 100:.2f} {CURRENCY}",
        "request_id": str(uuid.uuid4()),
        "function": context.function_name,
        "memory_mb": "128",
    }
