"""The main window. For now: a welcome screen that starts the sandbox org and says what comes."""

from __future__ import annotations

import logging
from typing import Any

from PySide6.QtCore import Qt, Slot
from PySide6.QtGui import QCloseEvent, QIcon
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QVBoxLayout,
    QWidget,
)

from bulkwizard.ui.resources import icon_path
from bulkwizard.ui.sandbox_connection import SandboxConnection, SandboxSummary

log = logging.getLogger(__name__)

# The wizard's steps as the user will meet them; each becomes a page in later releases.
WIZARD_STEPS: tuple[tuple[str, str], ...] = (
    ("Sign in", "Your Zoho CRM in any data centre, or the built-in sandbox org."),
    ("Choose what to import",
     "A module (Leads, Contacts, a custom module…) and insert, update or upsert."),
    ("Load your files",
     "One CSV or Excel sheet for the records, one per subform or line items."),
    ("Map columns to fields", "Drag columns onto CRM fields or map them with the keyboard."),
    ("Check before sending", "Every problem found and explained before anything is uploaded."),
    ("Import and follow up",
     "Upload, watch the job, see each row's result, fix and retry failures."),
)  # fmt: skip


class MainWindow(QMainWindow):
    """Top-level window of bulkwizard."""

    def __init__(self, *, start_sandbox: bool = True, sandbox_data: str | None = None) -> None:
        super().__init__()
        self.setWindowTitle(self.tr("bulkwizard"))
        self.setWindowIcon(QIcon(str(icon_path("bulkwizard.svg"))))
        self.resize(980, 640)
        self.setMinimumSize(720, 480)
        self._build()
        self.sandbox = SandboxConnection(self, data_dir=sandbox_data)
        self.sandbox.connected.connect(self.on_sandbox_connected)
        self.sandbox.failed.connect(self.on_sandbox_failed)
        if start_sandbox:
            self.status_label.setText(self.tr("Starting the sandbox org…"))
            self.sandbox.start()
        else:
            self.status_label.setText(self.tr("Not connected"))

    def _build(self) -> None:
        central = QWidget(self)
        outer = QVBoxLayout(central)
        outer.setContentsMargins(32, 28, 32, 24)
        outer.setSpacing(18)

        header = QHBoxLayout()
        logo = QLabel(central)
        logo.setPixmap(QIcon(str(icon_path("bulkwizard.svg"))).pixmap(48, 48))
        logo.setAccessibleName(self.tr("bulkwizard logo"))
        header.addWidget(logo)
        titles = QVBoxLayout()
        title = QLabel(self.tr("Welcome to bulkwizard"), central)
        title.setObjectName("title")
        title.setStyleSheet("font-size: 22px; font-weight: 600;")
        subtitle = QLabel(
            self.tr("Import spreadsheets into Zoho CRM without writing a line of JSON."), central
        )
        subtitle.setStyleSheet("color: palette(placeholder-text); font-size: 13px;")
        titles.addWidget(title)
        titles.addWidget(subtitle)
        header.addLayout(titles, 1)
        outer.addLayout(header)

        body = QHBoxLayout()
        body.setSpacing(24)
        steps_frame = QFrame(central)
        steps_frame.setFrameShape(QFrame.Shape.StyledPanel)
        steps_layout = QVBoxLayout(steps_frame)
        steps_layout.setContentsMargins(18, 14, 18, 14)
        steps_layout.setSpacing(10)
        steps_title = QLabel(self.tr("How an import will go"), steps_frame)
        steps_title.setStyleSheet("font-weight: 600; font-size: 14px;")
        steps_layout.addWidget(steps_title)
        for number, (name, explanation) in enumerate(WIZARD_STEPS, start=1):
            step = QLabel(
                f"<b>{number}. {self.tr(name)}</b><br>"
                f"<span style='color: palette(placeholder-text)'>{self.tr(explanation)}</span>",
                steps_frame,
            )
            step.setWordWrap(True)
            step.setTextFormat(Qt.TextFormat.RichText)
            steps_layout.addWidget(step)
        coming = QLabel(
            self.tr(
                "The import wizard is on its way. Today you can already validate, check, split "
                "and submit jobs with <code>bulkwizard-cli</code>."
            ),
            steps_frame,
        )
        coming.setWordWrap(True)
        coming.setStyleSheet("color: palette(placeholder-text); margin-top: 6px;")
        steps_layout.addWidget(coming)
        steps_layout.addStretch(1)
        body.addWidget(steps_frame, 3)

        org_frame = QFrame(central)
        org_frame.setFrameShape(QFrame.Shape.StyledPanel)
        org_layout = QVBoxLayout(org_frame)
        org_layout.setContentsMargins(18, 14, 18, 14)
        org_title = QLabel(self.tr("Your CRM"), org_frame)
        org_title.setStyleSheet("font-weight: 600; font-size: 14px;")
        org_layout.addWidget(org_title)
        self.status_label = QLabel(org_frame)
        self.status_label.setWordWrap(True)
        self.status_label.setAccessibleName(self.tr("Connection status"))
        org_layout.addWidget(self.status_label)
        modules_label = QLabel(self.tr("&Modules you can import into:"), org_frame)
        org_layout.addWidget(modules_label)
        self.modules_list = QListWidget(org_frame)
        self.modules_list.setAccessibleName(self.tr("Modules you can import into"))
        self.modules_list.setStyleSheet("QListWidget::item { padding: 5px 4px; }")
        modules_label.setBuddy(self.modules_list)
        org_layout.addWidget(self.modules_list, 1)
        body.addWidget(org_frame, 2)
        outer.addLayout(body, 1)

        self.setCentralWidget(central)
        self.statusBar().showMessage(self.tr("Ready"))

    @Slot(object)
    def on_sandbox_connected(self, summary: SandboxSummary) -> None:
        self.status_label.setText(
            self.tr("Connected to the sandbox org <b>{org}</b> as {user}.<br>{url}").format(
                org=summary.org_name, user=summary.user_name, url=summary.base_url
            )
        )
        self.modules_list.clear()
        for api_name, label in summary.modules:
            item = QListWidgetItem(label)
            item.setData(Qt.ItemDataRole.UserRole, api_name)
            item.setToolTip(self.tr("API name: {name}").format(name=api_name))
            self.modules_list.addItem(item)
        message = self.tr("Sandbox running at {url}").format(url=summary.base_url)
        self.statusBar().showMessage(message)
        log.info("Connected to the sandbox org %s at %s", summary.org_name, summary.base_url)

    @Slot(Exception)
    def on_sandbox_failed(self, error: Exception) -> None:
        self.status_label.setText(
            self.tr("The sandbox org could not start: {error}").format(error=error)
        )
        self.statusBar().showMessage(self.tr("Sandbox unavailable"))
        log.warning("The sandbox org could not start: %s", error)

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt override
        self.sandbox.stop()
        super().closeEvent(event)

    def connection_summary(self) -> Any:
        """What the window currently shows about the connection (for tests and accessibility)."""
        return self.status_label.text()
