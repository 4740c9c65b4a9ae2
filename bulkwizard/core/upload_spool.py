"""The mechanics under :mod:`bulkwizard.core.upload_prep`: column projection, spooling, zipping.

Spooling encodes a file once, in batches, into the exact bytes that go into the zips, and keeps
three numbers per row (size, family, row number) plus, for the parent file, one hash -> position
entry per key: never the rows themselves. Zipping then copies byte ranges.
"""

from __future__ import annotations

import csv
import io
import os
import zipfile
from array import array
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from itertools import accumulate, groupby, islice, repeat
from operator import attrgetter, itemgetter
from pathlib import Path
from typing import Any

from bulkwizard.core.errors import MappingError
from bulkwizard.core.rowcheck_sources import ResourceInput
from bulkwizard.core.split import SplitError

BATCH_ROWS = 8192
ZIP_DATE = (1980, 1, 1, 0, 0, 0)  # fixed, so the same input gives byte-identical zips
_COPY_BYTES = 1 << 20
_EMPTY = hash("")
_values = attrgetter("values")
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

    def getter(self) -> Callable[[Sequence[str]], Sequence[str]]:
        if len(self.columns) == 1:
            only = self.columns[0]
            return lambda values: (values[only],)
        return itemgetter(*self.columns)

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

    def runs(self, chunk_ids: Sequence[int]) -> dict[int, list[tuple[int, int]]]:
        """Chunk -> byte ranges of the spool holding its rows (consecutive rows merged)."""
        offsets = [0, *accumulate(self.lengths)]
        result: dict[int, list[tuple[int, int]]] = {}
        position = 0
        for chunk, group in groupby(chunk_ids):
            count = len(list(group))
            result.setdefault(chunk, []).append((offsets[position], offsets[position + count]))
            position += count
        return result


class _Encoder:
    """Encodes rows as Zoho wants them and reports each row's size in bytes."""

    def __init__(self) -> None:
        self.buffer = io.StringIO()
        self.writer = csv.writer(self.buffer, lineterminator="\r\n")

    def encode(self, rows: Sequence[Sequence[str]]) -> tuple[bytes, list[int]]:
        self.buffer.seek(0)
        self.buffer.truncate()
        # writerow returns what StringIO.write returns: the characters written.
        sizes: list[int] = list(map(self.writer.writerow, rows))
        text = self.buffer.getvalue()
        data = text.encode("utf-8")
        if len(data) != len(text):  # not ASCII: measure each row in bytes
            ends = list(accumulate(sizes))
            sizes = [len(text[a:b].encode("utf-8")) for a, b in zip([0, *ends], ends, strict=False)]
        return data, sizes


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
    project = projection.getter()
    header, _ = encoder.encode([project(headers)])
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
            data, sizes = encoder.encode(
                values if projection.identity else list(map(project, values))
            )
            out.write(data)
            spool.lengths.extend(sizes)
            spool.numbers.extend(map(_numbers, batch))
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
            families.extend(map(self.lookup.get, map(hash, cells), repeat(-1, count)))
        elif not self.key_columns:
            families.extend(range(self.base, self.base + count))
        else:
            for position, column in enumerate(self.key_columns):
                firsts = self._first_rows(column, values)
                if position == 0:
                    families.extend(firsts)
                else:
                    self.per_column[column].extend(firsts)
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


def write_zip(
    path: Path, members: Sequence[tuple[SpooledFile, list[tuple[int, int]]]], level: int
) -> int:
    """Write one upload zip from byte ranges of spools; return its size in bytes."""
    temp = path.with_name(path.name + ".tmp")
    try:
        with zipfile.ZipFile(
            temp, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=level
        ) as archive:
            for spool, ranges in members:
                info = zipfile.ZipInfo(spool.name, date_time=ZIP_DATE)
                info.compress_type = zipfile.ZIP_DEFLATED
                info.external_attr = 0o644 << 16
                # ZipFile.open() ignores the archive's level for a ZipInfo; set it on the entry.
                # (``_compresslevel``: a slot up to 3.12, an alias of ``compress_level`` after.)
                setattr(info, "_compresslevel", level)  # noqa: B010
                with archive.open(info, "w") as target, spool.path.open("rb") as source:
                    target.write(spool.header)
                    for start, end in ranges:
                        source.seek(start)
                        remaining = end - start
                        while remaining:
                            piece = source.read(min(remaining, _COPY_BYTES))
                            if not piece:
                                raise OSError(f"{spool.path}: spool ended early")
                            target.write(piece)
                            remaining -= len(piece)
        os.replace(temp, path)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    return path.stat().st_size
