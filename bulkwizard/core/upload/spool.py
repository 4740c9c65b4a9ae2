"""The mechanics under :mod:`bulkwizard.core.upload.preparer`: column projection, spooling, zipping.

Spooling encodes a file once, in batches, into the exact bytes that go into the zips (or, for
rows already in that form, points at the source's own bytes: :mod:`~.upload_spool_fast`), and
keeps three numbers per row (size, family, row number) plus, for the parent file, one hash ->
position entry per key: never the rows themselves. Zipping then copies byte ranges. Rows of clean
UTF-8 blocks come from pyarrow's parser (:mod:`~.upload_fastpath`), column by column; the rest
from the data engine's reader.
"""

from __future__ import annotations

import os
import re
import zipfile
from array import array
from bisect import bisect_right
from collections.abc import Callable, Generator, Iterator, Sequence
from dataclasses import dataclass, field
from functools import partial
from itertools import islice, repeat
from operator import attrgetter, itemgetter, methodcaller
from pathlib import Path
from typing import IO, Any, BinaryIO

import pyarrow as pa
import pyarrow.compute as pc

from bulkwizard.core.errors import MappingError
from bulkwizard.core.inputs import ResourceInput
from bulkwizard.core.reading import ArrowBlock, fast_source, iter_blocks
from bulkwizard.core.upload.split import SplitError

BATCH_ROWS = 1024  # small batches stay in the CPU cache (measured)
ZIP_DATE = (1980, 1, 1, 0, 0, 0)  # fixed, so the same input gives byte-identical zips
_COPY_BYTES = 1 << 20
_EMPTY = hash("")
_values = attrgetter("values")
_utf8 = methodcaller("encode", "utf-8")
_SPECIAL = re.compile(r'[",\r\n]')
_QUOTED = '"{}"'
_DOUBLE_QUOTES = methodcaller("replace", '"', '""')
_PLUS_CRLF = (2).__add__
_numbers = attrgetter("number")


@dataclass
class Projection:
    """Which source columns a resource's output CSV keeps, in order.

    Attributes:
        columns: source column indexes, in output order.
        width: the source's column count.
    """

    columns: list[int]
    width: int
    _new: dict[int, int] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        self._new = {old: new for new, old in enumerate(self.columns)}

    @property
    def identity(self) -> bool:
        return self.columns == list(range(self.width))

    def new_index(self, old: int) -> int:
        """The output index of source column ``old``."""
        return self._new[old]

    @classmethod
    def for_inputs(cls, inputs: Sequence[ResourceInput], drop_unmapped: bool) -> list[Projection]:
        """One projection per input: mapped columns (and parent key columns) only, or all.

        Raises:
            MappingError: a mapping names a column the file does not have.
        """
        keys = {
            link.parent_column_index
            for item in inputs[1:]
            if (link := item.parent_link) is not None and link.parent_column_index is not None
        }
        projections: list[Projection] = []
        for item in inputs:
            width = len(item.headers)
            used = {m.index for m in item.mappings if m.index is not None}
            if item.position == 0:
                used |= keys
            for index in sorted(used):
                if not 0 <= index < width:
                    raise MappingError(
                        f"{item.label}: a mapping uses column index {index}, but the file has "
                        f"{width} columns (0 to {width - 1})"
                    )
            keep_all = not drop_unmapped or item.resource.field_mappings is None
            columns = list(range(width)) if keep_all else sorted(used)
            projections.append(cls(columns, width))
        return projections


