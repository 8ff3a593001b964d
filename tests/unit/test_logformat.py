"""The platform log lines, byte for byte as Lambda writes them (LAMBDA_FACTS.md §A3).

Fields are TAB-separated; REPORT ends with a TAB; Duration has 2 decimals; Init Duration only on
a cold start; newer Status / Error Type fields after it.
"""

from __future__ import annotations

import re

import pytest

from workbench.core import logformat
from workbench.core.events import Report

RID = "8f507cfc-xmpl-4697-b07a-ac58fc914c95"


def report(**fields: object) -> Report:
    base: dict[str, object] = {
        "request_id": RID,
        "duration_ms": 15.74,
        "billed_duration_ms": 16,
        "memory_size_mb": 128,
        "max_memory_used_mb": 56,
    }
    base.update(fields)
    return Report(**base)  # type: ignore[arg-type]


def test_start_line() -> None:
    assert logformat.start_line(RID) == f"START RequestId: {RID} Version: $LATEST"
    assert logformat.start_line(RID, "7") == f"START RequestId: {RID} Version: 7"


def test_end_line() -> None:
    assert logformat.end_line(RID) == f"END RequestId: {RID}"


def test_warm_report_line_is_exact() -> None:
    assert logformat.report_line(report()) == (
        f"REPORT RequestId: {RID}\tDuration: 15.74 ms\tBilled Duration: 16 ms\t"
        "Memory Size: 128 MB\tMax Memory Used: 56 MB\t"
    )


def test_cold_report_line_ends_with_init_duration_and_a_tab() -> None:
    line = logformat.report_line(report(billed_duration_ms=147, init_duration_ms=130.49))
    assert line == (
        f"REPORT RequestId: {RID}\tDuration: 15.74 ms\tBilled Duration: 147 ms\t"
        "Memory Size: 128 MB\tMax Memory Used: 56 MB\tInit Duration: 130.49 ms\t"
    )


def test_init_duration_absent_when_warm() -> None:
    assert "Init Duration" not in logformat.report_line(report(init_duration_ms=None))


@pytest.mark.parametrize(
    ("duration", "shown"),
    [(15.744, "15.74"), (0.5, "0.50"), (3064.0, "3064.00"), (1.0, "1.00"), (812.4, "812.40")],
)
def test_duration_has_two_decimals(duration: float, shown: str) -> None:
    line = logformat.report_line(report(duration_ms=duration))
    assert f"\tDuration: {shown} ms\t" in line


def test_timeout_report_line() -> None:
    line = logformat.report_line(
        report(duration_ms=3000.0, billed_duration_ms=3000, max_memory_used_mb=24, status="timeout")
    )
    assert line == (
        f"REPORT RequestId: {RID}\tDuration: 3000.00 ms\tBilled Duration: 3000 ms\t"
        "Memory Size: 128 MB\tMax Memory Used: 24 MB\tStatus: timeout\t"
    )


def test_error_report_line_names_the_error_type() -> None:
    line = logformat.report_line(
        report(
            duration_ms=812.4,
            billed_duration_ms=813,
            memory_size_mb=256,
            max_memory_used_mb=256,
            status="error",
            error_type="Runtime.OutOfMemory",
        )
    )
    assert line == (
        f"REPORT RequestId: {RID}\tDuration: 812.40 ms\tBilled Duration: 813 ms\t"
        "Memory Size: 256 MB\tMax Memory Used: 256 MB\tStatus: error\t"
        "Error Type: Runtime.OutOfMemory\t"
    )


def test_cold_error_report_has_init_duration_before_status() -> None:
    line = logformat.report_line(
        report(init_duration_ms=99.5, status="error", error_type="Runtime.ExitError")
    )
    assert line.endswith(
        "\tInit Duration: 99.50 ms\tStatus: error\tError Type: Runtime.ExitError\t"
    )


def test_success_report_has_no_status_field() -> None:
    assert "Status" not in logformat.report_line(report(status="success"))


def test_report_fields_are_in_aws_order() -> None:
    line = logformat.report_line(report(init_duration_ms=1.0, status="timeout"))
    names = [field.split(":")[0] for field in line.rstrip("\t").split("\t")]
    assert names == [
        "REPORT RequestId",
        "Duration",
        "Billed Duration",
        "Memory Size",
        "Max Memory Used",
        "Init Duration",
        "Status",
    ]


def test_init_report_error_line() -> None:
    line = logformat.init_report_line(150.789, "init", "error", "Runtime.UserCodeSyntaxError")
    assert line == (
        "INIT_REPORT Init Duration: 150.79 ms\tPhase: init\tStatus: error\t"
        "Error Type: Runtime.UserCodeSyntaxError"
    )


def test_init_report_timeout_line() -> None:
    assert logformat.init_report_line(9999.79, "init", "timeout") == (
        "INIT_REPORT Init Duration: 9999.79 ms\tPhase: init\tStatus: timeout"
    )


def test_init_report_invoke_phase() -> None:
    line = logformat.init_report_line(3.0, "invoke", "error", "Runtime.ImportModuleError")
    assert "\tPhase: invoke\t" in line
    assert line.startswith("INIT_REPORT Init Duration: 3.00 ms\t")


def test_init_start_line() -> None:
    line = logformat.init_start_line("python3.11")
    assert line.startswith("INIT_START Runtime Version: python3.11")
    assert "\tRuntime Version ARN: " in line


def test_init_start_line_of_an_image_function_names_the_image() -> None:
    """An image function runs its image's runtime: the line must not claim python3.11 (the
    config's default runtime). AWS's INIT_START names a managed runtime version
    (`python:3.12.v18`, docs python-logging.md, LAMBDA_FACTS A3); runtime versions are managed
    for .zip functions only (runtimes-update.html), so for an image the image is named."""
    line = logformat.init_start_line("python3.11", "lambda-workbench/fn-demo:abc")
    assert line.startswith("INIT_START Runtime Version: image:lambda-workbench/fn-demo:abc\t")
    assert "python3.11" not in line


@pytest.mark.parametrize(
    ("epoch", "text"),
    [
        (0.0, "1970-01-01T00:00:00.000Z"),
        (1620722934.169, "2021-05-11T08:48:54.169Z"),
        (1620722934.0005, "2021-05-11T08:48:54.000Z"),
        (1620722934.9999, "2021-05-11T08:48:54.999Z"),
    ],
)
def test_iso_timestamp(epoch: float, text: str) -> None:
    assert logformat.iso_timestamp(epoch) == text


def test_timeout_message() -> None:
    message = logformat.timeout_message(1620722934.169, RID, 3.0)
    assert message == f"2021-05-11T08:48:54.169Z {RID} Task timed out after 3.00 seconds"


def test_timeout_message_rounds_elapsed_to_two_decimals() -> None:
    message = logformat.timeout_message(1700000000.0, RID, 3.0642)
    assert re.fullmatch(
        rf"\d{{4}}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{{3}}Z {RID} Task timed out after 3\.06 seconds",
        message,
    )
