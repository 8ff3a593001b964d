"""Every function setting: env vars table, storage, architecture, concurrency, deploy refusals."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QItemSelectionModel
from PySide6.QtWidgets import QApplication
from ui_helpers import run

from workbench.core.concurrency import AccountLimit
from workbench.core.model import FunctionConfig, load_function
from workbench.ui.panes.env_vars import env_size
from workbench.ui.panes.settings_pane import SettingsPane


@pytest.fixture
def pane(qtbot, tmp_path) -> SettingsPane:
    widget = SettingsPane()
    qtbot.addWidget(widget)
    widget.resize(560, 900)
    widget.set_config(FunctionConfig(name="f", code_dir=tmp_path, environment={"STAGE": "dev"}))
    widget.show()
    return widget


def test_env_rows_add_remove_and_count_bytes_live(pane):
    """Adding, editing and removing rows updates the byte count and the applied config."""
    env = pane.env
    assert env.variables() == {"STAGE": "dev"}
    assert env.size_label.text() == "8 of 4,096 bytes"
    env.add_row("TABLE", "orders")
    assert env.size_label.text() == "19 of 4,096 bytes"
    config = pane.validate()
    assert config is not None and config.environment == {"STAGE": "dev", "TABLE": "orders"}
    # Exactly row 0: selectRow() would extend the selection if an earlier test's last key
    # event left Shift as the application's current modifier.
    flags = (
        QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows
    )
    env.table.selectionModel().select(env.table.model().index(0, 0), flags)
    env.remove_selected()
    assert env.variables() == {"TABLE": "orders"}
    assert pane.apply_button.isEnabled()


def test_reserved_names_are_refused_inline(pane):
    """AWS_REGION is Lambda's: its cell is marked, the reason shown, and Apply disabled."""
    pane.env.add_row("AWS_REGION", "eu-west-1")
    assert "AWS_REGION is reserved by Lambda" in pane.env.problem.text()
    assert not pane.env.problem.isHidden()
    assert "reserved" in pane.env.table.item(1, 0).toolTip()
    assert pane.validate() is None and not pane.apply_button.isEnabled()
    pane.env.table.item(1, 0).setText("REGION")
    assert pane.env.problem.isHidden() and pane.apply_button.isEnabled()


def test_duplicates_and_bad_names_are_refused(pane):
    """A key twice, or a key that is not a valid name, is flagged per row."""
    pane.env.add_row("STAGE", "prod")
    assert "STAGE is set twice" in pane.env.problem.text()
    pane.env.table.item(1, 0).setText("1BAD")
    assert "'1BAD' is not a valid name" in pane.env.problem.text()


def test_four_kilobytes_in_total_is_the_limit(pane):
    """Past 4 KB the count turns into an error; Apply is disabled until it fits again."""
    pane.env.add_row("BIG", "x" * 4_090)
    assert env_size(pane.env.variables()) == 8 + 3 + 4_090
    assert pane.env.size_label.objectName() == "fieldError"
    assert "over Lambda's 4 KB" in pane.env.problem.text()
    assert not pane.apply_button.isEnabled()
    pane.env.table.item(1, 1).setText("x" * 100)
    assert pane.env.size_label.objectName() == "hint" and pane.apply_button.isEnabled()


def test_storage_architecture_and_memory_slider(pane, qtbot):
    """Ephemeral storage has AWS's range; the slider and the field move together."""
    pane.ephemeral.setValue(256)
    assert "use 512 to 10,240 MB" in pane.errors["ephemeral storage"].text()
    pane.ephemeral.setValue(2048)
    assert pane.errors["ephemeral storage"].isHidden()
    pane.memory_slider.setValue(1000)
    assert pane.memory.value() == 1024  # the slider moves in 64 MB steps
    pane.memory.setValue(3008)
    assert pane.memory_slider.value() == 3008
    pane.architecture.setCurrentText("arm64")
    with qtbot.waitSignal(pane.sig_apply) as signal:
        pane.apply_button.click()
    applied = signal.args[0]
    assert (applied.ephemeral_storage_mb, applied.memory_mb) == (2048, 3008)
    assert applied.architecture == "arm64"


def test_concurrency_fields_validate_against_each_other(pane, qtbot):
    """Provisioned above reserved is refused with the model's reason; unchecked means None."""
    assert not pane.reserved.isEnabled()
    pane.reserve.setChecked(True)
    pane.reserved.setValue(2)
    pane.provisioned.setValue(3)
    assert "more than the reserved concurrency (2)" in pane.errors["provisioned concurrency"].text()
    pane.provisioned.setValue(1)
    with qtbot.waitSignal(pane.sig_apply) as signal:
        pane.apply_button.click()
    assert (signal.args[0].reserved_concurrency, signal.args[0].provisioned_concurrency) == (2, 1)
    pane.reserve.setChecked(False)
    assert pane.candidate().reserved_concurrency is None


def test_a_reservation_the_account_cannot_give_is_shown_inline(window, qloop, screenshots):
    """service.deploy's ConfigError appears under Reserved; the deployed config is kept."""
    from workbench.backends.process import ProcessBackend
    from workbench.core.service import LambdaService

    service = LambdaService(ProcessBackend(reason="tests"), account_limit=AccountLimit(10, "tests"))
    run(qloop, service.start())
    try:
        window.attach_service(service, "Local processes — tests")
        settings = window.settings_pane
        assert "Account limit: 10 at once (tests)" in settings.account_hint.text()
        window.side_tabs.setCurrentWidget(settings)
        settings.env.add_row("TABLE_NAME", "orders")
        settings.env.add_row("LOG_LEVEL", "debug")
        settings.reserve.setChecked(True)
        settings.reserved.setValue(10)
        settings.provisioned.setValue(1)
        settings.apply_button.click()
        error = settings.errors["reserved concurrency"]
        assert not error.isHidden() and "at most 9 is available" in error.text()
        assert service.function("hello").reserved_concurrency is None
        assert window.controller.config.reserved_concurrency is None
        code_dir = window.controller.config.code_dir
        assert load_function(code_dir).reserved_concurrency is None  # nothing refused is saved
        window.grab().save(str(screenshots / "settings_refused.png"))
        settings.reserved.setValue(4)
        settings.apply_button.click()
        assert error.isHidden()
        deployed = service.function("hello")
        # AWS refuses provisioned concurrency on $LATEST: the app publishes a version behind
        # alias live, provisions it there and invokes live from now on.
        assert (deployed.reserved_concurrency, deployed.provisioned_concurrency) == (4, 0)
        provisioned = service.versions.provisioned("hello")
        assert [(p.qualifier, p.requested) for p in provisioned] == [("live", 1)]
        assert window.controller.qualifier == "live"
        assert "alias live" in window.statusBar().currentMessage()
        assert deployed.environment == {"TABLE_NAME": "orders", "LOG_LEVEL": "debug"}
        saved = load_function(code_dir)  # applied settings survive a restart
        assert (saved.reserved_concurrency, saved.provisioned_concurrency) == (4, 1)
        assert saved.environment == deployed.environment
        window.outer_split.setSizes([200, 700])  # room to show every group at once
        QApplication.processEvents()
        settings.grab().save(str(screenshots / "settings_env_concurrency.png"))
    finally:
        run(qloop, service.close(), 15)
