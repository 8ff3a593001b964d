"""The installed Qt binding must not lose references to None (PySide6 6.12.0 did, on 3.11)."""

from __future__ import annotations

import sys

from PySide6.QtCore import QObject


def test_void_qt_calls_keep_none_referenced(qapp):
    """Each void call in the broken build took one reference off None until Python aborted."""
    probe = QObject()
    before = sys.getrefcount(None)
    for _ in range(1000):
        probe.setObjectName("probe")
    assert before - sys.getrefcount(None) < 500, "this PySide6 build leaks None: see pyproject"
