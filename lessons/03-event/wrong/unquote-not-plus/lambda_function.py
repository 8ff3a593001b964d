# Wrong on purpose: unquote decodes %XX but leaves the + that stands for a space.
from urllib.parse import unquote


def lambda_handler(event, context):
    record = event["Records"][0]
    if record.get("eventSource") == "aws:s3":
        s3 = record["s3"]
        return {"bucket": s3["bucket"]["name"], "key": unquote(s3["object"]["key"])}
    if record.get("EventSource") == "aws:sns":
        sns = record["Sns"]
        return {"subject": sns["Subject"], "message": sns["Message"]}
    raise ValueError("expected an S3 or an SNS event")
