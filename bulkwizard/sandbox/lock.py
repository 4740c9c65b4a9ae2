"""One sandbox per data folder: an exclusive lock on ``DATA/sandbox.lock`` while a server runs.

Two servers on one folder would each cache records in memory and silently disagree, so the second
one refuses to start. The operating system drops the lock when the process dies, so a crash never
leaves a stale lock behind.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import IO

from bulkwizard.core.errors import BulkWizardError

LOCK_NAME = "sandbox.lock"


class SandboxBusyError(BulkWizardError):
    """Another sandbox is running on the same data folder."""

    def __init__(self, data_dir: Path) -> None:
        super().__init__(
            f"Another sandbox is already running with the data folder {data_dir}. Stop it, or "
            "connect to it (its address is in credentials.json), or choose another folder."
        )
        self.data_dir = data_dir


class DataDirLock:
    """An exclusive, non-blocking lock on a data folder."""

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = data_dir
        self._handle: IO[str] | None = None

    def acquire(self) -> None:
        """Take the lock or raise :class:`SandboxBusyError`."""
        # A new folder is owner-only: it holds the uploads, the database and credentials.json.
        self.data_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        handle = open(self.data_dir / LOCK_NAME, "a+", encoding="utf-8")
        try:
            _lock(handle)
        except OSError:
            handle.close()
            raise SandboxBusyError(self.data_dir) from None
        handle.seek(0)
        handle.truncate()
        handle.write(f"{os.getpid()}\n")
        handle.flush()
        self._handle = handle

    def release(self) -> None:
        """Give the lock up (idempotent)."""
        if self._handle is not None:
            try:
                _unlock(self._handle)
            finally:
                self._handle.close()
                self._handle = None


if sys.platform == "win32":
    import msvcrt

    def _lock(handle: IO[str]) -> None:
        handle.seek(0)
        msvcrt.locking(handle.fileno(), msvcrt.LK_NBLCK, 1)

    def _unlock(handle: IO[str]) -> None:
        handle.seek(0)
        msvcrt.locking(handle.fileno(), msvcrt.LK_UNLCK, 1)

else:
    import fcntl

    def _lock(handle: IO[str]) -> None:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)

    def _unlock(handle: IO[str]) -> None:
        fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
