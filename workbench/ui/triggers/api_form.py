"""The Add trigger form for an API Gateway: routes, payload version and port."""

from __future__ import annotations

from typing import TYPE_CHECKING
from urllib.parse import urlencode

from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QPlainTextEdit, QPushButton, QWidget

from workbench.listen_address import DEFAULT_HOST
from workbench.triggers.api_gateway_routes import RouteError, example_path
from workbench.triggers.api_trigger import (
    ApiSpec,
    ApiTrigger,
    check_routes,
    free_port,
    port_problem,
    split_routes,
)
from workbench.ui.tasks import spawn
from workbench.ui.triggers.form_base import (
    FormContext,
    Message,
    TriggerForm,
    form_layout,
    hint,
    spin,
    stacked,
)

VERSIONS = {
    "2.0": "2.0 — HTTP API (routeKey, rawPath, cookies)",
    "1.0": "1.0 — REST API with Lambda proxy (resource, multiValueHeaders)",
}


if TYPE_CHECKING:
    from workbench.ui.triggers.cards import TriggerCard


class ApiForm(TriggerForm):
    """Routes, payload version and port; shows the URL to try."""

    title = "API Gateway"
    summary = (
        "HTTP requests on 127.0.0.1 become API Gateway proxy events; the function's result "
        "becomes the HTTP response (synchronous invocation)."
    )

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.version = QComboBox()
        for key, text in VERSIONS.items():
            self.version.addItem(text, key)
        self.version.setToolTip(
            "The event format: 2.0 as an HTTP API sends, 1.0 as a REST API sends"
        )
        self.routes = QPlainTextEdit()
        self.routes.setPlaceholderText("GET /hello\nPOST /orders/{id}\n(empty: every path)")
        self.routes.setToolTip(
            "One route per line: METHOD /path, with {name} path parameters, {proxy+} for the "
            "rest of the path, ANY for every method. Empty: $default (2.0) or ANY /{proxy+} (1.0)"
        )
        self.routes.setFixedHeight(74)
        self.routes.setTabChangesFocus(True)
        self.port = spin(0, 65535, free_port(), "TCP port on 127.0.0.1; 0 picks any free port")
        self.routes_message = Message("What is wrong with the routes, and the valid format")
        self.port_message = Message("Whether the port is free")
        self.try_url = QLabel()
        self.try_url.setObjectName("figure")
        self.try_url.setToolTip("After adding, the Triggers panel sends this request for you")
        form = form_layout(self)
        form.addRow(hint(self.summary))
        form.addRow("Payload version", self.version)
        form.addRow("Routes", stacked(self.routes, self.routes_message))
        form.addRow("Port", stacked(self.port, self.port_message))
        form.addRow("URL to try", self.try_url)
        form.addRow(
            hint(
                "Only loopback: the local API has no authentication. After adding, use "
                "“Send test request” in the Triggers panel, or curl the URL."
            )
        )
        self.version.currentIndexChanged.connect(self.revalidate)
        self.routes.textChanged.connect(self.revalidate)
        self.port.valueChanged.connect(self.revalidate)

    def spec(self) -> ApiSpec | None:
        version = str(self.version.currentData())
        valid = True
        try:
            routes = check_routes(self.routes.toPlainText(), version)
        except RouteError as exc:
            self.routes_message.show_error(str(exc))
            self.try_url.setText("—")
            valid = False
        else:
            self.routes_message.show_ok(", ".join(r.key for r in routes))
            port = self.port.value() or "PORT"
            query = urlencode({"name": "Alice"})
            self.try_url.setText(f"http://{DEFAULT_HOST}:{port}{example_path(routes[0])}?{query}")
        problem = port_problem(self.port.value())
        if problem:
            self.port_message.show_error(problem)
            valid = False
        else:
            free = "any free port, chosen when it starts" if not self.port.value() else "free"
            self.port_message.show_ok(free)
        if not valid:
            return None
        texts = tuple(split_routes(self.routes.toPlainText()))
        return ApiSpec(texts, version, self.port.value())


def make_form(context: FormContext) -> ApiForm:
    return ApiForm()


def card_actions(card: TriggerCard) -> QHBoxLayout:
    """Send test request: the example request, answered on the card."""
    row = QHBoxLayout()
    button = card.controls["test_button"] = QPushButton("Send test request")
    button.setToolTip("Send the example request to the API, as curl would")
    button.clicked.connect(lambda: spawn(send_test_request(card, button)))
    row.addWidget(button)
    row.addStretch(1)
    return row


async def send_test_request(card: TriggerCard, button: QPushButton) -> str:
    """Send the API's example request and show the answer on the card."""
    trigger = card.trigger
    assert isinstance(trigger, ApiTrigger)
    button.setEnabled(False)
    card.show_note(f"{trigger.method} {trigger.example} …")
    try:
        answer = await trigger.send_test_request()
    finally:
        button.setEnabled(True)
    card.show_note(answer, error=answer.startswith("✗"))
    card.refresh()
    return answer
