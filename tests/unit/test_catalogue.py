"""The sample event catalogue (workbench/catalogue): real shapes, fresh values, parameters.

The shapes are AWS's as LAMBDA_FACTS.md §A8 lists them: S3 records with a URL-encoded key,
API Gateway payload 2.0 vs 1.0, SNS's capitalised keys, DynamoDB's typed values, Kinesis's
base64 data and CloudWatch Logs' base64(gzip(JSON)).
"""

from __future__ import annotations

import base64
import gzip
import hashlib
import json
import re
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote_plus, unquote_plus

import pytest

from workbench.catalogue import (
    EVENTS_DIR,
    CatalogueError,
    describe,
    generate,
    load_sample,
    sample_keys,
    template,
)
from workbench.core.model import ACCOUNT_ID, REGION

NOW = datetime(2024, 5, 1, 12, 0, 0, 123000, tzinfo=UTC)
NOW_MS = 1714564800123
ISO_MS = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")
REQUIRED_KEYS = {
    "hello",
    "s3-put",
    "s3-delete",
    "apigw-http",
    "apigw-rest",
    "alb",
    "sqs",
    "sns",
    "dynamodb-insert",
    "dynamodb-modify",
    "dynamodb-remove",
    "eventbridge-scheduled",
    "eventbridge-custom",
    "kinesis",
    "cloudwatch-logs",
    "cognito-pre-signup",
    "cloudfront",
    "ses",
}
SURPRISES = {
    "s3-put": "URL-encoded",
    "sns": "capitalises",
    "apigw-http": "httpMethod",
    "apigw-rest": "httpMethod",
    "kinesis": "base64",
    "dynamodb-insert": "typed",
    "cloudwatch-logs": "gzip",
}
NOTHING_FRESH = {"hello", "cognito-pre-signup"}  # these events carry no ids or times on AWS


def at(event: Any, path: str) -> Any:
    """The value at a documented path such as 'Records[0].s3.object.key'."""
    value = event
    for part in path.split("."):
        name, *indexes = re.split(r"\[(\d+)\]", part)
        if name:
            value = value[name]
        for index in filter(None, indexes):
            value = value[int(index)]
    return value


def strings(value: Any) -> list[str]:
    """Every string in a JSON value, keys included."""
    if isinstance(value, dict):
        return [*value, *(text for item in value.values() for text in strings(item))]
    if isinstance(value, list):
        return [text for item in value for text in strings(item)]
    return [value] if isinstance(value, str) else []


def record(event: dict[str, Any]) -> dict[str, Any]:
    return event["Records"][0]


@pytest.fixture
def fixed_random(monkeypatch: pytest.MonkeyPatch) -> None:
    """Random ids become their own names, so two generations differ only by their parameters."""
    monkeypatch.setattr(template, "_random", lambda kind, size, source: f"<{source}>")


# ----- the index -----------------------------------------------------------------------------


def test_the_catalogue_covers_the_services_learners_meet():
    keys = sample_keys()
    assert set(keys) >= REQUIRED_KEYS
    assert len(keys) == len(set(keys))
    assert all(isinstance(key, str) for key in keys)


def test_every_body_file_is_listed_and_every_entry_has_a_body():
    bodies = {path.stem for path in EVENTS_DIR.glob("*.json")} - {"index"}
    assert bodies == set(sample_keys())


@pytest.mark.parametrize("key", sample_keys())
def test_every_entry_describes_itself_for_learners(key: str):
    info = describe(key)
    assert info["key"] == key
    for field in ("service", "title", "description"):
        assert isinstance(info[field], str) and info[field].strip(), field
    assert "\n" not in info["description"]
    for spec in info["params"]:
        assert {"name", "type", "default", "example", "encoding", "paths", "help"} <= set(spec)
        assert isinstance(spec["paths"], list)
        assert spec["example"] != spec["default"], spec["name"]


