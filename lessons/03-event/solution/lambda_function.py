from urllib.parse import unquote_plus


def lambda_handler(event, context):
    record = event["Records"][0]
    if record.get("eventSource") == "aws:s3":
        s3 = record["s3"]
        # S3 URL-encodes the key in events: "cat+photos/tabby+1.jpg".
        return {"bucket": s3["bucket"]["name"], "key": unquote_plus(s3["object"]["key"])}
    if record.get("EventSource") == "aws:sns":  # SNS capitalises its keys
        sns = record["Sns"]
        return {"subject": sns["Subject"], "message": sns["Message"]}
    raise ValueError("expected an S3 or an SNS event")
