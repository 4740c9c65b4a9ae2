"""Application entry point: ``bulkwizard`` (GUI script) and ``python -m bulkwizard``."""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence

from PySide6.QtCore import QCoreApplication
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication

from bulkwizard import __version__
from bulkwizard.ui.main_window import MainWindow
from bulkwizard.ui.resources import icon_path


def parse_args(argv: Sequence[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="bulkwizard", description="bulkwizard desktop app")
    parser.add_argument(
        "--sandbox",
        action="store_true",
        default=True,
        help="connect to the built-in sandbox org (the default until you sign in to Zoho)",
    )
    parser.add_argument("--sandbox-data", metavar="DIR", help="sandbox data folder")
    parser.add_argument(
        "--no-sandbox", dest="sandbox", action="store_false", help="do not start the sandbox"
    )
    parser.add_argument("--version", action="version", version=f"bulkwizard {__version__}")
    return parser.parse_known_args(argv)[0]


def main(argv: Sequence[str] | None = None) -> int:
    """Start the GUI; return the exit code."""
    args = parse_args(list(sys.argv[1:] if argv is None else argv))
    # What a user starting the app from a terminal should see (e.g. the sandbox's address).
    logging.basicConfig(level=logging.INFO, format="bulkwizard: %(message)s")
    QCoreApplication.setOrganizationName("bulkwizard")
    QCoreApplication.setApplicationName("bulkwizard")
    QCoreApplication.setApplicationVersion(__version__)
    app = QApplication.instance() or QApplication(sys.argv[:1])
    assert isinstance(app, QApplication)
    app.setWindowIcon(QIcon(str(icon_path("bulkwizard.svg"))))
    window = MainWindow(start_sandbox=args.sandbox, sandbox_data=args.sandbox_data)
    window.show()
    return app.exec()
