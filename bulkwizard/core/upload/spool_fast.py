"""Spooling by copying bytes: the fast path of :func:`bulkwizard.core.upload.spool.spool_file`.

When a file is already what Zoho wants (UTF-8, comma-delimited, ``"`` quotes) and no column is
dropped, re-encoding every cell would only reproduce the source's own bytes. So the file is read
in blocks (:mod:`bulkwizard.core.reading.blocks`), pyarrow converts only the key or link column
(for the families), and each block's lines are copied into the spool as they are when:

* the block is *simple* (pyarrow and the data engine's reader see the same rows; see
  :mod:`~bulkwizard.core.reading.blocks`), so each line is one row of exactly the header's width;
* every line is strict RFC 4180 (checked with one vectorised RE2 match per block): a field is
  either unquoted without quotes, or quoted with inner quotes doubled and nothing after the
  closing quote, so any CSV parser reads the cells the reader read;
* line ends are CRLF (a file with LF only gets CRLF; mixed line ends are re-encoded).

Every other block (and every row the reader had to read itself) goes through the encoder exactly
as on the slow path; the spool is the same kind of file either way: the data rows' upload bytes
in order, with each row's size, family and number.
"""

from __future__ import annotations

from array import array
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from bulkwizard.core.inputs import ResourceInput
from bulkwizard.core.reading import (
    LONE_CR,
    ArrowBlock,
    BlockParser,
    FastSource,
    fast_source,
    iter_blocks,
)
from bulkwizard.core.upload.spool import (
    BATCH_ROWS,
    Encoder,
    Families,
    Projection,
    SpooledFile,
    output_header,
)

_FIELD = r'(?:"(?:[^"\r\n]|"")*"|[^",\r\n]*)'
_CANONICAL = f"^{_FIELD}(?:,{_FIELD})*\r$"  # a line without its line feed


def pass_through_source(item: ResourceInput, projection: Projection) -> FastSource | None:
    """The fast source of a file whose rows may be copied as they are, or None."""
    if not projection.identity:
        return None
    source = fast_source(item.table)
    if source is None or source.delimiter != "," or source.quotechar != '"':
        return None
    if source.parsed_width != source.width:  # a trailing delimiter would add a column
        return None
    return source


def canonical_lines(data: bytes) -> tuple[bytes, array[int]] | None:
    """``data`` (whole lines) with CRLF line ends and each line's size, when strictly RFC 4180."""
    if not data.endswith(b"\n"):
        data += b"\n" if b"\r" not in data else b"\r\n"
    crs = data.count(b"\r")
    if not crs:
        data = data.replace(b"\n", b"\r\n")
    elif crs != data.count(b"\n") or LONE_CR.search(data):
        return None  # mixed line ends: the encoder writes CRLF
    ends = pa.array([0, len(data)], pa.int64()).buffers()[1]
    whole = pa.Array.from_buffers(pa.large_binary(), 1, [None, ends, pa.py_buffer(data)])
    pieces = pc.split_pattern(whole, b"\n").values
    lines = pieces.slice(0, len(pieces) - 1)  # the empty piece after the last line end
    if not pc.all(pc.match_substring_regex(lines, _CANONICAL)).as_py():
        return None
    return data, _int64s(pc.add(pc.binary_length(lines).cast(pa.int64()), 1))


def _int64s(values: pa.Array) -> array[int]:
    """An int64 array's values as an ``array('q')``, without a Python int per value."""
    out = array("q")
    if len(values):
        width = 8
        raw = values.buffers()[1]
        out.frombytes(raw[values.offset * width : (values.offset + len(values)) * width])
    return out


class ArrowFamilies:
    """Family ids through pyarrow hash lookups instead of a Python dict per row.

    For a parent with one key column: each row's family is the first row with the same key (a
    row without a key is its own family), computed once all keys are read; the key column is
    kept as the parent-key index children look up. For a child: each row's family is the first
    parent row whose key equals its link (-1 when none, or when the link is empty), looked up a
    window of rows at a time. The same families as :class:`~.upload_spool.Families` gives.
    """

    WINDOW = 1 << 20  # child rows per lookup (each lookup hashes the parent keys once)

    def __init__(self, spool: SpooledFile, column: int, parent_cells: pa.Array | None) -> None:
        self.spool = spool
        self.column = column
        self.parent_cells = parent_cells
        self.parts: list[pa.Array] = []
        self.pending = 0

    def add(self, cells: pa.Array) -> None:
        """The key (parent) or link (child) cells of the next rows."""
        self.parts.append(cells)
        self.pending += len(cells)
        if self.parent_cells is not None and self.pending >= self.WINDOW:
            self._look_up()

    def _look_up(self) -> None:
        assert self.parent_cells is not None
        if not self.parts:
            return
        links = pa.concat_arrays(self.parts)
        self.parts, self.pending = [], 0
        found = pc.index_in(links, value_set=self.parent_cells).cast(pa.int64())
        found = pc.if_else(pc.equal(links, ""), pa.scalar(None, pa.int64()), found)
        self.spool.families.fromlist(pc.fill_null(found, -1).to_pylist())

    def finish(self) -> None:
        if self.parent_cells is not None:
            self._look_up()
            return
        keys = pa.concat_arrays(self.parts) if self.parts else pa.array([], pa.string())
        self.parts = []
        first = pc.index_in(keys, value_set=keys).cast(pa.int64())
        positions = pa.array(array("q", range(len(keys))), pa.int64())
        own = pc.if_else(pc.equal(keys, ""), positions, first)
        self.spool.families = array("q", own.to_pylist())
        self.spool.key_cells[self.column] = keys