@pytest.mark.parametrize(("key", "words"), sorted(SURPRISES.items()))
def test_the_shape_surprises_are_noted(key: str, words: str):
    assert words in describe(key)["surprise"]


def test_describe_returns_a_copy():
    describe("s3-put")["params"].clear()
    assert describe("s3-put")["params"]


# ----- every entry generates its documented shape --------------------------------------------


@pytest.mark.parametrize("key", sample_keys())
def test_every_entry_generates_json_with_its_documented_top_level_keys(key: str):
    event = generate(key)
    assert json.loads(json.dumps(event)) == event
    assert set(describe(key)["shape"]) <= set(event)
    assert not [text for text in strings(event) if "{{" in text], "a placeholder was left"


@pytest.mark.parametrize("key", sorted(set(sample_keys()) - NOTHING_FRESH))
def test_two_generations_differ(key: str):
    assert generate(key) != generate(key)


@pytest.mark.parametrize("key", sample_keys())
def test_load_sample_is_generate_with_defaults(key: str, fixed_random: None, monkeypatch):
    monkeypatch.setattr("workbench.catalogue._fresh_now", lambda: NOW)
    assert load_sample(key) == generate(key, now=NOW)


def test_arns_are_in_the_workbench_region_and_account():
    for key in sample_keys():
        for arn in re.findall(r'"(arn:aws:[^"]+)"', json.dumps(generate(key))):
            service = arn.split(":")[2]
            if service not in ("s3", "iam"):  # S3 bucket ARNs and IAM have no region
                assert f":{REGION}:{ACCOUNT_ID}:" in arn, (key, arn)


# ----- parameters land where the index says ---------------------------------------------------


def _param_cases() -> list[tuple[str, str]]:
    return [(key, spec["name"]) for key in sample_keys() for spec in describe(key)["params"]]


@pytest.mark.parametrize(("key", "name"), _param_cases())
def test_each_parameter_lands_in_its_documented_paths(key: str, name: str, fixed_random: None):
    spec = next(spec for spec in describe(key)["params"] if spec["name"] == name)
    example = spec["example"]
    before = generate(key, now=NOW)
    after = generate(key, now=NOW, **{name: example})
    assert spec["paths"], f"{key}.{name} lands nowhere"
    for path in spec["paths"]:
        assert json.dumps(at(after, path)) != json.dumps(_maybe(before, path)), path
    first = at(after, spec["paths"][0])
    encoding = spec["encoding"]
    if encoding == "url":
        assert first == quote_plus(example, safe="/")
    elif encoding == "base64":
        assert base64.b64decode(first) == example.encode()
    elif encoding == "gzip+base64":
        assert example in json.dumps(json.loads(gzip.decompress(base64.b64decode(first))))
    elif encoding == "dynamodb":
        assert all(name in first for name in example)
    elif encoding == "none" and isinstance(example, str):
        assert example in json.dumps(first, ensure_ascii=False) or example in str(first)


def _maybe(event: Any, path: str) -> Any:
    try:
        return at(event, path)
    except (KeyError, IndexError):
        return "<absent>"


def test_underscores_may_stand_for_hyphens():
    event = generate("eventbridge-custom", detail_type="Invoice Paid")
    assert event["detail-type"] == "Invoice Paid"


# ----- S3 ------------------------------------------------------------------------------------


def test_s3_put_has_the_s3_record_shape():
    item = record(generate("s3-put", now=NOW))
    assert item["eventSource"] == "aws:s3"
    assert item["eventName"] == "ObjectCreated:Put"
    assert item["eventVersion"].startswith("2.")
    assert item["awsRegion"] == REGION
    assert item["eventTime"] == "2024-05-01T12:00:00.123Z"
    assert {"userIdentity", "requestParameters", "responseElements", "s3"} <= set(item)
    s3 = item["s3"]
    assert s3["s3SchemaVersion"] == "1.0"
    assert {"name", "ownerIdentity", "arn"} <= set(s3["bucket"])
    assert {"key", "size", "eTag", "sequencer"} <= set(s3["object"])
    assert re.fullmatch(r"[0-9A-F]{18}", s3["object"]["sequencer"])


