"""The Add trigger form for an SQS queue and its event source mapping."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QCheckBox, QHBoxLayout, QLineEdit, QPushButton, QWidget

from workbench.triggers.queue import (
    MAX_RECEIVE_COUNT_RANGE,
    VISIBILITY_TIMEOUT_RANGE_S,
    QueueError,
)
from workbench.triggers.queue_batches import (
    BATCH_SIZE_RANGE,
    BATCHING_WINDOW_RANGE_S,
    DEFAULT_BATCH_SIZE,
    MappingError,
)
from workbench.triggers.queue_trigger import (
    DEFAULT_MAX_RECEIVE_COUNT,
    QueueSpec,
    QueueTrigger,
    check_queue,
)
from workbench.ui.triggers.form_base import (
    FormContext,
    Message,
    TriggerForm,
    form_layout,
    hint,
    spin,
    stacked,
)

if TYPE_CHECKING:
    from workbench.ui.triggers.cards import TriggerCard


class QueueForm(TriggerForm):
    """Batch size, batching window, visibility timeout, redrive and partial batch responses."""

    title = "SQS queue"
    summary = (
        "Lambda's poller reads the queue in batches and invokes the function synchronously; "
        "a failed message comes back after the visibility timeout, then goes to a dead-letter "
        "queue."
    )

    def __init__(
        self, function_timeout_s: Callable[[], float], parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self._function_timeout_s = function_timeout_s
        self.batch_size = spin(
            *BATCH_SIZE_RANGE, DEFAULT_BATCH_SIZE, "Messages per invocation at most"
        )
        self.window = spin(
            *BATCHING_WINDOW_RANGE_S,
            0,
            "Batching window: keep gathering messages this long before invoking",
            " s",
        )
        self.visibility = spin(
            *VISIBILITY_TIMEOUT_RANGE_S,
            30,
            "Visibility timeout: how long a received message stays hidden; at least the "
            "function timeout",
            " s",
        )
        self.max_receives = spin(
            *MAX_RECEIVE_COUNT_RANGE,
            DEFAULT_MAX_RECEIVE_COUNT,
            "maxReceiveCount: after this many receives a failing message moves to the "
            "dead-letter queue",
        )
        self.partial = QCheckBox('Report batch item failures ({"batchItemFailures": [...]})')
        self.partial.setToolTip(
            "ReportBatchItemFailures: the function may return the ids of the messages that "
            "failed, and only those come back; without it, any error returns the whole batch"
        )
        self.message = Message("Whether Lambda would accept these settings, and why not")
        form = form_layout(self)
        form.addRow(hint(self.summary))
        form.addRow("Batch size", self.batch_size)
        form.addRow("Batching window", self.window)
        form.addRow("Visibility timeout", self.visibility)
        form.addRow("Max receive count", self.max_receives)
        form.addRow("", stacked(self.partial, self.message))
        form.addRow(
            hint(
                "After adding, type messages into the queue's “Send message” box in the "
                "Triggers panel."
            )
        )
        for box in (self.batch_size, self.window, self.visibility, self.max_receives):
            box.valueChanged.connect(self.revalidate)
        self.partial.toggled.connect(self.revalidate)

    def spec(self) -> QueueSpec | None:
        spec = QueueSpec(
            self.batch_size.value(),
            self.window.value(),
            self.visibility.value(),
            self.max_receives.value(),
            self.partial.isChecked(),
        )
        timeout = self._function_timeout_s()
        try:
            check_queue(spec, timeout)
        except MappingError as exc:
            self.message.show_error(str(exc))
            return None
        self.message.show_ok(f"valid for a function with a {timeout:g} s timeout")
        return spec


def make_form(context: FormContext) -> QueueForm:
    return QueueForm(context.function_timeout_s)


def card_actions(card: TriggerCard) -> QHBoxLayout:
    """A message body and Send message (or Enter)."""
    row = QHBoxLayout()
    body = card.controls["message"] = QLineEdit()
    body.setPlaceholderText('Message body, e.g. {"order": 42}')
    body.setToolTip("The body of a message to send to the queue")
    body.returnPressed.connect(lambda: send_message(card, body))
    button = card.controls["send_button"] = QPushButton("Send message")
    button.setToolTip("Send the message to the queue (Enter)")
    button.clicked.connect(lambda: send_message(card, body))
    row.addWidget(body, 1)
    row.addWidget(button)
    return row


def send_message(card: TriggerCard, body: QLineEdit) -> None:
    """Send the typed body to the queue."""
    trigger = card.trigger
    assert isinstance(trigger, QueueTrigger)
    try:
        message_id = trigger.send(body.text())
    except QueueError as exc:
        card.show_note(f"✗ {exc}", error=True)
        return
    body.clear()
    card.show_note(f"sent message {message_id}")
    card.refresh()
