# Wrong on purpose: a misspelt variable name with a default hides the mistake.
import os

TAX_PERCENT = int(os.environ.get("TAX_RATE", "19"))
CURRENCY = os.environ.get("CURRENCY", "EUR")


def lambda_handler(event, context):
    gross_cents = event["net_cents"] * (100 + TAX_PERCENT) // 100
    return {
        "item": event["item"],
        "total": f"{gross_cents / 100:.2f} {CURRENCY}",
        "request_id": context.aws_request_id,
        "function": context.function_name,
        "memory_mb": context.memory_limit_in_mb,
    }
