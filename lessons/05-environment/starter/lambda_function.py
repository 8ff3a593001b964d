import os
import tempfile
import time

SETTINGS_LOADS = 0  # how many times this environment loaded the settings
names = []  # names seen so far


def load_settings():
    """Pretend to read a big settings file: slow, and the same for every request."""
    global SETTINGS_LOADS
    SETTINGS_LOADS += 1
    time.sleep(0.2)
    return {"event": "Lambda Day"}


def lambda_handler(event, context):
    settings = load_settings()
    names.append(event["name"])
    badge_file = os.path.join(tempfile.gettempdir(), "badge.txt")  # /tmp/badge.txt on AWS
    with open(badge_file, "a") as out:
        out.write(f"{settings['event']} | {', '.join(names)}\n")
    with open(badge_file) as badge:
        text = badge.read()
    return {"badge": text, "settings_loads": SETTINGS_LOADS}
