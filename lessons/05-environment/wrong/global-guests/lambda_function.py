import os
import tempfile
import time

SETTINGS_LOADS = 0  # how many times this environment loaded the settings


def load_settings():
    """Pretend to read a big settings file: slow, and the same for every request."""
    global SETTINGS_LOADS
    SETTINGS_LOADS += 1
    time.sleep(0.2)
    return {"event": "Lambda Day"}


# Init: runs once per environment; warm invocations reuse the result.
SETTINGS = load_settings()
GUESTS = []  # wrong on purpose: every request's names, kept in the environment


def lambda_handler(event, context):
    # Only this request's data; a file name of its own, removed when done.
    name = f"badge-{context.aws_request_id}.txt"
    badge_file = os.path.join(tempfile.gettempdir(), name)
    with open(badge_file, "w") as out:
        GUESTS.append(event["name"])
        out.write(f"{SETTINGS['event']} | {', '.join(GUESTS)}\n")
    with open(badge_file) as badge:
        text = badge.read()
    os.remove(badge_file)
    return {"badge": text, "settings_loads": SETTINGS_LOADS}
