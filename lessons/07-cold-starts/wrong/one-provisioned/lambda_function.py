import time

time.sleep(0.3)  # init: importing a heavy payment library, say


def lambda_handler(event, context):
    time.sleep(0.2)  # the request's own work
    return {"order": event.get("order"), "status": "paid"}
