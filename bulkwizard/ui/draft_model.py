"""The Qt face of the job draft: change notification and debounced, atomic autosave.

:class:`~bulkwizard.core.draft.JobDraft` is plain data with no signals. Pages edit it in place
and then call :meth:`DraftModel.notify_changed`; the model emits :attr:`DraftModel.changed` (every
page and the step list refresh from it) and schedules an autosave. The JSON text is made on the
GUI thread (a snapshot of the draft at that moment) and written by a worker, atomically, so a
crash mid-write leaves the previous autosave intact.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path

from PySide6.QtCore import QObject, QTimer, Signal, Slot

from bulkwizard.core.atomic import atomic_write_text
from bulkwizard.core.draft import JobDraft
from bulkwizard.core.errors import DraftFormatError
from bulkwizard.storage import paths
from bulkwizard.ui.workers import Task

log = logging.getLogger(__name__)

AUTOSAVE_DELAY_MS = 400


def autosave_path() -> Path:
    """Where the unfinished import is kept between runs of the app."""
    return paths.data_dir() / "drafts" / "autosave.json"


def _write(path: Path, text: str) -> None:
    with atomic_write_text(path) as stream:
        stream.write(text)


def load_unfinished(path: Path | None = None) -> JobDraft | None:
    """The autosaved draft, if there is one worth offering (it has at least a module).

    Blocking (reads a small file). A damaged autosave is logged and ignored, never fatal.
    """
    path = path or autosave_path()
    if not path.is_file():
        return None
    try:
        draft = JobDraft.load(path)
    except DraftFormatError as exc:
        log.warning("ignoring the unfinished import: %s", exc)
        return None
    return draft if draft.module else None


class DraftModel(QObject):
    """Owns the current :class:`JobDraft`; emits :attr:`changed` and autosaves after edits."""

    changed = Signal()
    saved = Signal(str)  # the path written
    save_failed = Signal(Exception)

    def __init__(self, parent: QObject | None = None, *, path: Path | None = None) -> None:
        super().__init__(parent)
        self._draft = JobDraft()
        self.path = path or autosave_path()
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(AUTOSAVE_DELAY_MS)
        self._timer.timeout.connect(self.on_timer_timeout)
        self._task: Task | None = None
        self._pending_text: str | None = None
        self.autosave_enabled = True

    @property
    def draft(self) -> JobDraft:
        return self._draft

    def replace(self, draft: JobDraft) -> None:
        """Start over with ``draft`` (a restored autosave, a template, a new empty draft)."""
        self._draft = draft
        self.notify_changed()

    def notify_changed(self) -> None:
        """Call after editing :attr:`draft` in place."""
        self.changed.emit()
        if self.autosave_enabled:
            self._timer.start()

    def save_now(self) -> None:
        """Write the draft synchronously (on quit: a few kilobytes, so the wait is negligible)."""
        self._timer.stop()
        text = self._text()
        try:
            _write(self.path, text)
        except OSError as exc:
            log.warning("could not save the unfinished import to %s: %s", self.path, exc)

    def discard(self) -> None:
        """Forget the autosave (the import finished, or the user chose to start over)."""
        self._timer.stop()
        try:
            self.path.unlink(missing_ok=True)
        except OSError as exc:
            log.warning("could not remove %s: %s", self.path, exc)

    def _text(self) -> str:
        return json.dumps(self._draft.to_json(), indent=2, ensure_ascii=False) + "\n"

    @Slot()
    def on_timer_timeout(self) -> None:
        self._pending_text = self._text()
        self._start_write()

    def _start_write(self) -> None:
        # One write in flight at a time; the newest text wins when it ends.
        if (self._task is not None and self._task.running) or self._pending_text is None:
            return
        text, self._pending_text = self._pending_text, None
        path = self.path
        self._task = Task(self, lambda: _write(path, text), self.on_write_finished).failure(
            self.on_write_failed
        )
        self._task.run()

    @Slot(object)
    def on_write_finished(self, _result: object) -> None:
        self.saved.emit(str(self.path))
        self._start_write()

    @Slot(Exception)
    def on_write_failed(self, error: Exception) -> None:
        log.warning("could not save the unfinished import to %s: %s", self.path, error)
        self.save_failed.emit(error)
        self._start_write()
