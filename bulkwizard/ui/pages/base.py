"""What every wizard page is: a view of the shared draft and session, with its own readiness.

A page reads and edits ``context.draft.draft`` (a :class:`~bulkwizard.core.draft.JobDraft`) and
calls ``context.draft.notify_changed()`` after each edit, which autosaves it. The main window
asks each page:

- :meth:`WizardPage.blocked_reason`: why the step cannot be opened now, in one line ("Choose a
  module first"), or ``None``;
- :meth:`WizardPage.is_complete`: whether the user may go on to the next step;

and calls :meth:`WizardPage.enter` each time the page is shown (load from the draft there, it
may have changed on another page). A page emits :attr:`WizardPage.readiness_changed` when the
answer to either question may have changed.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QSettings, Signal
from PySide6.QtWidgets import QWidget

from bulkwizard.ui.draft_model import DraftModel
from bulkwizard.ui.session import Session


@dataclass
class WizardContext:
    """What every page shares: the draft, the session, and where the sandbox keeps its data."""

    draft: DraftModel
    session: Session
    settings: QSettings
    sandbox_data: str | None = None  # None: the user's default sandbox folder


class WizardPage(QWidget):
    """Base of every page; subclasses set :attr:`step_title` and override the questions."""

    readiness_changed = Signal()

    #: The step's name in the step list (translated at display through :meth:`title`).
    step_title = "Step"

    def __init__(self, context: WizardContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context

    def title(self) -> str:
        return self.tr(self.step_title)

    def blocked_reason(self) -> str | None:
        """Why this step cannot be opened now, in one line; ``None`` when it can."""
        return None

    def is_complete(self) -> bool:
        """True when the user may go on to the next step."""
        return True

    def enter(self) -> None:
        """Called each time the page is shown: refresh the widgets from the draft."""

    def leave(self) -> None:
        """Called when the user moves to another page."""

    def shutdown(self) -> None:
        """Called once when the window closes: stop workers and servers the page owns."""
