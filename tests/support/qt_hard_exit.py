"""A pytest plugin for the Qt tests: end the process without Python's finalization.

PySide6 6.12 can crash while the interpreter finalizes after all Qt tests have passed
("none_dealloc: deallocating None"); the results are already reported by then, so the
process exits with pytest's status without running finalization.
"""

from __future__ import annotations

import os
import sys

import pytest

_status = {"code": 0}


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    _status["code"] = int(exitstatus)


@pytest.hookimpl(trylast=True)
def pytest_unconfigure(config: pytest.Config) -> None:
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(_status["code"])