@dataclass
class SpooledFile:
    """One resource's rows encoded for upload, in a temporary file (data rows only).

    Attributes:
        name: CSV name inside the zips.
        label: the source as the user named it.
        path: the spool.
        header: the encoded header line.
        lengths / families / numbers: per data row: bytes, family id, row number.
        keys: parent only: key column -> hash of key -> position of its first parent row.
        segments: where the spool's bytes are when not all in ``path`` (see ``add_segment``).
        key_cells: parent only, instead of ``keys`` when spooled by ``upload_spool_fast``: key
            column -> its cells, the index children's links are looked up in.
    """

    name: str
    label: str
    path: Path
    header: bytes
    lengths: array[int]
    families: array[int]
    numbers: array[int]
    keys: dict[int, dict[int, int]]
    segments: list[Segment] = field(default_factory=list)
    key_cells: dict[int, pa.Array] = field(default_factory=dict, repr=False)

    def add_segment(self, start: int, path: Path, offset: int) -> None:
        """Bytes from spool position ``start`` on are in ``path`` from ``offset`` on."""
        if self.segments:
            last_start, last_path, last_offset = self.segments[-1]
            if last_path == path and last_offset + start - last_start == offset:
                return  # continues the previous segment
        self.segments.append((start, path, offset))

    def pieces(self, start: int, end: int) -> list[tuple[Path, int, int]]:
        """Where spool bytes ``start:end`` are: (file, start, end) pieces, in order."""
        segments = self.segments
        if not segments:
            return [(self.path, start, end)] if end > start else []
        found: list[tuple[Path, int, int]] = []
        index = bisect_right([s[0] for s in segments], start) - 1
        while start < end:
            first, path, offset = segments[index]
            stop = segments[index + 1][0] if index + 1 < len(segments) else end
            stop = min(stop, end)
            if stop > start:
                found.append((path, offset + start - first, offset + stop - first))
            start = stop
            index += 1
        return found

    def offsets(self) -> pa.Array:
        """Spool position of each row's start, and the end: ``len(lengths) + 1`` values."""
        lengths = pa.Array.from_buffers(
            pa.int64(), len(self.lengths), [None, pa.py_buffer(self.lengths)]
        )
        return pa.concat_arrays([pa.array([0], pa.int64()), pc.cumulative_sum(lengths)])


# A spool may be spread over files (copied source bytes + encoded bytes): from spool position
# ``start`` on, its bytes are in ``path`` from ``offset`` on.
Segment = tuple[int, Path, int]
Member = tuple[SpooledFile, list[tuple[Path, int, int]]]
ROUTE_ROWS = 1 << 16  # rows routed per step: a few MB


def members_by_chunk(
    spool: SpooledFile, chunk_ids: pa.Array, chunks: int, folder: Path
) -> list[Member]:
    """Where each chunk's rows of one spool are: (spool, byte pieces), by chunk index.

    Rows of one chunk usually sit together (parents in order, children grouped by parent), and
    the zips read them straight from the spool (or the source file it points at). When they are
    scattered, one sequential pass routes them into a file per chunk instead of seeking once per
    run: a few MB of rows at a time, stably sorted by chunk with pyarrow, then one write per chunk.
    """
    offsets = spool.offsets()
    runs = pc.run_end_encode(chunk_ids) if len(chunk_ids) else None
    if runs is None or len(runs.run_ends) <= 2 * chunks:
        pieces: list[list[tuple[Path, int, int]]] = [[] for _ in range(chunks)]
        if runs is not None:
            start = 0
            for end, chunk in zip(runs.run_ends.to_pylist(), runs.values.to_pylist(), strict=True):
                pieces[chunk].extend(spool.pieces(offsets[start].as_py(), offsets[end].as_py()))
                start = end
        return [(spool, pieces[chunk]) for chunk in range(chunks)]
    paths = [folder / f"{spool.path.stem}-{chunk:04d}.part" for chunk in range(chunks)]
    outputs = [path.open("wb") for path in paths]
    try:
        with _Reader(spool) as reader:
            for first in range(0, len(chunk_ids), ROUTE_ROWS):
                _route(reader, offsets, chunk_ids, first, outputs)
        sizes = [output.tell() for output in outputs]
    finally:
        for output in outputs:
            output.close()
    return [(spool, [(paths[chunk], 0, sizes[chunk])]) for chunk in range(chunks)]


