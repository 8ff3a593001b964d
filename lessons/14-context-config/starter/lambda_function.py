TAX_PERCENT = 19  # the shop's rate... in one country, this year
CURRENCY = "EUR"


def lambda_handler(event, context):
    gross_cents = event["net_cents"] * (100 + TAX_PERCENT) // 100
    return {
        "item": event["item"],
        "total": f"{gross_cents / 100:.2f} {CURRENCY}",
        "request_id": "unknown",
        "function": "receipt",
        "memory_mb": "128",
    }
