"""The smallest useful handler: greets whoever the event names, and counts warm invocations."""

import os

# Code outside the handler runs once per execution environment, during init.
invocations = 0


def lambda_handler(event, context):
    global invocations
    invocations += 1
    name = event.get("name", "world") if isinstance(event, dict) else "world"
    print(f"Hello from {context.function_name}, invocation {invocations} in this environment")
    return {
        "message": f"Hello, {name}!",
        "invocation_in_this_environment": invocations,
        "request_id": context.aws_request_id,
        "memory_limit_in_mb": context.memory_limit_in_mb,
        "remaining_ms": context.get_remaining_time_in_millis(),
        "pid": os.getpid(),
    }
