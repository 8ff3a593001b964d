"""An SQS handler: processes a batch and reports the messages that failed, one by one."""

import json


def lambda_handler(event, context):
    failures = []
    for record in event.get("Records", []):
        try:
            body = json.loads(record["body"])
            print(f"message {record['messageId']}: {body}")
        except ValueError:
            failures.append({"itemIdentifier": record["messageId"]})
    # With ReportBatchItemFailures on, only these messages return to the queue.
    return {"batchItemFailures": failures}
