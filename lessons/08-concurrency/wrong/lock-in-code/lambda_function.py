# Wrong on purpose: a lock inside the code. Each environment has its own lock, so five
# environments still open five connections.
import threading
import time

CONNECTIONS = threading.BoundedSemaphore(2)


def lambda_handler(event, context):
    with CONNECTIONS:
        time.sleep(0.5)
    return {"order": event.get("order"), "saved": True}
