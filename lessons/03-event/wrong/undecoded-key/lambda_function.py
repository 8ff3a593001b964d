# Wrong on purpose: the key is used as the event carries it, URL-encoded.
def lambda_handler(event, context):
    record = event["Records"][0]
    if record.get("eventSource") == "aws:s3":
        s3 = record["s3"]
        return {"bucket": s3["bucket"]["name"], "key": s3["object"]["key"]}
    if record.get("EventSource") == "aws:sns":
        sns = record["Sns"]
        return {"subject": sns["Subject"], "message": sns["Message"]}
    raise ValueError("expected an S3 or an SNS event")
