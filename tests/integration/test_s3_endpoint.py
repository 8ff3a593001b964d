"""The local S3 endpoint (workbench/triggers/s3_api.py) with unchanged boto3 and AWS CLI.

The endpoint runs on the test's event loop, so boto3 calls go through asyncio.to_thread.
Two buckets, each a folder; callers are told apart by the access key id they sign with.
"""

from __future__ import annotations

import asyncio
import hashlib
import http.client
import json
import os
import subprocess
import sys
import urllib.request
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import boto3
import botocore.config
import botocore.exceptions
import pytest

from workbench.core.runtime_env import access_key_for
from workbench.triggers.s3_access import Caller
from workbench.triggers.s3_api import S3Endpoint
from workbench.triggers.s3_policy import parse_policy
from workbench.triggers.s3_store import Write

MB = 1024 * 1024
READER = access_key_for("reader")  # a function allowed s3:GetObject on photos/* only
LISTER = access_key_for("lister")  # … and s3:ListBucket on photos
WRITER = access_key_for("writer")  # everything but an explicit deny on secret/*
BROKEN = access_key_for("broken")  # its policy.json cannot be evaluated
GET_PHOTOS = {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::photos/*"}
LIST_PHOTOS = {"Effect": "Allow", "Action": ["s3:ListBucket"], "Resource": "arn:aws:s3:::photos"}
POLICIES = {
    READER: ("reader", {"Version": "2012-10-17", "Statement": [GET_PHOTOS]}),
    LISTER: ("lister", {"Statement": [GET_PHOTOS, LIST_PHOTOS]}),
    WRITER: ("writer", {"Statement": [
        {"Effect": "Allow", "Action": "s3:*", "Resource": "*"},
        {"Effect": "Deny", "Action": "s3:Put*", "Resource": "arn:aws:s3:::photos/secret/*"},
    ]}),
}  # fmt: skip


def identities(key: str) -> Caller | None:
    if key == BROKEN:
        return Caller("broken", None, "Statement 1 uses Condition, which …")
    if key in POLICIES:
        name, document = POLICIES[key]
        return Caller(name, parse_policy(document))
    return None


class Endpoint:
    def __init__(self, endpoint: S3Endpoint, photos: Path, thumbs: Path) -> None:
        self.endpoint, self.url, self.photos, self.thumbs = endpoint, endpoint.url, photos, thumbs
        self.writes: list[tuple[str, Write]] = []
        self.deletes: list[tuple[str, str]] = []


@pytest.fixture
async def s3(tmp_path: Path) -> AsyncIterator[Endpoint]:
    endpoint = S3Endpoint(identities)
    photos, thumbs = tmp_path / "photos", tmp_path / "thumbs"
    photos.mkdir()
    thumbs.mkdir()
    await endpoint.start("127.0.0.1")
    found = Endpoint(endpoint, photos, thumbs)
    for name, root in (("photos", photos), ("thumbnails", thumbs)):
        bucket = endpoint.add_bucket(name, root)

        async def written(write: Write, name: str = name) -> None:
            found.writes.append((name, write))

        async def deleted(key: str, ip: str, traced: bool, name: str = name) -> None:
            found.deletes.append((name, key))

        bucket.listeners.written.append(written)
        bucket.listeners.deleted.append(deleted)
    yield found
    await endpoint.close()


def client(url: str, key: str = "test-owner", **config: Any) -> Any:
    return boto3.client(
        "s3",
        endpoint_url=url,
        region_name="us-east-1",
        aws_access_key_id=key,
        aws_secret_access_key="x",
        config=botocore.config.Config(retries={"max_attempts": 0}, **config),
    )


def error_of(call: Any) -> dict[str, Any]:
    with pytest.raises(botocore.exceptions.ClientError) as caught:
        call()
    return caught.value.response


# ----- boto3's default code paths --------------------------------------------------------
async def test_upload_file_of_20_mb_goes_multipart_and_lands_as_one_file(s3, tmp_path) -> None:
    source = tmp_path / "big.bin"
    source.write_bytes(os.urandom(20 * MB))
    down = tmp_path / "down.bin"

    def calls() -> dict[str, Any]:
        s3c = client(s3.url)
        s3c.upload_file(str(source), "photos", "videos/big.bin")  # 8 MB threshold: multipart
        s3c.download_file("photos", "videos/big.bin", str(down))  # ranged GETs
        return s3c.head_object(Bucket="photos", Key="videos/big.bin")

    head = await asyncio.to_thread(calls)
    assert (s3.photos / "videos" / "big.bin").read_bytes() == source.read_bytes()
    assert down.read_bytes() == source.read_bytes()
    assert head["ContentLength"] == 20 * MB
    assert head["ETag"].strip('"').endswith("-3")  # 8 + 8 + 4 MB parts
    assert [(b, w.key, w.how) for b, w in s3.writes] == [
        ("photos", "videos/big.bin", "CompleteMultipartUpload")
    ]
    assert sorted(p.name for p in s3.photos.rglob("*")) == ["big.bin", "videos"]  # no parts
    assert s3.endpoint.uploads.in_bucket("photos") == []


async def test_multipart_rules_list_parts_and_abort(s3) -> None:
    def calls() -> None:
        s3c = client(s3.url)
        upload = s3c.create_multipart_upload(Bucket="photos", Key="m.bin", ContentType="x/y")
        uid = upload["UploadId"]
        one = s3c.upload_part(Bucket="photos", Key="m.bin", UploadId=uid, PartNumber=1, Body=b"a")
        two = s3c.upload_part(Bucket="photos", Key="m.bin", UploadId=uid, PartNumber=2, Body=b"b")
        parts = s3c.list_parts(Bucket="photos", Key="m.bin", UploadId=uid)["Parts"]
        assert [(p["PartNumber"], p["Size"]) for p in parts] == [(1, 1), (2, 1)]
        listed = s3c.list_multipart_uploads(Bucket="photos")["Uploads"]
        assert [u["UploadId"] for u in listed] == [uid]
        small = error_of(lambda: s3c.complete_multipart_upload(
            Bucket="photos", Key="m.bin", UploadId=uid, MultipartUpload={"Parts": [
                {"PartNumber": 1, "ETag": one["ETag"]}, {"PartNumber": 2, "ETag": two["ETag"]}]}
        ))  # fmt: skip
        assert small["Error"]["Code"] == "EntityTooSmall"
        wrong = error_of(lambda: s3c.complete_multipart_upload(
            Bucket="photos", Key="m.bin", UploadId=uid,
            MultipartUpload={"Parts": [{"PartNumber": 2, "ETag": one["ETag"]}]}
        ))  # fmt: skip
        assert wrong["Error"]["Code"] == "InvalidPart"
        done = s3c.complete_multipart_upload(
            Bucket="photos", Key="m.bin", UploadId=uid,
            MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": one["ETag"]}]},
        )  # fmt: skip
        assert done["ETag"].endswith('-1"')
        assert s3c.get_object(Bucket="photos", Key="m.bin")["ContentType"] == "x/y"
        gone = s3c.create_multipart_upload(Bucket="photos", Key="n.bin")["UploadId"]
        s3c.abort_multipart_upload(Bucket="photos", Key="n.bin", UploadId=gone)
        with pytest.raises(s3c.exceptions.NoSuchUpload):
            s3c.list_parts(Bucket="photos", Key="n.bin", UploadId=gone)

    await asyncio.to_thread(calls)
    assert (s3.photos / "m.bin").read_bytes() == b"a"
    assert not (s3.photos / "n.bin").exists()


async def test_copy_object_across_buckets_with_metadata_directives(s3) -> None:
    def calls() -> None:
        s3c = client(s3.url)
        s3c.put_object(
            Bucket="photos", Key="in/cat 1.jpg", Body=b"meow", ContentType="image/jpeg",
            Metadata={"camera": "x100"},
        )  # fmt: skip
        s3c.copy_object(
            Bucket="thumbnails",
            Key="cat.jpg",
            CopySource={"Bucket": "photos", "Key": "in/cat 1.jpg"},
        )
        copied = s3c.head_object(Bucket="thumbnails", Key="cat.jpg")
        assert copied["Metadata"] == {"camera": "x100"}
        assert copied["ContentType"] == "image/jpeg"
        s3c.copy_object(
            Bucket="thumbnails", Key="cat.jpg", CopySource="thumbnails/cat.jpg",
            MetadataDirective="REPLACE", Metadata={"size": "small"}, ContentType="image/png",
        )  # fmt: skip
        replaced = s3c.head_object(Bucket="thumbnails", Key="cat.jpg")
        assert replaced["Metadata"] == {"size": "small"}
        assert replaced["ContentType"] == "image/png"
        itself = error_of(
            lambda: s3c.copy_object(
                Bucket="photos", Key="in/cat 1.jpg", CopySource="photos/in/cat 1.jpg"
            )
        )
        assert itself["Error"]["Code"] == "InvalidRequest"
        missing = error_of(
            lambda: s3c.copy_object(Bucket="photos", Key="x", CopySource="photos/nothing-here")
        )
        assert missing["Error"]["Code"] == "NoSuchKey"

    await asyncio.to_thread(calls)
    assert (s3.thumbs / "cat.jpg").read_bytes() == b"meow"
    assert [(b, w.key, w.how) for b, w in s3.writes] == [
        ("photos", "in/cat 1.jpg", "Put"),
        ("thumbnails", "cat.jpg", "Copy"),
        ("thumbnails", "cat.jpg", "Copy"),
    ]


async def test_delete_objects_and_listings_v1_and_v2(s3) -> None:
    keys = [f"a/{i:02d}.txt" for i in range(7)] + ["a/sub/x.txt", "b/y.txt", "top.txt"]
    for key in keys:
        path = s3.photos / key
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(key)

    def calls() -> None:
        s3c = client(s3.url)
        pages = s3c.get_paginator("list_objects").paginate(
            Bucket="photos", PaginationConfig={"PageSize": 3}
        )
        v1 = [o["Key"] for page in pages for o in page.get("Contents", [])]
        assert v1 == sorted(keys)
        pages = list(
            s3c.get_paginator("list_objects_v2").paginate(
                Bucket="photos", Prefix="a/", Delimiter="/", PaginationConfig={"PageSize": 3}
            )
        )
        assert len(pages) == 3  # 7 keys and 1 common prefix, 3 a page
        assert [o["Key"] for p in pages for o in p.get("Contents", [])] == keys[:7]
        assert [c["Prefix"] for p in pages for c in p.get("CommonPrefixes", [])] == ["a/sub/"]
        top = s3c.list_objects(Bucket="photos", Delimiter="/", MaxKeys=2)
        assert top["IsTruncated"] and top["NextMarker"] == "b/"
        assert [c["Prefix"] for c in top["CommonPrefixes"]] == ["a/", "b/"]
        result = s3c.delete_objects(
            Bucket="photos",
            Delete={"Objects": [{"Key": "a/00.txt"}, {"Key": "b/y.txt"}, {"Key": "never.txt"}]},
        )
        assert sorted(d["Key"] for d in result["Deleted"]) == ["a/00.txt", "b/y.txt", "never.txt"]
        assert s3c.head_bucket(Bucket="photos")["ResponseMetadata"]["HTTPStatusCode"] == 200
        names = [b["Name"] for b in s3c.list_buckets()["Buckets"]]
        assert names == ["photos", "thumbnails"]
        with pytest.raises(s3c.exceptions.NoSuchBucket):
            s3c.list_objects(Bucket="nothing")

    await asyncio.to_thread(calls)
    assert not (s3.photos / "a" / "00.txt").exists() and not (s3.photos / "b" / "y.txt").exists()
    assert s3.deletes == [("photos", "a/00.txt"), ("photos", "b/y.txt")]


async def test_presigned_urls_and_virtual_host_addressing(s3) -> None:
    (s3.photos / "cat.jpg").write_bytes(b"purr")

    def calls() -> None:
        s3c = client(s3.url)
        url = s3c.generate_presigned_url("get_object", {"Bucket": "photos", "Key": "cat.jpg"})
        assert "X-Amz-Signature" in url or "Signature" in url
        with urllib.request.urlopen(url, timeout=10) as response:
            assert response.read() == b"purr"
        put = s3c.generate_presigned_url("put_object", {"Bucket": "photos", "Key": "up.txt"})
        request = urllib.request.Request(put, data=b"uploaded", method="PUT")
        urllib.request.urlopen(request, timeout=10).close()
        port = s3.url.rsplit(":", 1)[1]
        # Virtual-host style: the bucket is the first label of a loopback Host name.
        connection = http.client.HTTPConnection("127.0.0.1", int(port), timeout=10)
        connection.request("GET", "/cat.jpg", headers={"Host": f"photos.localhost:{port}"})
        assert connection.getresponse().read() == b"purr"

    await asyncio.to_thread(calls)
    assert (s3.photos / "up.txt").read_bytes() == b"uploaded"


# ----- the simulated execution role ------------------------------------------------------
async def test_access_denied_follows_the_policy_and_the_list_bucket_rule(s3) -> None:
    (s3.photos / "cat.jpg").write_bytes(b"purr")
    (s3.thumbs / "t.jpg").write_bytes(b"small")

    def calls() -> None:
        reader, lister, writer = (
            client(s3.url, READER),
            client(s3.url, LISTER),
            client(s3.url, WRITER),
        )
        assert reader.get_object(Bucket="photos", Key="cat.jpg")["Body"].read() == b"purr"
        other = error_of(lambda: reader.get_object(Bucket="thumbnails", Key="t.jpg"))
        assert other["ResponseMetadata"]["HTTPStatusCode"] == 403
        assert other["Error"]["Code"] == "AccessDenied"
        assert other["Error"]["Message"] == (
            "User: arn:aws:sts::123456789012:assumed-role/reader-role/reader is not authorized "
            'to perform: s3:GetObject on resource: "arn:aws:s3:::thumbnails/t.jpg" because no '
            "identity-based policy allows the s3:GetObject action"
        )
        # A missing key: AccessDenied without s3:ListBucket, NoSuchKey with it.
        hidden = error_of(lambda: reader.get_object(Bucket="photos", Key="dog.jpg"))
        assert hidden["Error"]["Code"] == "AccessDenied"
        assert "s3:ListBucket" in hidden["Error"]["Message"]
        with pytest.raises(lister.exceptions.NoSuchKey):
            lister.get_object(Bucket="photos", Key="dog.jpg")
        assert error_of(lambda: reader.put_object(Bucket="photos", Key="x", Body=b"")
                        )["Error"]["Code"] == "AccessDenied"  # fmt: skip
        assert error_of(lambda: reader.list_objects_v2(Bucket="photos"))["Error"]["Code"] == (
            "AccessDenied"
        )
        assert lister.list_objects_v2(Bucket="photos")["KeyCount"] == 1
        writer.put_object(Bucket="photos", Key="open/a.txt", Body=b"ok")
        explicit = error_of(lambda: writer.put_object(Bucket="photos", Key="secret/a", Body=b""))
        assert explicit["Error"]["Message"].endswith(
            "with an explicit deny in an identity-based policy"
        )
        denied = reader.delete_objects(Bucket="photos", Delete={"Objects": [{"Key": "cat.jpg"}]})
        assert [e["Code"] for e in denied["Errors"]] == ["AccessDenied"]
        copy = error_of(
            lambda: reader.copy_object(
                Bucket="thumbnails", Key="c.jpg", CopySource="photos/cat.jpg"
            )
        )
        assert (
            's3:PutObject on resource: "arn:aws:s3:::thumbnails/c.jpg"' in copy["Error"]["Message"]
        )
        broken = error_of(lambda: client(s3.url, BROKEN).get_object(Bucket="photos", Key="cat.jpg"))
        assert "cannot be evaluated" in broken["Error"]["Message"]
        # The owner (any other key, as the test's own boto3) may do everything.
        assert client(s3.url).get_object(Bucket="thumbnails", Key="t.jpg")["Body"].read()

    await asyncio.to_thread(calls)
    assert (s3.photos / "cat.jpg").exists() and not (s3.thumbs / "c.jpg").exists()


@pytest.mark.parametrize("version", ["s3", "s3v4"])  # boto3's default form, and SigV4
async def test_presigned_url_carries_the_role_of_whoever_signed_it(s3, version) -> None:
    (s3.thumbs / "t.jpg").write_bytes(b"small")
    (s3.photos / "cat.jpg").write_bytes(b"purr")

    def status(bucket: str, key: str) -> int:
        signer = client(s3.url, READER, signature_version=version)
        url = signer.generate_presigned_url("get_object", {"Bucket": bucket, "Key": key})
        assert ("X-Amz-Credential" in url) is (version == "s3v4")
        try:
            urllib.request.urlopen(url, timeout=10).close()
        except urllib.error.HTTPError as exc:
            return exc.code
        return 200

    assert await asyncio.to_thread(status, "thumbnails", "t.jpg") == 403
    assert await asyncio.to_thread(status, "photos", "cat.jpg") == 200


# ----- browser protection ----------------------------------------------------------------
@pytest.mark.parametrize(
    ("headers", "allowed"),
    [
        ({}, True),
        ({"Origin": "http://localhost:5173"}, True),
        ({"Origin": "http://127.0.0.1:8000"}, True),
        ({"Origin": "https://evil.example"}, False),
        ({"Origin": "null"}, False),
        ({"Host": "evil.example"}, False),
        ({"Host": "rebind.attacker.test:1234"}, False),
        ({"Host": "photos.localhost"}, True),
        ({"Sec-Fetch-Site": "cross-site"}, False),
    ],
)
async def test_requests_from_web_pages_are_refused(s3, headers, allowed) -> None:
    (s3.photos / "cat.jpg").write_bytes(b"purr")
    port = int(s3.url.rsplit(":", 1)[1])

    def get() -> tuple[int, bytes]:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        path = "/cat.jpg" if headers.get("Host") == "photos.localhost" else "/photos/cat.jpg"
        connection.request("GET", path, headers={"Host": f"127.0.0.1:{port}", **headers})
        response = connection.getresponse()
        return response.status, response.read()

    status, body = await asyncio.to_thread(get)
    if allowed:
        assert (status, body) == (200, b"purr")
    else:
        assert status == 403 and b"<Code>AccessDenied</Code>" in body


# ----- the AWS CLI (v1, the awscli package) ----------------------------------------------
async def test_aws_cli_s3_cp_and_ls(s3, tmp_path) -> None:
    local = tmp_path / "hello.txt"
    local.write_text("hello from the CLI")
    env = {
        **os.environ,
        "AWS_ACCESS_KEY_ID": "cli",
        "AWS_SECRET_ACCESS_KEY": "x",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_CONFIG_FILE": str(tmp_path / "none"),
        "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "none"),
    }

    def aws(*args: str) -> str:
        command = [sys.executable, "-m", "awscli", "--endpoint-url", s3.url, *args]
        done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=60)
        assert done.returncode == 0, done.stderr
        return done.stdout

    await asyncio.to_thread(aws, "s3", "cp", str(local), "s3://photos/docs/hello.txt")
    assert (s3.photos / "docs" / "hello.txt").read_text() == "hello from the CLI"
    listing = await asyncio.to_thread(aws, "s3", "ls", "s3://photos/docs/")
    assert "hello.txt" in listing and "18" in listing
    buckets = await asyncio.to_thread(aws, "s3", "ls")
    assert "photos" in buckets and "thumbnails" in buckets
    back = tmp_path / "back.txt"
    await asyncio.to_thread(aws, "s3", "cp", "s3://photos/docs/hello.txt", str(back))
    assert back.read_text() == "hello from the CLI"
    raw = await asyncio.to_thread(aws, "s3api", "list-objects", "--bucket", "photos")
    assert [o["Key"] for o in json.loads(raw)["Contents"]] == ["docs/hello.txt"]
    assert hashlib.md5(local.read_bytes()).hexdigest() in raw
    big = tmp_path / "big.bin"
    big.write_bytes(os.urandom(9 * MB))  # above the CLI's 8 MB multipart threshold
    await asyncio.to_thread(aws, "s3", "cp", str(big), "s3://thumbnails/big.bin")
    assert (s3.thumbs / "big.bin").read_bytes() == big.read_bytes()
    assert [w.how for b, w in s3.writes if w.key == "big.bin"] == ["CompleteMultipartUpload"]


async def test_creating_a_bucket_is_refused_with_a_way_to_declare_one(s3) -> None:
    answer = await asyncio.to_thread(
        error_of, lambda: client(s3.url).create_bucket(Bucket="fresh-bucket")
    )
    assert answer["ResponseMetadata"]["HTTPStatusCode"] == 501
    assert "--bucket NAME=FOLDER" in answer["Error"]["Message"]


def test_bucket_folders_must_not_overlap(tmp_path: Path) -> None:
    endpoint = S3Endpoint()
    (tmp_path / "photos" / "thumbs").mkdir(parents=True)
    first = endpoint.add_bucket("photos", tmp_path / "photos")
    assert endpoint.add_bucket("photos", tmp_path / "photos") is first  # the same pair again
    for name, folder in [
        ("thumbnails", tmp_path / "photos" / "thumbs"),  # inside another bucket's folder
        ("everything", tmp_path),  # around it
        ("again", tmp_path / "photos"),  # the same folder
    ]:
        with pytest.raises(ValueError, match="overlap"):
            endpoint.add_bucket(name, folder)
    with pytest.raises(ValueError, match="already the folder"):
        endpoint.add_bucket("photos", tmp_path / "photos" / "thumbs")


async def test_conditional_reads_and_writes(s3) -> None:
    def calls() -> None:
        s3c = client(s3.url)
        etag = s3c.put_object(Bucket="photos", Key="c.txt", Body=b"one")["ETag"]
        refused = error_of(
            lambda: s3c.put_object(Bucket="photos", Key="c.txt", Body=b"two", IfNoneMatch="*")
        )
        assert refused["Error"]["Code"] == "PreconditionFailed"
        s3c.put_object(Bucket="photos", Key="new.txt", Body=b"fresh", IfNoneMatch="*")
        stale = error_of(
            lambda: s3c.put_object(Bucket="photos", Key="c.txt", Body=b"x", IfMatch='"0ff"')
        )
        assert stale["ResponseMetadata"]["HTTPStatusCode"] == 412
        s3c.put_object(Bucket="photos", Key="c.txt", Body=b"three", IfMatch=etag)
        assert s3c.get_object(Bucket="photos", Key="c.txt")["Body"].read() == b"three"
        moved = error_of(lambda: s3c.get_object(Bucket="photos", Key="c.txt", IfMatch=etag))
        assert moved["ResponseMetadata"]["HTTPStatusCode"] == 412
        current = s3c.head_object(Bucket="photos", Key="c.txt")["ETag"]
        same = error_of(lambda: s3c.get_object(Bucket="photos", Key="c.txt", IfNoneMatch=current))
        assert same["ResponseMetadata"]["HTTPStatusCode"] == 304

    await asyncio.to_thread(calls)
    assert (s3.photos / "new.txt").read_bytes() == b"fresh"
