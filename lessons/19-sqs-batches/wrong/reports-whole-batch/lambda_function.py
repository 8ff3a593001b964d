# Wrong on purpose: when anything fails, it reports every message of the batch.
import json


def lambda_handler(event, context):
    ok = True
    for record in event["Records"]:
        try:
            order = json.loads(record["body"])
            ok = ok and isinstance(order, dict) and isinstance(order.get("amount"), int)
        except ValueError:
            ok = False
    if ok:
        return {"batchItemFailures": []}
    return {"batchItemFailures": [{"itemIdentifier": r["messageId"]} for r in event["Records"]]}