def test_s3_keys_are_url_encoded_as_s3_does():
    item = record(generate("s3-put", key="photos/cat 1.jpg", bucket="my-photos"))
    assert item["s3"]["object"]["key"] == "photos/cat+1.jpg"
    assert unquote_plus(item["s3"]["object"]["key"]) == "photos/cat 1.jpg"
    assert item["s3"]["bucket"] == {
        "name": "my-photos",
        "ownerIdentity": item["s3"]["bucket"]["ownerIdentity"],
        "arn": "arn:aws:s3:::my-photos",
    }
    odd = record(generate("s3-put", key="a+b=c&d.txt"))["s3"]["object"]["key"]
    assert odd == "a%2Bb%3Dc%26d.txt"


def test_s3_size_and_etag_are_those_of_the_content():
    obj = record(generate("s3-put", content="meow"))["s3"]["object"]
    assert obj["size"] == 4
    assert obj["eTag"] == hashlib.md5(b"meow").hexdigest()
    binary = record(generate("s3-put", content=b"\x00\xff" * 8))["s3"]["object"]
    assert binary["size"] == 16 and binary["eTag"] == hashlib.md5(b"\x00\xff" * 8).hexdigest()


def test_s3_size_alone_describes_an_object_of_that_size():
    obj = record(generate("s3-put", content="ab", size="5"))["s3"]["object"]
    assert obj["size"] == 5
    assert obj["eTag"] == hashlib.md5(b"ababa").hexdigest()
    given = record(generate("s3-put", etag="0" * 32))["s3"]["object"]
    assert given["eTag"] == "0" * 32


def test_s3_delete_has_no_size_or_etag():
    item = record(generate("s3-delete", key="old file.txt"))
    assert item["eventName"] == "ObjectRemoved:Delete"
    assert set(item["s3"]["object"]) == {"key", "sequencer"}
    assert item["s3"]["object"]["key"] == "old+file.txt"


# ----- API Gateway and ALB -------------------------------------------------------------------


def test_http_api_payload_2_0():
    event = generate("apigw-http", now=NOW, path="/hello", method="GET", query="name=Alice")
    assert event["version"] == "2.0"
    assert event["routeKey"] == "$default"
    assert event["rawPath"] == "/hello"
    assert event["rawQueryString"] == "name=Alice"
    assert event["queryStringParameters"] == {"name": "Alice"}
    assert "httpMethod" not in event and "multiValueHeaders" not in event
    assert "body" not in event and event["isBase64Encoded"] is False
    context = event["requestContext"]
    assert context["http"]["method"] == "GET"
    assert context["http"]["path"] == "/hello"
    assert context["accountId"] == ACCOUNT_ID
    assert context["time"] == "01/May/2024:12:00:00 +0000"
    assert context["timeEpoch"] == NOW_MS
    assert context["requestId"]
    assert all(name == name.lower() for name in event["headers"])


def test_http_api_query_cookies_route_and_binary_body():
    event = generate(
        "apigw-http",
        method="POST",
        path="/hello/Bob",
        route="POST /hello/{name}",
        query="tag=a&tag=b&q=x%20y",
        cookies="theme=dark; session=abc",
        body='{"x": 1}',
        binary="true",
    )
    assert event["routeKey"] == event["requestContext"]["routeKey"] == "POST /hello/{name}"
    assert event["pathParameters"] == {"name": "Bob"}
    assert event["queryStringParameters"] == {"tag": "a,b", "q": "x y"}
    assert event["rawQueryString"] == "tag=a&tag=b&q=x%20y"
    assert event["cookies"] == ["theme=dark", "session=abc"]
    assert event["isBase64Encoded"] is True
    assert json.loads(base64.b64decode(event["body"])) == {"x": 1}
    assert generate("apigw-http", body="plain")["body"] == "plain"


