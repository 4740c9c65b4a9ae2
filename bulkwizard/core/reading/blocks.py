"""Reading clean delimited files in big vectorised blocks, with the reader's exact row numbering.

Row checks and upload preparation read every row of files that can hold millions of them. The
data engine's reader (:meth:`~bulkwizard.core.reading.Table.iter_rows`) gives exact rows, row
numbers and physical lines, but builds Python objects for every cell. This module reads the same
rows with pyarrow's multi-threaded parser, block by block, and uses it only where the two
readers provably agree; everywhere else it hands back the reader's own rows.

A block is cut at a line end (a few MB of bytes). It is **simple**, and read by pyarrow, when:

* pyarrow parses it without error and without any row of the wrong width (ragged rows), and the
  cells past the header (a trailing delimiter) are all empty;
* it has as many rows as physical lines (``\\r\\n``, ``\\n`` or lone ``\\r``): so no blank
  line and no record spread over several lines, and row ``i`` of the block is on line ``i``;
* every byte is valid UTF-8 (the reader would stop with an error otherwise).

A block that is not simple is read by the reader's own record parser
(:class:`~bulkwizard.core.reading.records.RecordReader`) from the block's first byte, a known
record boundary, until past the block's end; fast reading resumes at the record boundary it stops
on (after :data:`GIVE_UP_BLOCKS` such blocks in a row, the reader reads the rest of the file).
Blocks are parsed a few at a time on a small thread pool, ahead of the caller. Only UTF-8 files
of a :class:`~bulkwizard.core.reading.csv_table.CsvTable` qualify; other tables make
:func:`fast_source` return None and callers keep the reader's path.
"""

from __future__ import annotations

import codecs
import re
from collections import Counter, deque
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, BinaryIO

from bulkwizard.core.reading.table import Row, fit_row

LONE_CR = re.compile(rb"\r(?!\n)")
BLOCK_BYTES = 4 << 20  # a few MB: big enough for pyarrow, small enough to stay cheap
WORKERS = 2  # blocks parsed at once, one per thread
# When this many blocks in a row are not simple (multi-line cells everywhere...), parsing them
# twice is a waste: the rest of the file is left to the reader.
GIVE_UP_BLOCKS = 4
EXACT_ROWS = 8192  # rows per ExactRows batch once the reader reads the rest of the file

try:  # pyarrow is a runtime dependency, but a missing wheel must never break the exact path
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.csv as pacsv
except ImportError:  # pragma: no cover - exercised only on installs without pyarrow
    pa = pc = pacsv = None


@dataclass
class FastSource:
    """What the fast reader needs to know about one table (see :func:`fast_source`)."""

    table: Any
    path: str
    offset: int
    lines_before: int
    width: int
    parsed_width: int
    delimiter: str
    quotechar: str


@dataclass
class ArrowBlock:
    """Consecutive rows read by pyarrow.

    Attributes:
        number: data row number of the first row (1-based, as the reader numbers rows).
        line: physical line of the first row; row ``i`` of the block is on ``line + i``.
        count: rows in the block.
        columns: requested source column index -> pyarrow string array of ``count`` cells.
        data: the block's raw bytes (whole lines).
        offset: where they start in the file.
        extra: what the ``post`` function of :func:`iter_blocks` made of ``data``.
    """

    number: int
    line: int
    count: int
    columns: dict[int, Any]
    data: bytes
    offset: int
    extra: Any = None


@dataclass
class ExactRows:
    """Consecutive rows read by the data engine's reader (a block that was not simple)."""

    rows: list[Row]


def fast_source(table: Any) -> FastSource | None:
    """The table's fast-reading description, or None when only the reader's path applies."""
    if pa is None:
        return None
    try:
        from bulkwizard.core.reading.csv_table import CsvTable
    except ImportError:  # pragma: no cover
        return None
    if not isinstance(table, CsvTable):
        return None
    layout = getattr(table, "layout", None)
    offset = getattr(table, "data_offset", None)
    before = getattr(table, "data_lines_before", None)
    if layout is None or not isinstance(offset, int) or not isinstance(before, int):
        return None
    try:
        codec = codecs.lookup(str(getattr(layout, "codec", ""))).name
    except LookupError:
        return None
    if codec != "utf-8":  # pyarrow checks UTF-8; other encodings would need transcoding
        return None
    delimiter, quotechar = layout.delimiter, layout.quotechar
    if len(delimiter) != 1 or delimiter in "\r\n" or quotechar not in ('"', "'", ""):
        return None
    width = table.column_count
    widths = Counter(getattr(table, "head_widths", list)())
    mode = widths.most_common(1)[0][0] if widths else width
    return FastSource(table, layout.path, offset, before, width, max(width, mode),
                      delimiter, quotechar)  # fmt: skip


def _line_count(block: bytes) -> int:
    """Physical lines in ``block`` as universal newlines count them (a last line may lack one)."""
    lines = block.count(b"\n")
    if b"\r" in block:
        lines += len(LONE_CR.findall(block))
    if block and block[-1:] not in (b"\n", b"\r"):
        lines += 1
    return lines


