"""A 100 MB log flood through `serve`: capped in bytes, said so in the log, memory bounded."""

from __future__ import annotations

import base64
import sys
import textwrap
from pathlib import Path

import pytest

from tests.integration.test_invoke_api import lambda_client
from tests.support.cli_process import free_port, running_cli

FLOOD = """
import sys
def lambda_handler(event, context):
    line = "x" * (event["line_kb"] * 1024) + "\\n"
    for _ in range(event["mb"] * 1024 // event["line_kb"]):
        sys.stdout.write(line)
    sys.stdout.flush()
    return "done"
"""


def _rss_mb(pid: int) -> float:
    with open(f"/proc/{pid}/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    raise AssertionError("no VmRSS")


@pytest.mark.skipif(sys.platform != "linux", reason="reads /proc")
@pytest.mark.parametrize("line_kb", [10, 3 * 1024])  # many long lines; lines over 1 MB
def test_a_100_mb_flood_is_capped_and_serve_memory_stays_flat(tmp_path: Path, line_kb: int):
    folder = tmp_path / "flood"
    folder.mkdir()
    (folder / "lambda_function.py").write_text(textwrap.dedent(FLOOD))
    (folder / "function.toml").write_text("timeout = 120\nmemory = 512\n")
    port = free_port()
    args = ["serve", str(folder), "--backend", "process", "--port", str(port)]
    with running_cli(args, banner="Serving", stderr_path=tmp_path / "stderr.txt") as served:
        client = lambda_client(f"http://127.0.0.1:{port}")
        payload = f'{{"mb": 1, "line_kb": {line_kb}}}'.encode()
        client.invoke(FunctionName="flood", Payload=payload)  # warm: imports, buffers
        before = _rss_mb(served.proc.pid)
        payload = f'{{"mb": 100, "line_kb": {line_kb}}}'.encode()
        for _ in range(2):
            response = client.invoke(FunctionName="flood", Payload=payload, LogType="Tail")
            assert response["Payload"].read() == b'"done"'
        growth = _rss_mb(served.proc.pid) - before
        tail = base64.b64decode(response["LogResult"]).decode()
    print(f"serve RSS growth after 2 × 100 MB floods of {line_kb} KB lines: {growth:.1f} MB")
    assert growth < 40, f"serve grew by {growth:.1f} MB"
    assert "[workbench] log cut: " in tail and "were not kept" in tail
    logged = (tmp_path / "stderr.txt").read_bytes()
    assert len(logged) < 3 * 4 * 1024 * 1024  # ≈ 2 MB per invocation reached the terminal
    if line_kb > 1024:
        assert b"[workbench: line cut here, " in logged
