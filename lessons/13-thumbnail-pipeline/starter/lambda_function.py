"""Thumbnails: each image put under input/ of the bucket gets a small copy under output/."""

from pathlib import PurePosixPath

import boto3

# Created once per environment, at init. Locally the client finds the workbench's bucket
# through AWS_ENDPOINT_URL_S3; on AWS, the real S3.
s3 = boto3.client("s3")


def lambda_handler(event, context):
    for record in event["Records"]:
        bucket = record["s3"]["bucket"]["name"]
        key = record["s3"]["object"]["key"]
        print(f"new object: s3://{bucket}/{key}")
        body = s3.get_object(Bucket=bucket, Key=key)["Body"].read()
        # TODO: make a thumbnail of at most 128×128 pixels with Pillow (from PIL import Image),
        # in the image's own format.
        thumbnail = body
        target = "output/" + PurePosixPath(key).name
        s3.put_object(Bucket=bucket, Key=target, Body=thumbnail)
    return {"ok": True}
