"""The S3 endpoint seen from containers: two buckets on Docker's bridge address, a role.

The containerised handler is written as for AWS; its environment carries its own
execution-role credentials, which the endpoint maps back to the function's policy.json.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from workbench.core.model import FunctionConfig
from workbench.triggers.bucket import LocalBucket
from workbench.triggers.s3_access import service_identities
from workbench.triggers.s3_api import S3Endpoint

pytestmark = pytest.mark.docker

HANDLER = """
import os
import boto3
from botocore.exceptions import ClientError
s3 = boto3.client("s3")
def lambda_handler(event, context):
    with open("/tmp/big.bin", "wb") as f:
        f.write(os.urandom(12 * 1024 * 1024))
    s3.upload_file("/tmp/big.bin", "thumbnails", "big.bin")  # multipart above 8 MB
    try:
        s3.get_object(Bucket="photos", Key="cat.jpg")
        denied = None
    except ClientError as exc:
        denied = exc.response["Error"]["Message"]
    return {"etag": s3.head_object(Bucket="thumbnails", Key="big.bin")["ETag"], "denied": denied}
"""
POLICY = {
    "Version": "2012-10-17",
    "Statement": [
        {"Effect": "Allow", "Action": ["s3:PutObject"], "Resource": "arn:aws:s3:::thumbnails/*"},
        {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::thumbnails/*"},
    ],
}


async def test_a_container_uploads_multipart_to_a_second_bucket_under_its_role(
    docker_service, write_function, tmp_path: Path
) -> None:
    photos, thumbs = tmp_path / "photos", tmp_path / "thumbs"
    photos.mkdir()
    thumbs.mkdir()
    (photos / "cat.jpg").write_bytes(b"purr")
    code = write_function(HANDLER)
    (code / "policy.json").write_text(json.dumps(POLICY))
    endpoint = S3Endpoint(service_identities(docker_service))
    endpoint.add_bucket("thumbnails", thumbs)
    await endpoint.start(docker_service.backend.bind_host)
    config = FunctionConfig(name="uploader", code_dir=code, timeout_s=60, memory_mb=512)
    bucket = LocalBucket(docker_service, photos, config, name="photos", endpoint=endpoint)
    try:
        async with bucket:
            result = await docker_service.invoke("uploader", b"{}")
    finally:
        await endpoint.close()
    answer = json.loads(result.payload)
    assert answer["etag"].strip('"').endswith("-2"), answer
    assert (thumbs / "big.bin").stat().st_size == 12 * 1024 * 1024
    assert answer["denied"] == (
        "User: arn:aws:sts::123456789012:assumed-role/uploader-role/uploader is not authorized "
        'to perform: s3:GetObject on resource: "arn:aws:s3:::photos/cat.jpg" because no '
        "identity-based policy allows the s3:GetObject action"
    )
