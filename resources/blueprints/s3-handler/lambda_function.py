"""An S3 notification handler: logs each object that was put or deleted."""

from urllib.parse import unquote_plus


def lambda_handler(event, context):
    keys = []
    for record in event.get("Records", []):
        bucket = record["s3"]["bucket"]["name"]
        key = unquote_plus(record["s3"]["object"]["key"])  # S3 URL-encodes keys in events
        print(f"{record['eventName']}: s3://{bucket}/{key}")
        keys.append(key)
    return {"processed": keys}
