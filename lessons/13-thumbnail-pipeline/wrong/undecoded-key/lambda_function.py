"""Thumbnails: each image put under input/ of the bucket gets a small copy under output/."""

import io
from pathlib import PurePosixPath

import boto3
from PIL import Image

MAX_SIZE = (128, 128)
# Never write under the trigger's prefix (input/): each thumbnail would invoke this
# function again, and again. Thumbnails go where the trigger does not look.
OUTPUT_PREFIX = "output/"

# Created once per environment, at init. Locally the client finds the workbench's bucket
# through AWS_ENDPOINT_URL_S3; on AWS, the real S3.
s3 = boto3.client("s3")


def lambda_handler(event, context):
    written = []
    for record in event["Records"]:
        bucket = record["s3"]["bucket"]["name"]
        key = record["s3"]["object"]["key"]  # wrong on purpose: still URL-encoded
        if key.startswith(OUTPUT_PREFIX):  # a guard, should the trigger ever widen
            print(f"skipped s3://{bucket}/{key}: it is a thumbnail already")
            continue
        body = s3.get_object(Bucket=bucket, Key=key)["Body"].read()
        with Image.open(io.BytesIO(body)) as image:
            image_format = image.format  # JPEG, PNG, …: keep it
            original = f"{image.width}×{image.height}"
            image.thumbnail(MAX_SIZE)  # shrinks in place and keeps the proportions
            size = f"{image.width}×{image.height}"
            out = io.BytesIO()
            image.save(out, format=image_format)
        target = OUTPUT_PREFIX + PurePosixPath(key).name
        s3.put_object(
            Bucket=bucket,
            Key=target,
            Body=out.getvalue(),
            ContentType=Image.MIME.get(image_format, "application/octet-stream"),
        )
        print(f"s3://{bucket}/{key} ({original}) → {target} ({size})")
        written.append(target)
    return {"thumbnails": written}
