"""A small HTTP client for the local API Gateway: method, path, body, Send, and the answer.

Lessons' `api-call` actions fill it in and press Send; the learner can edit and send again.
The request goes over a real socket to the API trigger, so the gateway, the invocation, the
logs and the billing are the same as for curl.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

import aiohttp
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from workbench.ui.tasks import spawn

METHODS = ("GET", "POST", "PUT", "DELETE", "PATCH")
REQUEST_LIMIT_S = 35.0  # API Gateway's own integration timeout is 30 s

# Gives the base URL of a running API trigger (starting one when needed), or why there is none.
ApiBase = Callable[[], Awaitable[str]]


class RequestPanel(QWidget):
    """Send one request to the function's API trigger and show the status, headers and body."""

    def __init__(self, api_base: ApiBase, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("requestPanel")
        self._api_base = api_base
        self.task: asyncio.Task[str] | None = None
        self.method = QComboBox()
        self.method.addItems(METHODS)
        self.method.setToolTip("The HTTP method")
        self.path = QLineEdit("/")
        self.path.setToolTip("The path and query string, e.g. /hello?name=Ada")
        self.path.returnPressed.connect(self.send)
        self.send_button = QPushButton("Send")
        self.send_button.setObjectName("primary")
        self.send_button.setToolTip("Send the request to the local API Gateway (starts one)")
        self.send_button.clicked.connect(self.send)
        self.body = QPlainTextEdit()
        self.body.setPlaceholderText("Request body (for POST, PUT, PATCH)")
        self.body.setToolTip("The request body, sent as it is")
        self.body.setMaximumHeight(70)
        self.answer = QPlainTextEdit()
        self.answer.setReadOnly(True)
        self.answer.setToolTip("The response: status line, headers and body")
        self.status = QLabel("Sends requests to the function's API Gateway trigger.")
        self.status.setObjectName("hint")
        self.status.setWordWrap(True)
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        title = QLabel("Request")
        title.setObjectName("paneTitle")
        title.setToolTip("An HTTP client for the local API Gateway, like curl")
        line = QHBoxLayout()
        line.addWidget(self.method)
        line.addWidget(self.path, 1)
        line.addWidget(self.send_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 6, 8, 6)
        layout.addWidget(title)
        layout.addLayout(line)
        layout.addWidget(self.body)
        layout.addWidget(self.status)
        layout.addWidget(self.answer, 1)

    def fill(self, method: str, path: str, body: str = "") -> None:
        """Put a request in the fields (an action link does this before sending)."""
        self.method.setCurrentText(method)
        self.path.setText(path if path.startswith("/") else f"/{path}")
        self.body.setPlainText(body)

    def send(self) -> asyncio.Task[str] | None:
        """Send the request in the fields; the task gives the status line."""
        if self.task is not None and not self.task.done():
            return None
        self.send_button.setEnabled(False)
        self.task = spawn(self._send())
        return self.task

    async def _send(self) -> str:
        method, path, body = self.method.currentText(), self.path.text(), self.body.toPlainText()
        try:
            try:
                base = await self._api_base()
            except Exception as exc:  # the learner reads why, nothing is raised into Qt
                return self._say(f"✗ No API to send to: {exc}")
            url = base + (path if path.startswith("/") else f"/{path}")
            self.status.setText(f"{method} {url} …")
            timeout = aiohttp.ClientTimeout(total=REQUEST_LIMIT_S)
            try:
                async with (
                    aiohttp.ClientSession(timeout=timeout) as session,
                    session.request(method, url, data=body.encode() or None) as response,
                ):
                    text = await response.text()
                    headers = "\n".join(f"{k}: {v}" for k, v in response.headers.items())
            except (aiohttp.ClientError, TimeoutError) as exc:
                return self._say(f"✗ {method} {url} failed: {exc!r}")
            line = f"HTTP {response.status} {response.reason or ''}".strip()
            self.answer.setPlainText(f"{line}\n{headers}\n\n{text}")
            return self._say(f"{method} {url} → {line}")
        finally:
            self.send_button.setEnabled(True)

    def _say(self, text: str) -> str:
        self.status.setText(text)
        return text
