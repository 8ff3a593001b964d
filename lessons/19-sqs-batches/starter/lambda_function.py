import json


def save(order):
    print(f"saved {order['order']} ({order['amount']})")


def lambda_handler(event, context):
    for record in event["Records"]:
        order = json.loads(record["body"])  # poison raises here, and fails the whole batch
        if not isinstance(order.get("amount"), int):
            raise ValueError(f"bad order {record['messageId']}")
        save(order)
    return {"saved": len(event["Records"])}
