# Wrong on purpose: its own copy of the price rule, with one VAT rate for every country.
def lambda_handler(event, context):
    return {
        "item": event["item"],
        "net_cents": event["net_cents"],
        "gross_cents": round(event["net_cents"] * 1.19),
        "pricing_from": "here",
    }
