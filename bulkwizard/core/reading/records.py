"""Streaming CSV records from any byte offset, with physical line numbers and byte offsets.

The file is read in binary blocks and cut into physical lines (``\\r\\n``, ``\\n`` or a lone
``\\r``, as Python's universal newlines do); each line is decoded on its own and fed to
:func:`csv.reader`, which asks for exactly the lines a record needs. So after each record we know
the byte offset where the next one starts, which is what the row index stores, and the reading
semantics are the csv module's in every path (preview, random access, full iteration, index).
"""

from __future__ import annotations

import codecs
import csv
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import BinaryIO

from bulkwizard.core.errors import CsvFormatError
from bulkwizard.core.reading.sniff import dialect_kwargs

BLOCK_BYTES = 1 << 20
_WIDE_LINES = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+")


@dataclass(frozen=True)
class Layout:
    """Where and how a file's text is stored: the codec, and its delimiter and quote."""

    path: str
    codec: str
    encoding: str
    delimiter: str
    quotechar: str

    @property
    def wide(self) -> bool:
        """UTF-16/32: CR and LF are not single bytes, so lines are cut after decoding."""
        return self.codec.startswith(("utf-16", "utf-32"))


@dataclass(frozen=True, slots=True)
class Record:
    """One non-blank CSV record.

    Attributes:
        line: 1-based physical line where it starts.
        offset: byte offset where reading resumed for it (right after the previous record, so
            blank lines between the two may come first).
        lines_before: physical lines before ``offset``.
        fields: the parsed cells.
    """

    line: int
    offset: int
    lines_before: int
    fields: list[str]


class RecordReader:
    """Iterate the records of a file from ``offset`` (a record boundary) to the end.

    ``position`` is the byte offset after the last record yielded, ``lines`` the number of
    physical lines read up to it.
    """

    def __init__(self, layout: Layout, offset: int, lines_before: int) -> None:
        self.layout = layout
        self.position = offset
        self.lines = lines_before
        self._start = offset
        self._base = lines_before

    def _byte_lines(self, raw: BinaryIO) -> Iterator[str]:
        read = raw.read
        codec = self.layout.codec
        pending = b""
        while True:
            chunk = read(BLOCK_BYTES)
            if not chunk:
                break
            data = pending + chunk if pending else chunk
            lines = data.splitlines(keepends=True)
            # The last piece may be a line cut by the block edge, or a \r whose \n is next.
            pending = b"" if lines[-1].endswith(b"\n") else lines.pop()
            for line in lines:
                self.position += len(line)
                yield line.decode(codec)
        if pending:
            self.position += len(pending)
            yield pending.decode(codec)

    def _wide_lines(self, raw: BinaryIO) -> Iterator[str]:
        read = raw.read
        codec = self.layout.codec
        decoder = codecs.getincrementaldecoder(codec)()
        pending = ""
        while True:
            chunk = read(BLOCK_BYTES)
            text = pending + decoder.decode(chunk, final=not chunk)
            lines = _WIDE_LINES.findall(text)
            pending = ""
            if chunk and lines and not lines[-1].endswith("\n"):
                pending = lines.pop()
            for line in lines:
                self.position += len(line.encode(codec))
                yield line
            if not chunk:
                break

    def __iter__(self) -> Iterator[Record]:
        layout = self.layout
        with open(layout.path, "rb") as raw:
            raw.seek(self._start)
            lines = self._wide_lines(raw) if layout.wide else self._byte_lines(raw)
            reader = csv.reader(lines, **dialect_kwargs(layout.delimiter, layout.quotechar))
            base = self._base
            last: Record | None = None
            while True:
                offset, before = self.position, base + reader.line_num
                try:
                    fields = next(reader)
                except StopIteration:
                    break
                except UnicodeDecodeError as exc:
                    raise CsvFormatError(
                        f"byte 0x{exc.object[exc.start]:02x} is not valid {layout.encoding}; "
                        "choose the file's encoding",
                        path=layout.path,
                        line=base + reader.line_num + 1,
                    ) from None
                except csv.Error as exc:
                    raise CsvFormatError(
                        f"the row starting here cannot be read ({exc}); usually a quote that is "
                        "never closed",
                        path=layout.path,
                        line=before + 1,
                    ) from None
                self.lines = base + reader.line_num
                if fields:
                    last = Record(before + 1, offset, before, fields)
                    yield last
        if last is not None:
            self._check_last(last)

    def _check_last(self, record: Record) -> None:
        """Raise when the file ends inside a quoted field (csv reads that silently)."""
        layout = self.layout
        if not layout.quotechar:
            return
        with open(layout.path, "rb") as raw:
            raw.seek(record.offset)
            data = raw.read(8 * BLOCK_BYTES)
        text = data.decode(layout.codec, errors="replace")
        opened = unclosed_quote(text, layout.delimiter, layout.quotechar)
        if opened is not None:
            line = record.lines_before + 1 + len(re.findall(r"\r\n|\r|\n", text[:opened]))
            raise CsvFormatError(
                f"a quote ({layout.quotechar}) opened here is never closed, so the rest of the "
                "file reads as one cell; fix the quote or choose another quote character",
                path=layout.path,
                line=line,
            )


def unclosed_quote(text: str, delimiter: str, quote: str) -> int | None:
    """Return the index of the quote that opens a field never closed before the end, or None.

    Mirrors the csv module's (non-strict) states: a quote is special only at a field's start,
    and a doubled quote inside a quoted field is a literal quote.
    """
    start, unquoted, quoted, after_quote = 0, 1, 2, 3
    state, opened = start, -1
    ends = "\r\n"
    for index, char in enumerate(text):
        if state == start:
            if char == quote:
                state, opened = quoted, index
            elif char != delimiter and char not in ends:
                state = unquoted
        elif state == unquoted:
            if char == delimiter or char in ends:
                state = start
        elif state == quoted:
            if char == quote:
                state = after_quote
        elif char == quote:
            state = quoted
        elif char == delimiter or char in ends:
            state = start
        else:
            state = unquoted
    return opened if state == quoted else None
