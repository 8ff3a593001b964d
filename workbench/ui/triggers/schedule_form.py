"""The Add trigger form for an EventBridge schedule, validated live with its next fire times."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QWidget,
)

from workbench.triggers.schedule_expressions import RateSchedule, ScheduleError, iso_utc
from workbench.triggers.schedule_trigger import (
    PREVIEW_COUNT,
    ScheduleSpec,
    ScheduleTrigger,
    check_schedule,
)
from workbench.ui.tasks import spawn
from workbench.ui.triggers.form_base import (
    FormContext,
    Message,
    TriggerForm,
    form_layout,
    hint,
    stacked,
)

if TYPE_CHECKING:
    from workbench.ui.triggers.cards import TriggerCard


EXAMPLES = {
    "rate(1 minute)": "every minute",
    "rate(5 minutes)": "every 5 minutes",
    "cron(0/15 * * * ? *)": "every 15 minutes, on the quarter hour",
    "cron(0 12 * * ? *)": "every day at 12:00 UTC",
    "cron(0 9 ? * MON-FRI *)": "weekdays at 09:00 UTC",
}


def in_words(seconds: float) -> str:
    """How far away a fire time is: in 42 s, in 5 min, in 3 h, in 2 days."""
    if seconds < 90:
        return f"in {seconds:.0f} s"
    if seconds < 90 * 60:
        return f"in {seconds / 60:.0f} min"
    if seconds < 36 * 3600:
        return f"in {seconds / 3600:.1f} h"
    return f"in {seconds / 86400:.1f} days"


class ScheduleForm(TriggerForm):
    """A rate(...) or cron(...) expression, checked as it is typed."""

    title = "Schedule"
    summary = (
        "An EventBridge scheduled rule: Scheduled Events invoke the function asynchronously "
        "at each fire time, in UTC."
    )

    def __init__(self, now: Callable[[], float] = time.time, parent: QWidget | None = None):
        super().__init__(parent)
        self._now = now
        self.expression = QLineEdit("rate(1 minute)")
        self.expression.setToolTip(
            "rate(value unit), e.g. rate(5 minutes), or cron(Minutes Hours Day-of-month Month "
            "Day-of-week Year), e.g. cron(0 12 * * ? *); UTC"
        )
        self.examples = QComboBox()
        self.examples.addItem("Examples…", "")
        for expression, words in EXAMPLES.items():
            self.examples.addItem(f"{expression}  —  {words}", expression)
        self.examples.setToolTip("Put an example expression in the field")
        self.examples.activated.connect(self._use_example)
        self.message = Message("Whether EventBridge would accept the expression, and why not")
        self.times_heading = hint(f"Next {PREVIEW_COUNT} fire times (UTC)")
        self.times = QLabel()
        self.times.setObjectName("fireTimes")
        self.times.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.times.setContentsMargins(8, 2, 0, 4)
        self.times.setToolTip(f"The next {PREVIEW_COUNT} fire times, on the service's clock (UTC)")
        self.fire_now = QCheckBox("Also fire once now, to try it")
        self.fire_now.setToolTip("Send one Scheduled Event as soon as the rule is added")
        form = form_layout(self)
        form.addRow(hint(self.summary))
        form.addRow("Expression", stacked(self.expression, self.message, self.examples))
        form.addRow("", stacked(self.times_heading, self.times))
        form.addRow("", self.fire_now)
        form.addRow(
            hint(
                "Waiting for the next minute? Set the clock (status bar) to 60×: idle time then "
                "passes 60 times faster, so rate(1 minute) fires about every second."
            )
        )
        self.expression.textChanged.connect(self.revalidate)

    def _use_example(self, index: int) -> None:
        expression = self.examples.itemData(index)
        if expression:
            self.expression.setText(expression)
        self.examples.setCurrentIndex(0)

    def spec(self) -> ScheduleSpec | None:
        now = self._now()
        try:
            schedule, times = check_schedule(self.expression.text(), now)
        except ScheduleError as exc:
            self.message.show_error(str(exc))
            self.times.setText("—")
            self.expression.setProperty("state", "error")
            self._repolish()
            return None
        self.expression.setProperty("state", "")
        self._repolish()
        if isinstance(schedule, RateSchedule):
            self.message.show_ok(f"valid: {schedule.describe()}, counted from when it is added")
        else:
            self.message.show_ok("valid cron expression (UTC)")
        self.times.setText(self._times_text(times, now) or "no fire time after now")
        return ScheduleSpec(schedule.expression, self.fire_now.isChecked())

    @staticmethod
    def _times_text(times: list[datetime], now: float) -> str:
        moment = datetime.fromtimestamp(now, UTC)
        rows = [f"{iso_utc(t)}   {in_words((t - moment).total_seconds())}" for t in times]
        return "\n".join(rows)

    def _repolish(self) -> None:
        self.expression.style().unpolish(self.expression)
        self.expression.style().polish(self.expression)


def make_form(context: FormContext) -> ScheduleForm:
    return ScheduleForm(context.clock_now)


def card_actions(card: TriggerCard) -> QHBoxLayout:
    """Fire now: one Scheduled Event, as the console's test does."""
    trigger = card.trigger
    assert isinstance(trigger, ScheduleTrigger)
    row = QHBoxLayout()
    button = card.controls["fire_button"] = QPushButton("Fire now")
    button.setToolTip("Send one Scheduled Event now, as the console's test does")
    button.clicked.connect(lambda: spawn(trigger.fire_now()))
    row.addWidget(button)
    row.addStretch(1)
    return row