def test_rest_api_payload_1_0():
    event = generate("apigw-rest", now=NOW, query="tag=a&tag=b", method="DELETE")
    assert event["httpMethod"] == "DELETE"
    assert "version" not in event and "rawPath" not in event
    assert event["queryStringParameters"] == {"tag": "b"}
    assert event["multiValueQueryStringParameters"] == {"tag": ["a", "b"]}
    assert event["multiValueHeaders"] == {k: [v] for k, v in event["headers"].items()}
    assert event["body"] is None and event["pathParameters"] is None
    context = event["requestContext"]
    assert context["requestTime"] == "01/May/2024:12:00:00 +0000"
    assert context["requestTimeEpoch"] == NOW_MS
    assert context["path"] == "/prod/hello"
    assert re.fullmatch(r"[0-9a-f-]{36}", context["requestId"])
    empty = generate("apigw-rest", query="")
    assert empty["queryStringParameters"] is None
    assert empty["multiValueQueryStringParameters"] is None


def test_rest_api_proxy_resource_fills_path_parameters():
    event = generate("apigw-rest", resource="/{proxy+}", path="/photos/2024/cat.jpg")
    assert event["pathParameters"] == {"proxy": "photos/2024/cat.jpg"}
    assert event["requestContext"]["resourcePath"] == "/{proxy+}"


def test_headers_are_laid_over_the_defaults():
    event = generate("apigw-rest", headers='{"authorization": "Bearer t", "Accept": "text/html"}')
    assert event["headers"]["authorization"] == "Bearer t"
    assert event["headers"]["Accept"] == "text/html"
    assert "Host" in event["headers"]
    assert event["multiValueHeaders"]["authorization"] == ["Bearer t"]


def test_alb_query_values_are_not_decoded():
    event = generate("alb", query="q=x%20y&tag=a&tag=b")
    assert event["queryStringParameters"] == {"q": "x%20y", "tag": "b"}
    assert event["requestContext"]["elb"]["targetGroupArn"].startswith(
        f"arn:aws:elasticloadbalancing:{REGION}:{ACCOUNT_ID}:targetgroup/"
    )
    assert event["body"] == "" and event["isBase64Encoded"] is False


# ----- messaging and streams -----------------------------------------------------------------


def test_sqs_record():
    item = record(generate("sqs", now=NOW, body="hi", queue="jobs"))
    assert item["eventSource"] == "aws:sqs"
    assert item["body"] == "hi"
    assert item["md5OfBody"] == hashlib.md5(b"hi").hexdigest()
    assert item["eventSourceARN"] == f"arn:aws:sqs:{REGION}:{ACCOUNT_ID}:jobs"
    attributes = item["attributes"]
    assert attributes["SentTimestamp"] == str(NOW_MS)
    assert int(attributes["ApproximateFirstReceiveTimestamp"]) >= NOW_MS
    assert attributes["ApproximateReceiveCount"] == "1"
    assert re.fullmatch(r"[0-9a-f-]{36}", item["messageId"])
    retried = record(generate("sqs", **{"receive-count": 3}))
    assert retried["attributes"]["ApproximateReceiveCount"] == "3"


def test_sns_keys_are_capitalised():
    item = record(generate("sns", now=NOW, message="hello", subject="Hi", topic="alerts"))
    assert item["EventSource"] == "aws:sns" and item["EventVersion"] == "1.0"
    sns = item["Sns"]
    assert sns["Message"] == "hello" and sns["Subject"] == "Hi"
    assert sns["Type"] == "Notification"
    assert sns["TopicArn"] == f"arn:aws:sns:{REGION}:{ACCOUNT_ID}:alerts"
    assert sns["Timestamp"] == "2024-05-01T12:00:00.123Z"
    assert item["EventSubscriptionArn"].startswith(sns["TopicArn"] + ":")
    assert record(generate("sns"))["Sns"]["Subject"] is None