class _Reader:
    """Reads byte ranges of a spool, keeping its files open."""

    def __init__(self, spool: SpooledFile) -> None:
        self.spool = spool
        self.files: dict[Path, BinaryIO] = {}

    def read(self, start: int, end: int) -> bytes:
        parts = []
        for path, first, stop in self.spool.pieces(start, end):
            stream = self.files.get(path)
            if stream is None:
                stream = self.files[path] = path.open("rb")
            stream.seek(first)
            parts.append(stream.read(stop - first))
        return b"".join(parts) if len(parts) != 1 else parts[0]

    def __enter__(self) -> _Reader:
        return self

    def __exit__(self, *exc_info: object) -> None:
        for stream in self.files.values():
            stream.close()


def _route(
    reader: _Reader,
    offsets: pa.Array,
    chunk_ids: pa.Array,
    first: int,
    outputs: Sequence[IO[bytes]],
) -> None:
    """Append rows ``first:first + ROUTE_ROWS`` to their chunk's file, keeping their order."""
    count = min(ROUTE_ROWS, len(chunk_ids) - first)
    window = offsets.slice(first, count + 1)
    base = window[0].as_py()
    data = reader.read(base, window[count].as_py())
    rows = pa.Array.from_buffers(
        pa.large_binary(),
        count,
        [None, pc.subtract(window, base).buffers()[1], pa.py_buffer(data)],
    )
    ids = chunk_ids.slice(first, count)
    order = pc.sort_indices(ids)  # stable: rows keep their order within a chunk
    grouped = rows.take(order)
    bounds = memoryview(grouped.buffers()[1]).cast("q")
    content = memoryview(grouped.buffers()[2]) if grouped.buffers()[2] is not None else b""
    runs = pc.run_end_encode(ids.take(order))
    start = 0
    for end, chunk in zip(runs.run_ends.to_pylist(), runs.values.to_pylist(), strict=True):
        outputs[chunk].write(content[bounds[start] : bounds[end]])
        start = end


class Encoder:
    """Encodes rows as Zoho wants them (RFC 4180, CRLF) and reports each row's size in bytes.

    Column by column rather than with :mod:`csv`'s per-row writer: a column with no comma, quote
    or line break in the whole batch is joined as is; any other column is quoted cell by cell
    (quotes doubled). That is valid CSV, the same for the same input, and all at C speed.
    """

    def encode(
        self, rows: Sequence[Sequence[str]], keep: Sequence[int] | None = None
    ) -> tuple[bytes, list[int]]:
        """Encode ``rows`` (only the columns ``keep``, in that order, when given)."""
        if not rows:
            return b"", []
        columns: list[Sequence[str]] = list(zip(*rows, strict=True))
        if keep is not None:
            columns = [columns[index] for index in keep]
        return self.encode_columns(columns, len(rows))

    def encode_columns(self, columns: list[Sequence[str]], count: int) -> tuple[bytes, list[int]]:
        """Encode ``count`` rows given column by column (the cells of each output column)."""
        if not count:
            return b"", []
        if not columns:  # rows without cells still need a line each
            return b"\r\n" * count, [2] * count
        for index, cells in enumerate(columns):
            # One-column rows: an empty cell must be quoted or the line would read as blank.
            if _SPECIAL.search("\x00".join(cells)) or (len(columns) == 1 and "" in cells):
                columns[index] = list(map(_QUOTED.format, map(_DOUBLE_QUOTES, cells)))
        lines = list(map(",".join, zip(*columns, strict=True)))
        lines.append("")
        text = "\r\n".join(lines)
        lines.pop()
        data = text.encode("utf-8")
        measured = map(len, lines) if len(data) == len(text) else map(len, map(_utf8, lines))
        return data, list(map(_PLUS_CRLF, measured))


def output_header(item: ResourceInput) -> list[str]:
    """The header cells written for a resource: as in the file, or the reader's names."""
    raw = list(getattr(item.table, "raw_headers", None) or item.headers)
    return [raw[i] or item.headers[i] for i in range(len(item.headers))]


