"""Photo reports: for each photo put under uploads/, write its size to reports/<name>.json."""

import json
from pathlib import PurePosixPath
from urllib.parse import unquote_plus

import boto3

# Created once per environment. The client signs its requests with the credentials Lambda
# put in the environment: the execution role's (AWS_ACCESS_KEY_ID and friends).
s3 = boto3.client("s3")


def lambda_handler(event, context):
    record = event["Records"][0]["s3"]
    bucket = record["bucket"]["name"]
    key = unquote_plus(record["object"]["key"])
    body = s3.get_object(Bucket=bucket, Key=key)["Body"].read()
    report = {"key": key, "bytes": len(body)}
    target = "reports/" + PurePosixPath(key).name + ".json"
    s3.put_object(Bucket=bucket, Key=target, Body=json.dumps(report).encode())
    return report
