def lambda_handler(event, context):
    record = event["Records"][0]
    if record["eventSource"] == "aws:s3":
        s3 = record["s3"]
        return {"bucket": s3["bucket"]["name"], "key": s3["object"]["key"]}
    sns = record["sns"]
    return {"subject": sns["subject"], "message": sns["message"]}
