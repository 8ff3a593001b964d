"""Function → Export to AWS: write a SAM template.yaml and say how to deploy it with `sam`."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox, QWidget

from workbench.core.model import FunctionConfig

if TYPE_CHECKING:
    from workbench.packages.sam import Export

TEMPLATE = "template.yaml"
DEPLOY_HINT = "cd {folder}\nsam build && sam deploy --guided"


def test_events(saved: dict[str, str]) -> dict[str, Any]:
    """Saved test events (name → JSON text) as data; one that does not parse is left out."""
    events = {}
    for name, text in saved.items():
        try:
            events[name] = json.loads(text)
        except ValueError:
            continue  # an unfinished event is not worth exporting
    return events


def export_function(
    config: FunctionConfig, folder: Path, saved: dict[str, str], triggers: Sequence[Any] = ()
) -> Export:
    """Write folder/template.yaml (with the running triggers as its events) and the saved test
    events beside it; ConfigError if not."""
    # Imported here: sam.py reaches Docker through packages.container, which a UI that only
    # zips and inspects has no reason to load.
    from workbench.packages.sam import export_sam

    return export_sam(
        config, Path(folder) / TEMPLATE, triggers=triggers, test_events=test_events(saved)
    )


def show_exported(parent: QWidget, export: Export) -> QMessageBox:
    """A non-modal note: where the template is, and the `sam` commands that deploy it."""
    events = f"\n\nSaved test events: {len(export.events)} in events/." if export.events else ""
    return note(
        parent,
        "Exported to AWS SAM",
        f"Wrote {export.template}",
        "Deploy the same function to your AWS account with the SAM CLI:\n\n"
        + DEPLOY_HINT.format(folder=export.template.parent)
        + events,
    )


def note(parent: QWidget, title: str, text: str, detail: str, *, error: bool = False):
    """A non-modal message box (not exec(): a nested event loop would re-enter qasync)."""
    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Warning if error else QMessageBox.Icon.Information)
    box.setWindowTitle(title)
    box.setText(text)
    box.setInformativeText(detail)
    box.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    box.setModal(False)
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    box.show()
    return box
