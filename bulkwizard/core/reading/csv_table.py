"""Delimited text files (CSV, TSV, TXT) as a :class:`~bulkwizard.core.reading.table.Table`.

Opening reads a bounded sample to sniff the format and parses the header plus the first rows.
The row index is sparse: one checkpoint (data row, byte offset, lines before) every
:data:`CHECKPOINT_ROWS` rows, so a million-row file needs about a thousand entries and a random
access parses at most that many rows after a seek.
"""

from __future__ import annotations

import bisect
import os
import threading
from collections import Counter
from collections.abc import Iterator

from bulkwizard.core.errors import CsvFormatError
from bulkwizard.core.reading.records import Layout, RecordReader
from bulkwizard.core.reading.sniff import (
    ReadOptions,
    codec_layout,
    read_samples,
    sniff,
    unique_headers,
)
from bulkwizard.core.reading.table import CancelFlag, ProgressCallback, Row, Table, fit_row

CHECKPOINT_ROWS = 1024
HEAD_ROWS = 200
# How often the index build reports progress and looks at the cancel flag.
_PROGRESS_ROWS = 8192


class CsvTable(Table):
    """A delimited text file read lazily; see :mod:`bulkwizard.core.reading.table` for the API."""

    def __init__(self, path: str, options: ReadOptions | None = None) -> None:
        resolved = sniff(path, options)
        super().__init__(path, resolved)
        assert resolved.encoding is not None and resolved.delimiter is not None
        head, _, _ = read_samples(path)
        try:
            codec, bom_length = codec_layout(resolved.encoding, head)
        except LookupError:
            raise CsvFormatError(f"unknown encoding {resolved.encoding!r}", path=path) from None
        self.layout = Layout(
            path=self.path,
            codec=codec,
            encoding=resolved.encoding,
            delimiter=resolved.delimiter,
            quotechar=resolved.quotechar or "",
        )
        self.size = os.path.getsize(path)
        self.data_offset, self.data_lines_before = bom_length, 0
        self._head: list[list[str]] = []
        self._head_lines: list[int] = []
        self._head_complete = False
        self._head_end = bom_length
        self._read_top(bom_length)
        self._checkpoints: list[tuple[int, int, int]] = [
            (0, self.data_offset, self.data_lines_before)
        ]
        self._checkpoint_rows: list[int] = [0]
        self._lock = threading.Lock()

    def _read_top(self, start: int) -> None:
        """Skip to the header, read it and the first rows; fix the column count."""
        skip = self.options.header_row or 0
        has_header = bool(self.options.has_header)
        reader = RecordReader(self.layout, start, 0)
        raw_header: list[str] = []
        seen = 0
        for record in reader:
            if seen < skip:
                seen += 1
                self.data_offset, self.data_lines_before = reader.position, reader.lines
                continue
            if has_header and seen == skip:
                seen += 1
                raw_header = record.fields
                self.data_offset, self.data_lines_before = reader.position, reader.lines
                continue
            self._head.append(record.fields)
            self._head_lines.append(record.line)
            if len(self._head) >= HEAD_ROWS:
                break
        else:
            self._head_complete = True
        if skip and seen < skip + (1 if has_header else 0) and self.options.header_row is not None:
            if "header_row" not in self.options.guessed:
                raise CsvFormatError(
                    f"the file has only {seen} non-blank rows, so row {skip + 1} cannot be "
                    "where the table starts; pick a smaller header row",
                    path=self.path,
                )
        self._head_end = reader.position
        header_width = len(raw_header)
        if has_header:
            # Columns past the header count when most rows fill them (a header missing its last
            # name), not for a trailing delimiter or a stray cell on one ragged row.
            filled = Counter(
                max((i + 1 for i, v in enumerate(fields) if v.strip()), default=0)
                for fields in self._head
            )
            width = max(filled, key=lambda w: (filled[w], w)) if filled else 0
        else:
            width = max((len(fields) for fields in self._head), default=0)
        count = max(header_width, width, 1)
        self.raw_headers = raw_header + [""] * (count - header_width)
        self.headers = unique_headers(raw_header if has_header else [], count)
        if self._head_complete:
            self._row_count = len(self._head)

    # -- reading ------------------------------------------------------------------------------
    def head_widths(self) -> list[int]:
        """Field counts of the rows read at opening (up to HEAD_ROWS), for the arrow engine."""
        return [len(fields) for fields in self._head]

    def _nearest_checkpoint(self, start: int) -> tuple[int, int, int]:
        with self._lock:
            position = bisect.bisect_right(self._checkpoint_rows, start) - 1
            return self._checkpoints[max(position, 0)]

    def iter_rows(self, start: int = 0) -> Iterator[Row]:
        """Stream the data rows from 0-based position ``start`` to the end of the file."""
        start = max(start, 0)
        width = self.column_count
        if start < len(self._head):
            for index in range(start, len(self._head)):
                yield fit_row(index + 1, self._head_lines[index], list(self._head[index]), width)
            if self._head_complete:
                return
            start = len(self._head)
        row_index, offset, lines_before = self._nearest_checkpoint(start)
        for record in RecordReader(self.layout, offset, lines_before):
            if row_index >= start:
                yield fit_row(row_index + 1, record.line, record.fields, width)
            row_index += 1

    # -- indexing -----------------------------------------------------------------------------
    def build_index(
        self, progress: ProgressCallback | None = None, cancel: CancelFlag | None = None
    ) -> bool:
        """Scan the file once, recording a checkpoint every CHECKPOINT_ROWS rows."""
        if self._row_count is not None:
            if progress is not None:
                progress(self.size, self.size)
            return True
        checkpoints: list[tuple[int, int, int]] = [(0, self.data_offset, self.data_lines_before)]
        reader = RecordReader(self.layout, self.data_offset, self.data_lines_before)
        count = 0
        for record in reader:
            if count % CHECKPOINT_ROWS == 0 and count:
                checkpoints.append((count, record.offset, record.lines_before))
                if len(checkpoints) % 8 == 0:
                    self._publish(checkpoints)
            count += 1
            if count % _PROGRESS_ROWS == 0:
                if cancel is not None and cancel.is_set():
                    self._publish(checkpoints)
                    return False
                if progress is not None:
                    progress(reader.position, self.size)
        self._publish(checkpoints)
        self._row_count = count
        if progress is not None:
            progress(self.size, self.size)
        return True

    def _publish(self, checkpoints: list[tuple[int, int, int]]) -> None:
        with self._lock:
            self._checkpoints = list(checkpoints)
            self._checkpoint_rows = [c[0] for c in checkpoints]

    def _estimate_rows(self) -> int:
        sampled = len(self._head)
        if not sampled:
            return 0
        per_row = max(self._head_end - self.data_offset, 1) / sampled
        return max(sampled, round((self.size - self.data_offset) / per_row))
