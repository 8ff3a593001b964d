"""CloudWatch log lines exactly as Lambda writes them (tab-separated, trailing tab on REPORT)."""

from __future__ import annotations

from datetime import UTC, datetime

from workbench.core.events import Report

VERSION = "$LATEST"


def start_line(request_id: str, version: str = VERSION) -> str:
    return f"START RequestId: {request_id} Version: {version}"


def end_line(request_id: str) -> str:
    return f"END RequestId: {request_id}"


def report_line(report: Report) -> str:
    fields = [
        f"REPORT RequestId: {report.request_id}",
        f"Duration: {report.duration_ms:.2f} ms",
        f"Billed Duration: {report.billed_duration_ms} ms",
        f"Memory Size: {report.memory_size_mb} MB",
        f"Max Memory Used: {report.max_memory_used_mb} MB",
    ]
    if report.init_duration_ms is not None:
        fields.append(f"Init Duration: {report.init_duration_ms:.2f} ms")
    if report.status == "timeout":
        fields.append("Status: timeout")
    elif report.status == "error":
        fields.extend(["Status: error", f"Error Type: {report.error_type}"])
    return "\t".join(fields) + "\t"


def init_start_line(runtime: str, image: str | None = None) -> str:
    """The first line of a cold start. An image function runs the image's own runtime, not
    `runtime` (AWS manages runtime versions for .zip functions only): the line names the image."""
    version = f"image:{image}" if image else f"{runtime}.workbench"
    return f"INIT_START Runtime Version: {version}\tRuntime Version ARN: local"


def init_report_line(
    duration_ms: float, phase: str, status: str, error_type: str | None = None
) -> str:
    fields = [f"INIT_REPORT Init Duration: {duration_ms:.2f} ms", f"Phase: {phase}"]
    fields.append(f"Status: {status}")
    if error_type:
        fields.append(f"Error Type: {error_type}")
    return "\t".join(fields)


def iso_timestamp(epoch_s: float) -> str:
    """2021-05-11T08:48:54.169Z, as Lambda prefixes platform messages."""
    stamp = datetime.fromtimestamp(epoch_s, UTC)
    return stamp.strftime("%Y-%m-%dT%H:%M:%S.") + f"{stamp.microsecond // 1000:03d}Z"


def timeout_message(epoch_s: float, request_id: str, elapsed_s: float) -> str:
    return f"{iso_timestamp(epoch_s)} {request_id} Task timed out after {elapsed_s:.2f} seconds"


def stopped_message(epoch_s: float, request_id: str, elapsed_s: float) -> str:
    """The log line of an invocation the learner stopped (a local feature: AWS has no Stop)."""
    return (
        f"{iso_timestamp(epoch_s)} {request_id} Task stopped by the learner after "
        f"{elapsed_s:.2f} seconds; the environment is reset, the next invocation starts cold"
    )
