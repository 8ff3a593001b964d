import json


def save(order):
    print(f"saved {order['order']} ({order['amount']})")


def lambda_handler(event, context):
    failures = []
    for record in event["Records"]:
        try:
            order = json.loads(record["body"])
            if not isinstance(order, dict) or not isinstance(order.get("amount"), int):
                raise ValueError("an order needs a whole amount")
        except ValueError as exc:  # json.JSONDecodeError is a ValueError too
            print(f"poison {record['messageId']}: {exc}")
            # wrong on purpose: logged, then forgotten: the poison is deleted with the batch
            continue
        save(order)
    # Only these come back (and, after maxReceiveCount, go to the DLQ); the rest are deleted.
    return {"batchItemFailures": failures}