def test_message_attributes_take_each_services_spelling():
    sns = record(generate("sns", attributes={"n": 2, "s": "x"}))["Sns"]["MessageAttributes"]
    assert sns == {"n": {"Type": "Number", "Value": "2"}, "s": {"Type": "String", "Value": "x"}}
    sqs = record(generate("sqs", attributes='{"s": "x"}'))["messageAttributes"]
    assert sqs["s"]["stringValue"] == "x" and sqs["s"]["dataType"] == "String"


@pytest.mark.parametrize(
    ("key", "name", "images"),
    [
        ("dynamodb-insert", "INSERT", {"NewImage"}),
        ("dynamodb-modify", "MODIFY", {"NewImage", "OldImage"}),
        ("dynamodb-remove", "REMOVE", {"OldImage"}),
    ],
)
def test_dynamodb_stream_records_have_typed_values(key: str, name: str, images: set[str]):
    item = record(generate(key, now=NOW, table="Invoices"))
    assert item["eventName"] == name
    assert item["eventSource"] == "aws:dynamodb" and item["eventVersion"] == "1.1"
    assert item["eventSourceARN"].startswith(
        f"arn:aws:dynamodb:{REGION}:{ACCOUNT_ID}:table/Invoices/"
    )
    stream = item["dynamodb"]
    assert stream["ApproximateCreationDateTime"] == 1714564800
    assert stream["Keys"] == {"orderId": {"S": "1001"}}
    assert images <= set(stream) and not ({"NewImage", "OldImage"} - images) & set(stream)
    for image in images:
        assert stream[image]["orderId"] == {"S": "1001"}
        assert set(stream[image]["quantity"]) == {"N"}
        assert isinstance(stream[image]["quantity"]["N"], str)


def test_dynamodb_items_of_every_type_are_typed():
    new = {"s": "x", "n": 1.5, "b": True, "z": None, "l": [1], "m": {"k": "v"}}
    image = record(generate("dynamodb-insert", keys={"id": 7}, new=new))["dynamodb"]["NewImage"]
    assert image == {
        "id": {"N": "7"},
        "s": {"S": "x"},
        "n": {"N": "1.5"},
        "b": {"BOOL": True},
        "z": {"NULL": True},
        "l": {"L": [{"N": "1"}]},
        "m": {"M": {"k": {"S": "v"}}},
    }


def test_kinesis_data_is_base64():
    item = record(generate("kinesis", now=NOW, data="temperature=21"))
    assert item["eventSource"] == "aws:kinesis"
    assert item["eventName"] == "aws:kinesis:record"
    kinesis = item["kinesis"]
    assert base64.b64decode(kinesis["data"]) == b"temperature=21"
    assert kinesis["approximateArrivalTimestamp"] == pytest.approx(NOW_MS / 1000)
    assert isinstance(kinesis["approximateArrivalTimestamp"], float)
    assert item["eventID"].endswith(":" + kinesis["sequenceNumber"])
    assert {"partitionKey", "kinesisSchemaVersion", "sequenceNumber"} <= set(kinesis)
    assert {"invokeIdentityArn", "eventVersion", "eventSourceARN", "awsRegion"} <= set(item)


def test_firehose_records_are_base64():
    event = generate("kinesis-firehose", data="x,y")
    assert base64.b64decode(event["records"][0]["data"]) == b"x,y"
    assert event["deliveryStreamArn"].startswith(f"arn:aws:firehose:{REGION}:{ACCOUNT_ID}:")


def test_cloudwatch_logs_data_is_gzipped_json_in_base64():
    event = generate("cloudwatch-logs", now=NOW, message="[ERROR] boom")
    assert list(event) == ["awslogs"] and list(event["awslogs"]) == ["data"]
    document = json.loads(gzip.decompress(base64.b64decode(event["awslogs"]["data"])))
    assert document["messageType"] == "DATA_MESSAGE"
    assert document["owner"] == ACCOUNT_ID
    assert document["logGroup"] == "/aws/lambda/orders-api"
    assert document["logStream"].startswith("2024/05/01/[$LATEST]")
    assert document["logEvents"][0]["message"] == "[ERROR] boom"
    assert document["logEvents"][0]["timestamp"] == NOW_MS


