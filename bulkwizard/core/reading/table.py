"""Reading any spreadsheet as a table of strings: the public API of the data engine.

Open a file with :func:`~bulkwizard.core.reading.open_table`; it sniffs the format (see
:mod:`~bulkwizard.core.reading.sniff`) and reads only the header, so it returns at once whatever
the file's size::

    with open_table("contacts.csv") as table:           # or open_table(path, ReadOptions(...))
        table.options          # ReadOptions: encoding, delimiter, quotechar, has_header,
                               #   header_row, sheet; .guessed lists what was detected
        table.headers          # unique display names ("Email", "Email (2)", "Column 3")
        table.raw_headers      # the header cells as written ("" when there is no header)
        table.column_count     # len(table.headers)
        table.head(200)        # the first 200 data rows, instantly
        for row in table.iter_rows():   # every data row, streamed, in order
            row.number         # 1-based data row number (1 = first row after the header)
            row.line           # 1-based physical line where the row starts (sheet row for xlsx)
            row.values         # list[str], exactly column_count long (see "Ragged rows")
        table.build_index(progress, cancel)   # one pass; afterwards row_count is exact and
        table.rows(5000, 100)  # rows 5001..5100 come from a seek, not a re-read
        table.row_count        # None until indexed; table.estimated_row_count meanwhile

Conventions:

* ``start`` arguments (``iter_rows(start)``, ``rows(start, count)``) are 0-based positions among
  the data rows, so ``rows(0, 1)[0].number == 1``.
* Blank lines (no characters at all) are not rows: they are skipped everywhere, but still
  counted in physical line numbers. A line of only delimiters is a row of empty cells.
* Ragged rows: ``values`` is padded with ``""`` (short row) or cut (long row) to
  ``column_count``; the cells cut off are kept in ``row.extra`` and ``row.field_count`` is the
  number of fields the file really had, so ``row.ragged`` tells the row checker to flag it.
  Trailing empty cells beyond the header (a trailing delimiter) do not make a row ragged.
* Background indexing: ``build_index`` runs in the calling thread; ``start_indexing`` runs it in a
  daemon thread. ``progress(done_bytes, total_bytes)`` is called from that thread (a Qt layer
  re-emits it as a signal); set the ``cancel`` event to stop early. ``rows`` works before the
  index is complete too, parsing forward from the nearest row already indexed.
* Errors are :class:`~bulkwizard.core.errors.CsvFormatError` naming the file and the physical
  line (bytes invalid in the encoding, a quote never closed, an unreadable workbook).

Tables hold no open file between calls, but ``close()`` (or ``with``) releases temporary files
and stops a background index.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from bulkwizard.core.reading.sniff import ReadOptions

ProgressCallback = Callable[[int, int], None]


class CancelFlag(Protocol):
    """Anything with ``is_set()``; :class:`threading.Event` is the usual one."""

    def is_set(self) -> bool:
        """Return True when the work should stop."""


class _EitherFlag:
    """Set when the caller's flag or the table's own (set by close) is."""

    def __init__(self, first: CancelFlag | None, second: CancelFlag) -> None:
        self._flags = [f for f in (first, second) if f is not None]

    def is_set(self) -> bool:
        return any(flag.is_set() for flag in self._flags)


@dataclass(slots=True)
class Row:
    """One data row.

    Attributes:
        number: 1-based data row number, as a user counts rows below the header.
        line: 1-based physical line where the row starts (the sheet row number in a workbook).
        values: the cells, exactly ``column_count`` of them.
        field_count: how many cells the file really had on this row.
        extra: non-blank cells beyond ``column_count`` (cut from ``values``).
    """

    number: int
    line: int
    values: list[str]
    field_count: int
    extra: list[str] = field(default_factory=list)

    @property
    def ragged(self) -> bool:
        """True when the row had fewer cells than the header, or filled cells beyond it."""
        return self.field_count < len(self.values) or bool(self.extra)


def fit_row(number: int, line: int, fields: list[str], width: int) -> Row:
    """Build a Row, padding or cutting ``fields`` to ``width`` (see "Ragged rows")."""
    count = len(fields)
    if count == width:
        return Row(number, line, fields, count)
    if count < width:
        return Row(number, line, fields + [""] * (width - count), count)
    extra = [v for v in fields[width:] if v.strip()]
    return Row(number, line, fields[:width], count if extra else width, extra)


class Table:
    """A readable table of strings; see the module docstring for the whole API.

    Subclasses (:class:`~bulkwizard.core.reading.csv_table.CsvTable`,
    :class:`~bulkwizard.core.reading.xlsx.XlsxTable`) implement ``iter_rows``, ``rows`` and
    ``build_index``.
    """

    def __init__(self, path: str | os.PathLike[str], options: ReadOptions) -> None:
        self.path = os.fspath(path)
        self.options = options
        self.raw_headers: list[str] = []
        self.headers: list[str] = []
        self._row_count: int | None = None
        self._index_thread: threading.Thread | None = None
        self._index_cancel = threading.Event()
        self.index_error: Exception | None = None

    # -- reading ------------------------------------------------------------------------------
    @property
    def column_count(self) -> int:
        """Number of columns (the header's length, or the widest sampled row without a header)."""
        return len(self.headers)

    @property
    def row_count(self) -> int | None:
        """Exact number of data rows once the index is built, else None."""
        return self._row_count

    @property
    def estimated_row_count(self) -> int:
        """The exact count when known, else a guess from the file size and the first rows."""
        return self._row_count if self._row_count is not None else self._estimate_rows()

    @property
    def indexed(self) -> bool:
        """Whether the row index covers the whole file."""
        return self._row_count is not None

    def iter_rows(self, start: int = 0) -> Iterator[Row]:
        """Stream the data rows from 0-based position ``start`` to the end."""
        raise NotImplementedError

    def rows(self, start: int, count: int) -> list[Row]:
        """Return up to ``count`` rows from 0-based position ``start`` (fewer at the end)."""
        out: list[Row] = []
        if count <= 0:
            return out
        stream = self.iter_rows(start)
        try:
            for row in stream:
                out.append(row)
                if len(out) >= count:
                    break
        finally:
            stream.close()  # type: ignore[attr-defined]  # release the file handle now
        return out

    def head(self, count: int = 200) -> list[Row]:
        """Return the first ``count`` data rows."""
        return self.rows(0, count)

    # -- indexing -----------------------------------------------------------------------------
    def build_index(
        self, progress: ProgressCallback | None = None, cancel: CancelFlag | None = None
    ) -> bool:
        """Scan the whole file once; return True when done, False when cancelled."""
        raise NotImplementedError

    def start_indexing(
        self, progress: ProgressCallback | None = None, cancel: CancelFlag | None = None
    ) -> threading.Thread:
        """Build the index in a daemon thread; a failure is kept in :attr:`index_error`."""
        flag = _EitherFlag(cancel, self._index_cancel)

        def run() -> None:
            try:
                self.build_index(progress, flag)
            except Exception as exc:  # noqa: BLE001 - handed to the caller through index_error
                self.index_error = exc

        thread = threading.Thread(target=run, name=f"index {Path(self.path).name}", daemon=True)
        self._index_thread = thread
        thread.start()
        return thread

    def _estimate_rows(self) -> int:
        raise NotImplementedError

    # -- lifetime -----------------------------------------------------------------------------
    def close(self) -> None:
        """Stop a background index and release temporary files."""
        self._index_cancel.set()
        if self._index_thread is not None and self._index_thread is not threading.current_thread():
            self._index_thread.join(timeout=10)

    def __enter__(self) -> Table:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()