def spool_file(
    item: ResourceInput,
    projection: Projection,
    path: Path,
    *,
    parent_keys: dict[int, dict[int, int]] | None,
    key_columns: Sequence[int],
    progress: Callable[[str, int], None] | None = None,
    cancel: Callable[[], bool] | None = None,
) -> SpooledFile | None:
    """Encode one file into ``path``; None when cancelled.

    For the parent (``parent_keys`` None) families come from ``key_columns``; for a child they
    come from its link column looked up in ``parent_keys`` (-1 when no parent has the key).
    """
    encoder = Encoder()
    keep = None if projection.identity else projection.columns
    header, _ = encoder.encode([output_header(item)], keep)
    spool = SpooledFile(item.name, item.label, path, header, array("q"), array("q"), array("q"), {})
    families = Families(item, spool, parent_keys, key_columns)
    source = fast_source(item.table)
    if source is not None:  # clean blocks come from pyarrow, cells as Python lists per column
        needed = {*projection.columns, *families.key_columns}
        if not families.parent:
            needed.add(families.link_column)
        batches = _block_batches(iter_blocks(source, sorted(needed)), projection.columns, keep)
    else:
        batches = _row_batches(item.table.iter_rows(), keep)
    try:
        with path.open("wb") as out:
            for count, numbers, cells_of, encode in batches:
                if cancel is not None and cancel():
                    return None
                data, sizes = encode(encoder)
                out.write(data)
                spool.lengths.fromlist(sizes)
                spool.numbers.extend(numbers)
                families.add_cells(count, cells_of)
                if progress is not None:
                    progress(item.label, len(spool.lengths))
    finally:
        batches.close()
    families.finish()
    return spool


# One batch of rows to spool: (count, row numbers, column -> cells, encode with an Encoder).
_Batch = tuple[int, Sequence[int], Callable[[int], list[str]], Callable[["Encoder"], Any]]


def _row_batches(rows: Iterator[Any], keep: Sequence[int] | None) -> Generator[_Batch, None, None]:
    """The reader's rows, :data:`BATCH_ROWS` at a time."""
    rows = iter(rows)
    while True:
        batch = list(islice(rows, BATCH_ROWS))
        if not batch:
            return
        values = list(map(_values, batch))
        cells_of = partial(_column_of, values)
        yield len(batch), list(map(_numbers, batch)), cells_of, partial(_encode_rows, values, keep)


def _column_of(values: list[Any], column: int) -> list[str]:
    return list(map(itemgetter(column), values))


def _encode_rows(values: list[Any], keep: Sequence[int] | None, encoder: Encoder) -> Any:
    return encoder.encode(values, keep)


def _block_batches(
    blocks: Iterator[Any], kept: Sequence[int], keep: Sequence[int] | None
) -> Generator[_Batch, None, None]:
    """Rows of arrow blocks (cells converted once per block) or the reader's rows, in batches."""
    for block in blocks:
        if not isinstance(block, ArrowBlock):
            yield from _row_batches(iter(block.rows), keep)
            continue
        cells = {column: array.to_pylist() for column, array in block.columns.items()}
        for start in range(0, block.count, BATCH_ROWS):
            end = min(start + BATCH_ROWS, block.count)
            part = {column: values[start:end] for column, values in cells.items()}
            columns: list[Sequence[str]] = [part[column] for column in kept]
            yield (
                end - start,
                range(block.number + start, block.number + end),
                part.__getitem__,
                partial(_encode_columns, columns, end - start),
            )


def _encode_columns(columns: list[Sequence[str]], count: int, encoder: Encoder) -> Any:
    return encoder.encode_columns(columns, count)


