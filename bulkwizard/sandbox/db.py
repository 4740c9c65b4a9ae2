"""The sandbox's SQLite database: one connection shared by every thread, behind one lock.

SQLite serialises writers anyway; one connection with ``check_same_thread=False`` and a re-entrant
lock keeps things simple and makes :meth:`Database.transaction` batch thousands of writes into one
commit (a 25,000-row bulk job is one transaction per chunk, not 25,000 fsyncs).
"""

from __future__ import annotations

import os
import sqlite3
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

Params = Sequence[Any] | dict[str, Any]


class Database:
    """A thread-safe SQLite connection in WAL mode with nestable transactions."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        _make_private(path)
        self.lock = threading.RLock()
        # isolation_level=None: we issue BEGIN/COMMIT ourselves, so nesting is under our control.
        self._conn = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self._conn.row_factory = sqlite3.Row
        self._conn.execute("PRAGMA journal_mode=WAL")
        self._conn.execute("PRAGMA synchronous=NORMAL")
        self._depth = 0
        self._rollback_hooks: list[Callable[[], None]] = []
        self._commit_hooks: list[Callable[[], None]] = []

    def close(self) -> None:
        """Close the connection (the server calls this on stop)."""
        with self.lock:
            self._conn.close()

    def on_rollback(self, hook: Callable[[], None]) -> None:
        """Call ``hook`` after a transaction rolls back (caches reset themselves there)."""
        self._rollback_hooks.append(hook)

    def on_commit(self, hook: Callable[[], None]) -> None:
        """Call ``hook`` after a transaction commits."""
        self._commit_hooks.append(hook)

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """Hold the lock and batch every write inside into one transaction.

        Nested uses join the outer transaction. An exception rolls the whole transaction back.
        """
        with self.lock:
            if self._depth:
                self._depth += 1
                try:
                    yield
                finally:
                    self._depth -= 1
                return
            self._conn.execute("BEGIN IMMEDIATE")
            self._depth = 1
            try:
                yield
            except BaseException:
                self._depth = 0
                self._conn.execute("ROLLBACK")
                for hook in self._rollback_hooks:
                    hook()
                raise
            self._depth = 0
            self._conn.execute("COMMIT")
            for hook in self._commit_hooks:
                hook()

    @property
    def in_transaction(self) -> bool:
        """Whether the calling thread is inside :meth:`transaction` (it holds the lock then)."""
        return self._depth > 0

    def execute(self, sql: str, params: Params = ()) -> sqlite3.Cursor:
        """Run one statement (autocommits unless inside :meth:`transaction`)."""
        with self.lock:
            return self._conn.execute(sql, params)

    def executemany(self, sql: str, rows: Iterable[Params]) -> None:
        """Run one statement for many parameter rows."""
        with self.transaction():
            self._conn.executemany(sql, rows)

    def executescript(self, sql: str) -> None:
        """Run a script of DDL statements (table creation)."""
        with self.lock:
            self._conn.executescript(sql)

    def query(self, sql: str, params: Params = ()) -> list[sqlite3.Row]:
        """Run a SELECT and return every row."""
        with self.lock:
            return self._conn.execute(sql, params).fetchall()

    def query_one(self, sql: str, params: Params = ()) -> sqlite3.Row | None:
        """Run a SELECT and return the first row, if any."""
        with self.lock:
            row: sqlite3.Row | None = self._conn.execute(sql, params).fetchone()
            return row


def _make_private(path: Path) -> None:
    """Create the database file owner-only (and tighten an existing one).

    The database holds the demo client's secret, which is enough to mint tokens with the
    client_credentials grant, and the users' uploaded rows. SQLite gives the -wal and -shm files
    the database file's permissions.
    """
    if not path.exists():
        os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))
    for candidate in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        try:
            if candidate.exists():
                candidate.chmod(0o600)
        except OSError:  # a file we do not own: leave it, SQLite will still open it
            pass