class BlockParser:
    """pyarrow options for one source, and the simple-block test."""

    def __init__(self, source: FastSource, columns: Sequence[int]) -> None:
        self.source = source
        names = [f"c{i}" for i in range(source.parsed_width)]
        self.wanted = sorted(set(columns))
        self.extra = list(range(source.width, source.parsed_width))
        self.last = source.parsed_width - 1
        include = [names[i] for i in sorted({*self.wanted, *self.extra, self.last})]
        # One block per thread (see iter_blocks), so no threads inside a block.
        self.read_options = pacsv.ReadOptions(column_names=names, use_threads=False)
        self.parse_options = pacsv.ParseOptions(
            delimiter=source.delimiter,
            quote_char=source.quotechar or False,
            double_quote=True,
            newlines_in_values=True,
            ignore_empty_lines=True,  # a row of the wrong width raises: not simple
        )
        self.convert_options = pacsv.ConvertOptions(
            include_columns=include,
            column_types={name: pa.string() for name in include},
            strings_can_be_null=False,
            quoted_strings_can_be_null=False,
        )

    def parse(self, block: bytes) -> tuple[int, dict[int, Any]] | None:
        """Rows and requested columns of a simple block, or None when the block is not simple."""
        buffer = pa.py_buffer(block)
        try:
            parsed = pacsv.read_csv(
                buffer,
                read_options=self.read_options,
                parse_options=self.parse_options,
                convert_options=self.convert_options,
            )
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError, pa.ArrowTypeError):
            return None
        if parsed.num_rows != _line_count(block):
            return None
        # pyarrow ends a quoted field at the end of its input: a block cut inside a quoted field
        # (whose record goes on in the next block) shows as a line break in the last cell.
        last = parsed.column(f"c{self.last}")
        if last and any(c in last[-1].as_py() for c in "\r\n"):
            return None
        for index in self.extra:  # a trailing delimiter: fine when nothing is after it
            extra = parsed.column(f"c{index}")
            if pc.max(pc.binary_length(extra)).as_py() not in (0, None):
                return None
        if not _valid_utf8(buffer, len(block)):
            return None
        return parsed.num_rows, {i: parsed.column(f"c{i}").combine_chunks() for i in self.wanted}


def _valid_utf8(buffer: Any, size: int) -> bool:
    """Whether a whole buffer is UTF-8 (pyarrow checks only the columns it converts)."""
    offsets = pa.array([0, size], pa.int32()).buffers()[1]
    text = pa.Array.from_buffers(pa.string(), 1, [None, offsets, buffer])
    try:
        text.validate(full=True)
    except pa.ArrowInvalid:
        return False
    return True


def _cuts(stream: BinaryIO, offset: int, block_bytes: int) -> Iterator[tuple[int, bytes]]:
    """Consecutive (offset, bytes) blocks of whole lines from ``offset`` to the end."""
    stream.seek(offset)
    pending = b""
    while True:
        chunk = stream.read(block_bytes)
        data = pending + chunk if pending else chunk
        if not data:
            return
        if chunk:
            cut = data.rfind(b"\n") + 1
            if cut == 0:  # one line longer than a block: read on
                pending = data
                continue
            block, pending = data[:cut], data[cut:]
        else:
            block, pending = data, b""
        yield offset, block
        offset += len(block)


def iter_blocks(
    source: FastSource,
    columns: Sequence[int],
    *,
    block_bytes: int | None = None,
    post: Callable[[bytes], Any] | None = None,
    workers: int = WORKERS,
) -> Iterator[ArrowBlock | ExactRows]:
    """Every data row of the source, in order, as arrow blocks or exact reader rows.

    Blocks are parsed a few at a time on ``workers`` threads (pyarrow and ``post``, which runs
    on each simple block's bytes and lands in :attr:`ArrowBlock.extra`, release the GIL). A
    block after one that was not simple was cut assuming the cut was a record boundary; when the
    reader's parser shows it was not, the blocks parsed ahead are dropped and cutting starts
    again where the reader stopped.
    """
    from bulkwizard.core.reading.records import RecordReader

    parser = BlockParser(source, columns)
    block_bytes = block_bytes or BLOCK_BYTES

    def work(block: bytes) -> tuple[tuple[int, dict[int, Any]] | None, Any]:
        parsed = parser.parse(block)
        return parsed, post(block) if parsed is not None and post is not None else None

    layout = source.table.layout
    width = source.width
    number, lines_before, offset = 1, source.lines_before, source.offset
    failures = 0
    ahead: deque[tuple[int, bytes, Future[tuple[tuple[int, dict[int, Any]] | None, Any]]]]
    ahead = deque()
    with open(source.path, "rb") as stream, ThreadPoolExecutor(workers, "fast-block") as pool:
        cuts = _cuts(stream, offset, block_bytes)
        try:
            while True:
                while len(ahead) <= workers:
                    cut = next(cuts, None)
                    if cut is None:
                        break
                    ahead.append((*cut, pool.submit(work, cut[1])))
                if not ahead:
                    return
                offset, block, future = ahead.popleft()
                parsed, extra = future.result()
                if parsed is not None:
                    failures = 0
                    count, cells = parsed
                    yield ArrowBlock(number, lines_before + 1, count, cells, block, offset, extra)
                    number += count
                    lines_before += count
                    continue
                # Not simple: the reader's own parser, from this record boundary to past the block
                # (or to the end of the file, when blocks keep failing).
                failures += 1
                end = offset + len(block) if failures < GIVE_UP_BLOCKS else None
                reader = RecordReader(layout, offset, lines_before)
                rows: list[Row] = []
                for record in reader:
                    rows.append(fit_row(number, record.line, record.fields, width))
                    number += 1
                    if end is not None and reader.position >= end:
                        break
                    if len(rows) >= EXACT_ROWS:
                        yield ExactRows(rows)
                        rows = []
                if rows:
                    yield ExactRows(rows)
                if end is None:
                    return
                if reader.position <= offset:  # nothing more to read
                    return
                lines_before = reader.lines
                if reader.position != end:  # the cuts ahead were not record boundaries
                    for *_, pending in ahead:
                        pending.cancel()
                    ahead.clear()
                    cuts = _cuts(stream, reader.position, block_bytes)
        finally:
            for *_, pending in ahead:
                pending.cancel()
