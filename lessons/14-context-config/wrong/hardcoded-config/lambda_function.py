# Wrong on purpose: the configuration is in the code, so the function's settings are ignored.
TAX_PERCENT = 19
CURRENCY = "EUR"


def lambda_handler(event, context):
    gross_cents = event["net_cents"] * (100 + TAX_PERCENT) // 100
    return {
        "item": event["item"],
        "total": f"{gross_cents / 100:.2f} {CURRENCY}",
        "request_id": context.aws_request_id,
        "function": context.function_name,
        "memory_mb": context.memory_limit_in_mb,
    }
