"""Run blocking work (network, keyring, file scans, zipping) off the GUI thread.

Usage reads like a sentence::

    Task(parent=self, op=lambda: client.modules(), success=self.on_modules_loaded)
        .failure(self.on_modules_failed).run()

``op`` runs on the global ``QThreadPool``; its result or exception comes back through signals of a
``QObject`` created on the GUI thread, so ``success`` / ``failure`` run on the GUI thread. Workers
never touch widgets: they take and return plain data. Rule for everyone: never touch a widget from
a background thread, and never connect a lambda that touches widgets to a worker's signal.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal, Slot


class TaskSignals(QObject):
    """Signals of one task; lives on the GUI thread, emitted from the pool thread."""

    finished = Signal(object)
    failed = Signal(Exception)
    progress = Signal(int, str)


class _Runnable(QRunnable):
    def __init__(self, op: Callable[[TaskSignals], Any], signals: TaskSignals) -> None:
        super().__init__()
        self._op = op
        self._signals = signals

    def run(self) -> None:  # runs on a pool thread
        try:
            result = self._op(self._signals)
        except Exception as exc:  # noqa: BLE001 - every failure must reach the GUI as a signal
            self._signals.failed.emit(exc)
        else:
            self._signals.finished.emit(result)


class Task(QObject):
    """One piece of background work with GUI-thread callbacks.

    Args:
        parent: owner on the GUI thread; the task lives as long as it (or until it ends).
        op: the work; called with no arguments, or with the task's signals when
            ``with_progress=True`` (then call ``signals.progress.emit(percent, text)``).
        success: called on the GUI thread with ``op``'s result.
    """

    finished = Signal(object)
    failed = Signal(Exception)
    progress = Signal(int, str)

    def __init__(
        self,
        parent: QObject,
        op: Callable[..., Any],
        success: Callable[[Any], None] | None = None,
        *,
        with_progress: bool = False,
    ) -> None:
        super().__init__(parent)
        self._op = op
        self._with_progress = with_progress
        self._signals = TaskSignals(self)
        self._signals.finished.connect(self._on_signals_finished)
        self._signals.failed.connect(self._on_signals_failed)
        self._signals.progress.connect(self.progress)
        self.running = False
        if success is not None:
            self.finished.connect(success)

    def failure(self, callback: Callable[[Exception], None]) -> Task:
        """Call ``callback`` on the GUI thread when ``op`` raises."""
        self.failed.connect(callback)
        return self

    def run(self, pool: QThreadPool | None = None) -> Task:
        """Start the work on ``pool`` (the global pool by default)."""
        op = self._op
        call: Callable[[TaskSignals], Any] = op if self._with_progress else (lambda _signals: op())
        self.running = True
        (pool or QThreadPool.globalInstance()).start(_Runnable(call, self._signals))
        return self

    @Slot(object)
    def _on_signals_finished(self, result: object) -> None:
        self.running = False
        self.finished.emit(result)

    @Slot(Exception)
    def _on_signals_failed(self, error: Exception) -> None:
        self.running = False
        self.failed.emit(error)
