"""The shop's quote function: an item's price with VAT for the customer's country."""


def lambda_handler(event, context):
    # pricing.py holds the shop's price rules and is shared by all its functions. Imported
    # here, where it is used, a missing module fails each invocation with
    # ModuleNotFoundError; at the top of the file it would fail the init instead, with
    # Runtime.ImportModuleError (the Handler lesson).
    import pricing

    return {
        "item": event["item"],
        "net_cents": event["net_cents"],
        "gross_cents": pricing.gross_cents(event["net_cents"], event["country"]),
        "pricing_from": pricing.where(),
    }