def python_keys(parent: SpooledFile) -> dict[int, dict[int, int]]:
    """The parent's key index as :class:`~.upload_spool.Families` wants it (hash -> position)."""
    for column, cells in parent.key_cells.items():
        if not parent.keys.get(column):
            values = cells.to_pylist()
            known = dict(
                zip(map(hash, reversed(values)), range(len(values) - 1, -1, -1), strict=True)
            )
            known.pop(hash(""), None)
            parent.keys[column] = known
    return parent.keys


def spool_fast(
    source: FastSource,
    item: ResourceInput,
    projection: Projection,
    path: Path,
    *,
    parent: SpooledFile | None,
    key_columns: Sequence[int],
    progress: Callable[[str, int], None] | None = None,
    cancel: Callable[[], bool] | None = None,
) -> SpooledFile | None:
    """Like :func:`~bulkwizard.core.upload.spool.spool_file`, copying clean blocks as they are.

    ``parent`` is the parent's spool (None when spooling the parent).
    """
    encoder = Encoder()
    header, _ = encoder.encode([output_header(item)], None)
    spool = SpooledFile(item.name, item.label, path, header, array("q"), array("q"), array("q"), {})
    link = item.parent_link
    arrow: ArrowFamilies | None = None
    families: Families | None = None
    if parent is None and len(key_columns) == 1:
        arrow = ArrowFamilies(spool, key_columns[0], None)
    elif (
        parent is not None
        and link is not None
        and link.index is not None
        and link.parent_column_index in parent.key_cells
    ):
        arrow = ArrowFamilies(spool, link.index, parent.key_cells[link.parent_column_index])
    else:
        parent_keys = None if parent is None else python_keys(parent)
        families = Families(item, spool, parent_keys, key_columns)
    if arrow is not None:
        keys = [arrow.column]
    else:
        assert families is not None
        keys = families.key_columns if families.parent else [families.link_column]
    full: BlockParser | None = None
    # The byte checks run on the reading threads too (pyarrow releases the GIL), next to the
    # families computed here.
    blocks = iter_blocks(source, keys, post=canonical_lines)
    try:
        with path.open("wb") as out:
            size = 0  # spool bytes so far, in the source or in ``out``
            for block in blocks:
                if cancel is not None and cancel():
                    return None
                if isinstance(block, ArrowBlock):
                    copied = block.extra
                    if copied is not None:
                        if copied[0] is block.data:  # the source's bytes as they are: no copy
                            spool.add_segment(size, Path(source.path), block.offset)
                        else:
                            spool.add_segment(size, path, out.tell())
                            out.write(copied[0])
                        size += len(copied[0])
                        spool.lengths.extend(copied[1])
                        spool.numbers.extend(range(block.number, block.number + block.count))
                        if arrow is not None:
                            arrow.add(block.columns[arrow.column])
                        else:
                            assert families is not None
                            cached = {i: block.columns[i].to_pylist() for i in keys}
                            families.add_cells(block.count, cached.__getitem__)
                        if progress is not None:
                            progress(item.label, len(spool.lengths))
                        continue
                    # Simple but not strict RFC 4180: re-encode its cells (pyarrow's are exact).
                    full = full or BlockParser(source, range(source.width))
                    parsed = full.parse(block.data)
                    assert parsed is not None  # the same bytes parsed as simple before
                    columns = parsed[1]
                    values: list[Any] = list(
                        zip(*(columns[i].to_pylist() for i in range(source.width)), strict=True)
                    )
                    numbers: Sequence[int] = range(block.number, block.number + block.count)
                else:
                    values = [row.values for row in block.rows]
                    numbers = [row.number for row in block.rows]
                for start in range(0, len(values), BATCH_ROWS):
                    part = values[start : start + BATCH_ROWS]
                    data, sizes = encoder.encode(part, None)
                    spool.add_segment(size, path, out.tell())
                    out.write(data)
                    size += len(data)
                    spool.lengths.fromlist(sizes)
                    spool.numbers.extend(numbers[start : start + BATCH_ROWS])
                    if arrow is not None:
                        cells = [row[arrow.column] for row in part]
                        arrow.add(pa.array(cells, pa.string()))
                    else:
                        assert families is not None
                        families.add(part)
                if progress is not None:
                    progress(item.label, len(spool.lengths))
    finally:
        blocks.close()  # type: ignore[attr-defined]  # stops the reading threads
    if arrow is not None:
        arrow.finish()
    else:
        assert families is not None
        families.finish()
    return spool
