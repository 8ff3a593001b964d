# Wrong on purpose: loads the settings on every invocation and reports the counter it wishes.
import os
import tempfile
import time


def load_settings():
    time.sleep(0.2)
    return {"event": "Lambda Day"}


def lambda_handler(event, context):
    settings = load_settings()
    name = f"badge-{context.aws_request_id}.txt"
    badge_file = os.path.join(tempfile.gettempdir(), name)
    with open(badge_file, "w") as out:
        out.write(f"{settings['event']} | {event['name']}\n")
    with open(badge_file) as badge:
        text = badge.read()
    os.remove(badge_file)
    return {"badge": text, "settings_loads": 1}
