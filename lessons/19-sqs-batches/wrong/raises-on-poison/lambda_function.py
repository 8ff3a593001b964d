# Wrong on purpose: right timeout, but one poison message fails the whole batch.
import json


def lambda_handler(event, context):
    for record in event["Records"]:
        order = json.loads(record["body"])
        if not isinstance(order.get("amount"), int):
            raise ValueError(f"bad order {record['messageId']}")
        print(f"saved {order['order']}")
    return {"saved": len(event["Records"])}
