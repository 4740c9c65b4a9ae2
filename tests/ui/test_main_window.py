"""The welcome window: starts the embedded sandbox in a worker and shows the demo org."""

from __future__ import annotations

from pathlib import Path

import pytest
import requests
from PySide6.QtCore import QObject, Qt
from pytestqt.qtbot import QtBot

from bulkwizard.ui.main_window import MainWindow
from bulkwizard.ui.sandbox_connection import SandboxSummary
from bulkwizard.ui.workers import Task


def test_window_connects_to_the_sandbox_and_lists_importable_modules(
    qtbot: QtBot, tmp_path: Path
) -> None:
    window = MainWindow(start_sandbox=False, sandbox_data=str(tmp_path / "sandbox"))
    qtbot.addWidget(window)
    window.show()
    assert "Not connected" in window.status_label.text()

    with qtbot.waitSignal(window.sandbox.connected, timeout=60_000) as blocker:
        window.sandbox.start()
    summary = blocker.args[0]
    assert isinstance(summary, SandboxSummary)
    assert summary.org_name == "Zylker Demo"
    shown = [window.modules_list.item(i) for i in range(window.modules_list.count())]
    assert [item.data(Qt.ItemDataRole.UserRole) for item in shown] == [
        "Accounts", "Contacts", "Deals", "Leads", "Products", "Quotes", "Vehicles",
    ]  # fmt: skip
    assert "Zylker Demo" in window.status_label.text()
    assert summary.base_url in window.statusBar().currentMessage()

    # The server really answers while the window is open, and stops when it closes.
    assert requests.get(f"{summary.base_url}/crm/v8/org", timeout=5).status_code == 401
    window.close()
    with pytest.raises(requests.ConnectionError):
        requests.get(f"{summary.base_url}/crm/v8/org", timeout=5)


def test_a_sandbox_that_cannot_start_is_explained(qtbot: QtBot, tmp_path: Path) -> None:
    blocker_file = tmp_path / "not-a-folder"
    blocker_file.write_text("a file where the sandbox folder should be", encoding="utf-8")
    window = MainWindow(start_sandbox=False, sandbox_data=str(blocker_file / "sandbox"))
    qtbot.addWidget(window)
    with qtbot.waitSignal(window.sandbox.failed, timeout=30_000):
        window.sandbox.start()
    assert "could not start" in window.status_label.text()
    assert window.modules_list.count() == 0


def test_task_returns_results_and_errors_on_the_gui_thread(qtbot: QtBot) -> None:
    owner = QObject()
    with qtbot.waitSignal(
        Task(owner, lambda: 6 * 7).run().finished, timeout=5_000, check_params_cb=lambda r: r == 42
    ):
        pass

    def boom() -> None:
        raise ValueError("bad row 7")

    task = Task(owner, boom)
    with qtbot.waitSignal(task.failed, timeout=5_000) as blocker:
        task.run()
    assert isinstance(blocker.args[0], ValueError) and "row 7" in str(blocker.args[0])
    assert not task.running


def test_window_joins_a_sandbox_already_running_on_the_same_folder(
    qtbot: QtBot, tmp_path: Path
) -> None:
    from bulkwizard.sandbox.server import SandboxServer

    folder = tmp_path / "sandbox"
    with SandboxServer(data_dir=folder, port=0) as running:
        window = MainWindow(start_sandbox=False, sandbox_data=str(folder))
        qtbot.addWidget(window)
        with qtbot.waitSignal(window.sandbox.connected, timeout=60_000) as blocker:
            window.sandbox.start()
        assert blocker.args[0].base_url == running.base_url
        window.close()  # must not stop a server this window did not start
        assert requests.get(f"{running.base_url}/crm/v8/org", timeout=5).status_code == 401