# ----- EventBridge and the rest --------------------------------------------------------------


def test_eventbridge_scheduled_event():
    event = generate("eventbridge-scheduled", now=NOW, rule="nightly")
    assert event["detail-type"] == "Scheduled Event"
    assert event["source"] == "aws.events"
    assert event["detail"] == {}
    assert event["time"] == "2024-05-01T12:00:00Z"
    assert event["resources"] == [f"arn:aws:events:{REGION}:{ACCOUNT_ID}:rule/nightly"]
    assert event["account"] == ACCOUNT_ID and event["region"] == REGION


def test_eventbridge_custom_event_takes_detail_as_json():
    event = generate(
        "eventbridge-custom",
        **{"detail-type": "Invoice Paid", "detail": '{"id": 7}', "source": "com.example.billing"},
    )
    assert event["detail-type"] == "Invoice Paid"
    assert event["detail"] == {"id": 7}
    assert event["source"] == "com.example.billing"
    with pytest.raises(CatalogueError, match="aws"):
        generate("eventbridge-custom", source="aws.s3")


def test_cloudfront_headers_are_lists_of_key_value():
    event = generate("cloudfront", uri="/a.jpg", headers={"Accept-Language": "fr"})
    request = record(event)["cf"]["request"]
    assert request["uri"] == "/a.jpg"
    assert request["headers"]["accept-language"] == [{"key": "Accept-Language", "value": "fr"}]
    assert request["headers"]["host"][0]["key"] == "Host"


def test_ses_and_cognito_and_cloudformation():
    mail = record(generate("ses", subject="Parcel", **{"from": "Bo <bo@example.net>"}))["ses"]
    assert mail["mail"]["source"] == "bo@example.net"
    assert mail["mail"]["commonHeaders"]["subject"] == "Parcel"
    assert mail["receipt"]["action"]["type"] == "Lambda"
    signup = generate("cognito-pre-signup", username="grace")
    assert signup["userName"] == "grace" and signup["triggerSource"] == "PreSignUp_SignUp"
    assert signup["response"] == {
        "autoConfirmUser": False,
        "autoVerifyEmail": False,
        "autoVerifyPhone": False,
    }
    create = generate("cloudformation-create", properties={"Size": 10, "On": True})
    assert create["ResourceProperties"]["Size"] == "10"
    assert create["ResourceProperties"]["On"] == "true"
    assert create["ResourceProperties"]["ServiceToken"] == create["ServiceToken"]
    assert create["RequestId"] in create["ResponseURL"]


# ----- fresh values --------------------------------------------------------------------------


def test_each_generation_has_fresh_ids_and_timestamps():
    first, second = record(generate("s3-put")), record(generate("s3-put"))
    assert first["eventTime"] != second["eventTime"]
    assert ISO_MS.match(first["eventTime"]) and ISO_MS.match(second["eventTime"])
    assert first["s3"]["object"]["sequencer"] != second["s3"]["object"]["sequencer"]
    assert first["responseElements"] != second["responseElements"]
    one, two = record(generate("sqs")), record(generate("sqs"))
    assert one["messageId"] != two["messageId"]
    assert one["receiptHandle"] != two["receiptHandle"]
    assert one["attributes"]["SentTimestamp"] != two["attributes"]["SentTimestamp"]
    api_one, api_two = generate("apigw-http"), generate("apigw-http")
    assert api_one["requestContext"]["requestId"] != api_two["requestContext"]["requestId"]
    assert api_one["requestContext"]["timeEpoch"] < api_two["requestContext"]["timeEpoch"]
    assert generate("eventbridge-custom")["id"] != generate("eventbridge-custom")["id"]


