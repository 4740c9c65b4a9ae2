"""The mechanics under :mod:`bulkwizard.core.upload_prep`: column projection, spooling, zipping.

Spooling encodes a file once, in batches, into the exact bytes that go into the zips, and keeps
three numbers per row (size, family, row number) plus, for the parent file, one hash -> position
entry per key: never the rows themselves. Zipping then copies byte ranges.
"""

from __future__ import annotations

import os
import re
import zipfile
from array import array
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from itertools import accumulate, groupby, islice, repeat
from operator import attrgetter, itemgetter, methodcaller
from pathlib import Path
from typing import Any

from bulkwizard.core.errors import MappingError
from bulkwizard.core.rowcheck_sources import ResourceInput
from bulkwizard.core.split import SplitError

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
    """

    name: str
    label: str
    path: Path
    header: bytes
    lengths: array[int]
    families: array[int]
    numbers: array[int]
    keys: dict[int, dict[int, int]]

    def runs(self, chunk_ids: Sequence[int]) -> list[tuple[int, int, int]]:
        """(chunk, start, end) byte ranges of consecutive rows of one chunk, in spool order."""
        offsets = [0, *accumulate(self.lengths)]
        result: list[tuple[int, int, int]] = []
        position = 0
        for chunk, group in groupby(chunk_ids):
            count = len(list(group))
            result.append((chunk, offsets[position], offsets[position + count]))
            position += count
        return result


Member = tuple[SpooledFile, Path, list[tuple[int, int]]]


def members_by_chunk(
    spool: SpooledFile, chunk_ids: Sequence[int], chunks: int, folder: Path
) -> list[Member]:
    """Where each chunk's rows of one spool are: (spool, file, byte ranges), by chunk index.

    Rows of one chunk usually sit together (parents in order, children grouped by parent), and
    the zips read them straight from the spool. When they are scattered, one sequential pass
    routes them into a file per chunk instead of seeking once per run.
    """
    runs = spool.runs(chunk_ids)
    if len(runs) <= 2 * chunks:
        ranges: list[list[tuple[int, int]]] = [[] for _ in range(chunks)]
        for chunk, start, end in runs:
            ranges[chunk].append((start, end))
        return [(spool, spool.path, ranges[chunk]) for chunk in range(chunks)]
    paths = [folder / f"{spool.path.stem}-{chunk:04d}.part" for chunk in range(chunks)]
    sizes = [0] * chunks
    outputs = [path.open("wb", buffering=_COPY_BYTES) for path in paths]
    try:
        with spool.path.open("rb", buffering=_COPY_BYTES) as source:
            read = source.read
            for chunk, start, end in runs:
                outputs[chunk].write(read(end - start))
                sizes[chunk] += end - start
    finally:
        for output in outputs:
            output.close()
    return [(spool, paths[chunk], [(0, sizes[chunk])]) for chunk in range(chunks)]


class _Encoder:
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
        if not columns:  # rows without cells still need a line each
            return b"\r\n" * len(rows), [2] * len(rows)
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
    raw = list(getattr(item.table, "raw_headers", None) or item.headers)
    headers = [raw[i] or item.headers[i] for i in range(len(item.headers))]
    encoder = _Encoder()
    keep = None if projection.identity else projection.columns
    header, _ = encoder.encode([headers], keep)
    spool = SpooledFile(item.name, item.label, path, header, array("q"), array("q"), array("q"), {})
    families = _Families(item, spool, parent_keys, key_columns)
    rows = iter(item.table.iter_rows())
    with path.open("wb") as out:
        while True:
            if cancel is not None and cancel():
                return None
            batch = list(islice(rows, BATCH_ROWS))
            if not batch:
                break
            values = list(map(_values, batch))
            data, sizes = encoder.encode(values, keep)
            out.write(data)
            spool.lengths.fromlist(sizes)
            spool.numbers.fromlist(list(map(_numbers, batch)))
            families.add(values)
            if progress is not None:
                progress(item.label, len(spool.lengths))
    families.finish()
    return spool


class _Families:
    """Assigns family ids while a file is spooled (see :mod:`bulkwizard.core.split`)."""

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

    def add(self, values: list[Any]) -> None:
        count = len(values)
        families = self.spool.families
        if not self.parent:
            cells = map(itemgetter(self.link_column), values)
            families.fromlist(list(map(self.lookup.get, map(hash, cells), repeat(-1, count))))
        elif not self.key_columns:
            families.fromlist(list(range(self.base, self.base + count)))
        else:
            for position, column in enumerate(self.key_columns):
                firsts = self._first_rows(column, values)
                if position == 0:
                    families.fromlist(firsts)
                else:
                    self.per_column[column].fromlist(firsts)
        self.base += count

    def _first_rows(self, column: int, values: list[Any]) -> list[int]:
        """For each row, the position of the first parent row with the same key."""
        cells = list(map(itemgetter(column), values))
        hashes = list(map(hash, cells))
        positions = range(self.base, self.base + len(values))
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


def write_zip(path: Path, members: Sequence[Member], level: int) -> int:
    """Write one upload zip from byte ranges of spooled files; return its size in bytes."""
    temp = path.with_name(path.name + ".tmp")
    try:
        with zipfile.ZipFile(
            temp, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=level
        ) as archive:
            for spool, source_path, ranges in members:
                info = zipfile.ZipInfo(spool.name, date_time=ZIP_DATE)
                info.compress_type = zipfile.ZIP_DEFLATED
                info.external_attr = 0o644 << 16
                # ZipFile.open() ignores the archive's level for a ZipInfo; set it on the entry.
                # (``_compresslevel``: a slot up to 3.12, an alias of ``compress_level`` after.)
                setattr(info, "_compresslevel", level)  # noqa: B010
                with archive.open(info, "w") as target, source_path.open("rb") as source:
                    target.write(spool.header)
                    for start, end in ranges:
                        source.seek(start)
                        remaining = end - start
                        while remaining:
                            piece = source.read(min(remaining, _COPY_BYTES))
                            if not piece:
                                raise OSError(f"{source_path}: spool ended early")
                            target.write(piece)
                            remaining -= len(piece)
        os.replace(temp, path)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    return path.stat().st_size