class Families:
    """Assigns family ids while a file is spooled (see :mod:`bulkwizard.core.upload.split`)."""

    def __init__(
        self,
        item: ResourceInput,
        spool: SpooledFile,
        parent_keys: dict[int, dict[int, int]] | None,
        key_columns: Sequence[int],
    ) -> None:
        self.spool = spool
        self.parent = parent_keys is None
        self.key_columns = list(key_columns)
        self.lookup: dict[int, int] = {}
        self.link_column = -1
        if not self.parent:
            link = item.parent_link
            if link is None or link.index is None or link.parent_column_index is None:
                raise SplitError(
                    f"{item.label}: the child resource {item.resource.module.api_name} has no "
                    "mapping with parent_column_index, so its rows cannot be tied to parent rows"
                )
            assert parent_keys is not None
            self.lookup = parent_keys.get(link.parent_column_index, {})
            self.link_column = link.index
        for column in self.key_columns:
            spool.keys[column] = {}
        self.per_column: dict[int, array[int]] = {c: array("q") for c in self.key_columns[1:]}
        self.base = 0

    def add(self, values: Sequence[Any]) -> None:
        """Assign the families of a batch of rows (lists of cells)."""
        self.add_cells(len(values), lambda column: list(map(itemgetter(column), values)))

    def add_cells(self, count: int, cells_of: Callable[[int], list[str]]) -> None:
        """Assign the families of ``count`` rows whose column ``i`` is ``cells_of(i)``."""
        families = self.spool.families
        if not self.parent:
            cells = cells_of(self.link_column)
            families.fromlist(list(map(self.lookup.get, map(hash, cells), repeat(-1, count))))
        elif not self.key_columns:
            families.fromlist(list(range(self.base, self.base + count)))
        else:
            for position, column in enumerate(self.key_columns):
                firsts = self._first_rows(column, cells_of(column))
                if position == 0:
                    families.fromlist(firsts)
                else:
                    self.per_column[column].fromlist(firsts)
        self.base += count

    def _first_rows(self, column: int, cells: list[str]) -> list[int]:
        """For each row, the position of the first parent row with the same key."""
        hashes = list(map(hash, cells))
        positions = range(self.base, self.base + len(cells))
        known = self.spool.keys[column]
        local = dict(zip(reversed(hashes), reversed(positions), strict=True))
        for key in local.keys() & known.keys():
            local[key] = known[key]
        known.update(local)
        firsts = list(map(known.__getitem__, hashes))
        if "" in cells:  # rows without a key are families of their own; no child can name them
            known.pop(_EMPTY, None)
            for offset, cell in enumerate(cells):
                if cell == "":
                    firsts[offset] = self.base + offset
        return firsts

    def finish(self) -> None:
        """With several key columns, merge families that share a key in any column."""
        if not self.parent or len(self.key_columns) < 2:
            return
        root = array("q", self.spool.families)

        def find(node: int) -> int:
            while root[node] != node:
                root[node] = root[root[node]]
                node = root[node]
            return node

        for firsts in self.per_column.values():
            for position, first in enumerate(firsts):
                a, b = find(position), find(first)
                if a != b:
                    root[max(a, b)] = min(a, b)
        self.spool.families = array("q", (find(p) for p in range(len(root))))
        # Children look keys up to a parent position; point those at the merged family too.
        for known in self.spool.keys.values():
            for key, first in known.items():
                known[key] = self.spool.families[first]


def _copy(source_path: Path, start: int, end: int, target: IO[bytes]) -> None:
    with source_path.open("rb") as source:
        source.seek(start)
        remaining = end - start
        while remaining:
            piece = source.read(min(remaining, _COPY_BYTES))
            if not piece:
                raise OSError(f"{source_path}: spool ended early")
            target.write(piece)
            remaining -= len(piece)


def write_zip(path: Path, members: Sequence[Member], level: int) -> int:
    """Write one upload zip from byte ranges of spooled files; return its size in bytes."""
    temp = path.with_name(path.name + ".tmp")
    try:
        with zipfile.ZipFile(
            temp, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=level
        ) as archive:
            for spool, pieces in members:
                info = zipfile.ZipInfo(spool.name, date_time=ZIP_DATE)
                info.compress_type = zipfile.ZIP_DEFLATED
                info.external_attr = 0o644 << 16
                # ZipFile.open() ignores the archive's level for a ZipInfo; set it on the entry.
                # (``_compresslevel``: a slot up to 3.12, an alias of ``compress_level`` after.)
                setattr(info, "_compresslevel", level)  # noqa: B010
                with archive.open(info, "w") as target:
                    target.write(spool.header)
                    for source_path, start, end in pieces:
                        _copy(source_path, start, end, target)
        os.replace(temp, path)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    return path.stat().st_size