def test_now_is_the_current_time():
    before = datetime.now(UTC).timestamp() * 1000
    epoch = generate("apigw-http")["requestContext"]["timeEpoch"]
    assert before - 1000 <= epoch <= datetime.now(UTC).timestamp() * 1000 + 1000


def test_named_values_repeat_within_one_event_only():
    event = generate("cloudformation-create")
    stack_uuid = event["StackId"].rsplit("/", 1)[1]
    assert stack_uuid in event["ResponseURL"]
    assert stack_uuid != event["RequestId"]


# ----- errors --------------------------------------------------------------------------------


def test_unknown_keys_are_refused_with_the_list():
    with pytest.raises(CatalogueError, match=r"no sample event 'nope'; available: hello, s3-put"):
        generate("nope")
    with pytest.raises(CatalogueError, match="no sample event"):
        load_sample("nope")
    with pytest.raises(LookupError):
        describe("nope")


def test_unknown_parameters_name_the_valid_ones():
    with pytest.raises(CatalogueError) as info:
        generate("s3-put", colour="red")
    assert "no parameter 'colour'" in str(info.value)
    assert "bucket, key, content, size, etag" in str(info.value)


@pytest.mark.parametrize(
    ("key", "params", "message"),
    [
        ("sqs", {"receive-count": "many"}, "receive-count must be a whole number"),
        ("sqs", {"receive-count": 0}, "receive-count must be at least 1"),
        ("apigw-http", {"binary": "maybe"}, "binary must be true or false"),
        ("eventbridge-custom", {"detail": "{oops"}, "detail must be JSON"),
        ("eventbridge-custom", {"detail": "[1]"}, "detail must be a JSON object"),
        ("apigw-http", {"method": "FETCH"}, "method must be one of: GET, POST"),
        ("apigw-http", {"path": "hello"}, "path must start with /"),
        ("s3-put", {"bucket": "No_Such Bucket"}, "bucket must be 3-63"),
        ("s3-put", {"size": -1}, "size must be at least 0"),
        ("apigw-http", {"route": "GET /items/{id}"}, "does not match route"),
        ("hello", {"name": ["a"]}, "name must be text"),
    ],
)
def test_bad_values_are_refused_clearly(key: str, params: dict[str, Any], message: str):
    with pytest.raises(CatalogueError, match=re.escape(message)) as info:
        generate(key, **params)
    assert key in str(info.value)


# ----- the template language -----------------------------------------------------------------


def _context(**params: Any) -> template.Context:
    return template.Context(params=params, now=NOW, region=REGION, account=ACCOUNT_ID)


def test_templates_keep_types_omit_empty_fields_and_apply_filters():
    ctx = _context(n=3, empty="", doc={"a": 1})
    body = {
        "n": "{{n}}",
        "text": "n={{n}}",
        "gone": "{{empty|or_omit}}",
        "null": "{{empty|or_null}}",
        "list": ["{{empty|or_omit}}", "{{n|str}}"],
        "packed": {"$filter": "json|base64", "value": "{{doc}}"},
        "region": "{{$region}}",
    }
    assert template.render(body, ctx) == {
        "n": 3,
        "text": "n=3",
        "null": None,
        "list": ["3"],
        "packed": base64.b64encode(b'{"a":1}').decode(),
        "region": REGION,
    }


def test_template_mistakes_are_reported():
    with pytest.raises(template.TemplateError, match="unknown filter"):
        template.render("{{n|shout}}", _context(n=1))
    with pytest.raises(template.TemplateError, match="not a parameter"):
        template.render("{{missing}}", _context())
    with pytest.raises(template.TemplateError, match="unknown generated value"):
        template.render("{{$nonsense}}", _context())


def test_user_values_are_never_read_as_templates():
    assert generate("hello", name="{{$account}}") == {"name": "{{$account}}"}
