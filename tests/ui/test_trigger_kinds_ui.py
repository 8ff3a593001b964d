"""The Add trigger dialog and the cards read the trigger registry: every kind is offered with
its own form, icon and summary, and a kind registered at run time (with a UI module) appears
without any list being edited."""

from __future__ import annotations

import sys
import types
from dataclasses import dataclass

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QLineEdit

from workbench.triggers.kind import TriggerKind
from workbench.triggers.registry import registered, trigger_kinds
from workbench.triggers.running import Trigger
from workbench.ui.triggers.add_dialog import AddTriggerDialog
from workbench.ui.triggers.cards import TriggerCard
from workbench.ui.triggers.form_base import FormContext, TriggerForm, kind_ui
from workbench.ui.triggers.icons import kind_icon
from workbench.ui.triggers.manager import TriggerManager


class NoFunction:
    """A controller with no ready function: enough to build the dialog."""

    def __init__(self) -> None:
        self.extra_environment: dict[str, str] = {}
        self.config = None

    def ready_function(self) -> str:
        return "no function is open"


@dataclass(frozen=True)
class PaintSpec:
    colour: str

    kind = "paint"


class PaintTrigger(Trigger):
    kind, tag = "paint", "paint"

    def details(self) -> list[str]:
        return [f"colour {self.spec.colour}"]


class PaintForm(TriggerForm):
    title = "Paint"

    def __init__(self) -> None:
        super().__init__()
        self.colour = QLineEdit("teal", self)
        self.colour.textChanged.connect(self.revalidate)

    def spec(self) -> PaintSpec | None:
        return PaintSpec(self.colour.text()) if self.colour.text() else None


PAINT = TriggerKind(
    name="paint",
    title="Paint",
    summary="Paint drying invokes the function",
    order=15,
    spec=PaintSpec,
    runner=PaintTrigger,
    default_spec=lambda defaults: PaintSpec("teal"),
    command=None,
    command_help="",
    sam_event=None,
    samples=(),
    icon_svg='<circle cx="12" cy="12" r="9" fill="#0a7"/>',
)


@pytest.fixture
def paint_kind(monkeypatch: pytest.MonkeyPatch):
    """A throwaway kind plus its UI module (what workbench/ui/triggers/paint_form.py holds)."""
    ui = types.ModuleType("workbench.ui.triggers.paint_form")
    ui.make_form = lambda context: PaintForm()  # type: ignore[attr-defined]
    ui.card_actions = lambda card: None  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, ui.__name__, ui)
    with registered(PAINT) as kind:
        yield kind


def open_dialog(qtbot, tmp_path) -> AddTriggerDialog:
    manager = TriggerManager(NoFunction(), lambda lines: None)
    dialog = AddTriggerDialog(manager, "hello", tmp_path / "bucket", None)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    return dialog


def click_row(dialog: AddTriggerDialog, row: int) -> None:
    item = dialog.kinds.item(row)
    rect = dialog.kinds.visualItemRect(item)
    QTest.mouseClick(dialog.kinds.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())


def test_the_dialog_offers_every_registered_kind_with_its_form_icon_and_summary(qtbot, tmp_path):
    dialog = open_dialog(qtbot, tmp_path)
    kinds = trigger_kinds()
    assert (
        list(dialog.forms)
        == [kind.name for kind in kinds]
        == [
            "api",
            "bucket",
            "schedule",
            "queue",
        ]
    )
    for row, kind in reversed(list(enumerate(kinds))):
        item = dialog.kinds.item(row)
        assert item.toolTip() == kind.summary
        assert not item.icon().isNull() and not kind_icon(kind.name).pixmap(24, 24).isNull()
        click_row(dialog, row)
        assert dialog.current_form() is dialog.forms[kind.name]
        assert kind.name in type(dialog.current_form()).__module__  # its own UI module
        ui = kind_ui(kind)
        assert ui is not None and callable(ui.card_actions)
        assert isinstance(ui.make_form(FormContext(tmp_path)), TriggerForm)


def test_a_registered_kind_appears_in_the_dialog_and_gets_a_card(paint_kind, qtbot, tmp_path):
    dialog = open_dialog(qtbot, tmp_path)
    assert list(dialog.forms) == ["api", "paint", "bucket", "schedule", "queue"]
    click_row(dialog, 1)
    assert dialog.heading.text().startswith("<b>Paint</b>")
    assert dialog.kinds.item(1).toolTip() == "Paint drying invokes the function"
    form = dialog.current_form()
    assert isinstance(form, PaintForm) and dialog.add_button.isEnabled()
    form.colour.clear()
    assert not dialog.add_button.isEnabled()  # its form's own checks drive the button
    card = TriggerCard(PaintTrigger("hello", lambda *line: None, PaintSpec("teal")))
    qtbot.addWidget(card)
    assert card.details.text() == "colour teal" and card.title.text() == "paint"
    assert not kind_icon("paint").isNull()


def test_adding_without_a_function_says_why(qtbot, tmp_path, qloop):
    dialog = open_dialog(qtbot, tmp_path)
    click_row(dialog, 0)
    task = dialog.add()
    assert task is not None
    qloop.run_until_complete(task)
    assert "cannot add a trigger: no function is open" in dialog.outcome.text()
