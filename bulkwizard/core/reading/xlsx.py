"""Excel workbooks (``.xlsx``/``.xlsm``) as a :class:`~bulkwizard.core.reading.Table`, via openpyxl.

Sheets are streamed in openpyxl's read-only mode, so memory stays flat. Cells become the text a
user expects: whole numbers without ``.0``, dates as ISO ``yyyy-MM-dd`` (with ``HH:mm:ss`` when
they carry a time), booleans as ``TRUE``/``FALSE``, empty cells as ``""``. ``Row.line`` is the
sheet's row number. Rows with no value at all are skipped, like blank lines in a CSV.

A workbook cannot be read from the middle, so :meth:`XlsxTable.build_index` copies the sheet's
values once into a temporary UTF-8 CSV (first column: the sheet row number) and random access
then works exactly as for a CSV file. The copy is deleted by :meth:`XlsxTable.close`.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
import tempfile
import zipfile
from collections.abc import Iterator
from typing import Any

from bulkwizard.core.errors import CsvFormatError
from bulkwizard.core.reading.records import Layout, RecordReader
from bulkwizard.core.reading.sniff import ReadOptions, guess_header, unique_headers
from bulkwizard.core.reading.table import CancelFlag, ProgressCallback, Row, Table, fit_row

HEAD_ROWS = 200
CHECKPOINT_ROWS = 1024


def _open_workbook(path: str) -> Any:
    import openpyxl  # imported late: only workbook users pay for it

    try:
        return openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise CsvFormatError(
            f"not a readable .xlsx workbook ({exc}); save it again from Excel as .xlsx or as CSV",
            path=path,
        ) from None


def list_sheets(path: str | os.PathLike[str]) -> list[str]:
    """Return the names of a workbook's worksheets, in order.

    Raises:
        CsvFormatError: the file is not a readable workbook.
    """
    workbook = _open_workbook(os.fspath(path))
    try:
        return [ws.title for ws in workbook.worksheets]
    finally:
        workbook.close()


def cell_text(value: object) -> str:
    """The text of one cell value as read by openpyxl (see the module docstring)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        return repr(value)
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0, 0):
            return value.date().isoformat()
        return value.replace(microsecond=0).isoformat(sep=" ")
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    return str(value)


def _sheet_row(number: int, line: int, fields: list[str], width: int) -> Row:
    # A sheet has no ragged rows: cells missing at the end of a row are simply empty.
    row = fit_row(number, line, fields, width)
    row.field_count = max(row.field_count, width)
    return row


class XlsxTable(Table):
    """One worksheet of a workbook, read lazily (the API: :mod:`~bulkwizard.core.reading.table`)."""

    def __init__(self, path: str, sheet: str | None, options: ReadOptions | None = None) -> None:
        given = options or ReadOptions()
        sheets = list_sheets(path)
        if not sheets:
            raise CsvFormatError("the workbook has no worksheets", path=path)
        name = sheet if sheet is not None else sheets[0]
        if name not in sheets:
            raise CsvFormatError(
                f"no sheet named {name!r}; the sheets are: {', '.join(sheets)}", path=path
            )
        self.sheets = sheets
        self._copy: str | None = None
        self._checkpoints: list[tuple[int, int, int]] = []
        top: list[tuple[int, list[str]]] = []
        for item in self._sheet_rows(path, name):
            top.append(item)
            if len(top) > HEAD_ROWS + 20:
                break
        records = [fields for _, fields in top]
        header_row, has_header, guessed = guess_header(records, given.header_row, given.has_header)
        resolved = ReadOptions(
            has_header=has_header, header_row=header_row, sheet=name, guessed=tuple(guessed)
        )
        super().__init__(path, resolved)
        self._skip = header_row + (1 if has_header else 0)
        raw = records[header_row] if has_header and header_row < len(records) else []
        body = top[self._skip :]
        self._head = body[:HEAD_ROWS]
        self._head_complete = len(body) <= HEAD_ROWS and len(top) <= HEAD_ROWS + 20
        width = max([len(raw)] + [len(fields) for _, fields in self._head] + [1])
        self.raw_headers = raw + [""] * (width - len(raw))
        self.headers = unique_headers(raw, width)
        if self._head_complete:
            self._row_count = len(body)

    @staticmethod
    def _sheet_rows(path: str, sheet: str) -> Iterator[tuple[int, list[str]]]:
        """Yield (sheet row number, cell texts without trailing blanks) for non-blank rows."""
        workbook = _open_workbook(path)
        try:
            worksheet = workbook[sheet]
            for number, values in enumerate(worksheet.iter_rows(values_only=True), start=1):
                fields = [cell_text(v) for v in values]
                while fields and not fields[-1]:
                    fields.pop()
                if fields:
                    yield number, fields
        except (zipfile.BadZipFile, KeyError, ValueError) as exc:
            raise CsvFormatError(f"the workbook is damaged ({exc})", path=path) from None
        finally:
            workbook.close()

    def _estimate_rows(self) -> int:
        return len(self._head)

    def iter_rows(self, start: int = 0) -> Iterator[Row]:
        """Stream the data rows from 0-based position ``start`` to the end of the sheet."""
        start = max(start, 0)
        width = self.column_count
        if self._copy is not None and self._checkpoints:
            position = max(i for i, c in enumerate(self._checkpoints) if c[0] <= start)
            index, offset, lines_before = self._checkpoints[position]
            layout = Layout(self._copy, "utf-8", "utf-8", ",", '"')
            for record in RecordReader(layout, offset, lines_before):
                if index >= start:
                    yield _sheet_row(index + 1, int(record.fields[0]), record.fields[1:], width)
                index += 1
            return
        sheet = self.options.sheet or self.sheets[0]
        for index, (number, fields) in enumerate(self._body(sheet)):
            if index >= start:
                yield _sheet_row(index + 1, number, fields, width)

    def _body(self, sheet: str) -> Iterator[tuple[int, list[str]]]:
        if self._head_complete:
            yield from self._head
            return
        for position, item in enumerate(self._sheet_rows(self.path, sheet)):
            if position >= self._skip:
                yield item

    def build_index(
        self, progress: ProgressCallback | None = None, cancel: CancelFlag | None = None
    ) -> bool:
        """Copy the sheet to a temporary CSV once, with a checkpoint every CHECKPOINT_ROWS rows."""
        if self._copy is not None:
            return True
        handle, copy = tempfile.mkstemp(prefix="bulkwizard-sheet-", suffix=".csv")
        size = os.path.getsize(self.path)
        checkpoints: list[tuple[int, int, int]] = []
        count = 0
        raw = os.fdopen(handle, "wb")
        with io.TextIOWrapper(raw, encoding="utf-8", newline="") as out:
            writer = csv.writer(out, lineterminator="\n")
            for number, fields in self._body(self.options.sheet or self.sheets[0]):
                if count % CHECKPOINT_ROWS == 0:
                    out.flush()
                    checkpoints.append((count, raw.tell(), count))
                    if cancel is not None and cancel.is_set():
                        out.close()
                        os.unlink(copy)
                        return False
                    if progress is not None:
                        progress(min(count * 100, size), size)  # rows, not bytes: a rough share
                writer.writerow([str(number), *fields])
                count += 1
        self._copy, self._checkpoints = copy, checkpoints or [(0, 0, 0)]
        self._row_count = count
        if progress is not None:
            progress(size, size)
        return True

    def close(self) -> None:
        """Stop a background copy and delete the temporary CSV."""
        super().close()
        if self._copy is not None:
            try:
                os.unlink(self._copy)
            except OSError:
                pass
            self._copy = None
