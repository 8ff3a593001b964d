# Wrong on purpose: turns + into spaces but leaves %28, %C3%AB and friends encoded.
def lambda_handler(event, context):
    record = event["Records"][0]
    if record.get("eventSource") == "aws:s3":
        s3 = record["s3"]
        return {"bucket": s3["bucket"]["name"], "key": s3["object"]["key"].replace("+", " ")}
    if record.get("EventSource") == "aws:sns":
        sns = record["Sns"]
        return {"subject": sns["Subject"], "message": sns["Message"]}
    raise ValueError("expected an S3 or an SNS event")
