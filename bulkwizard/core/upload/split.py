"""Cutting an import into uploads Zoho accepts, without separating a parent from its children.

Zoho takes at most 25,000 records per CSV and 25 MB per zip (zoho-api.md sections 2 and 6.1),
and a child row (subform, line item, multi-select lookup) must travel in the same zip as the
parent row it links to through ``parent_column_index``. This module plans the cut from per-row
sizes only (what :mod:`bulkwizard.core.upload.preparer` measures while spooling the files):

* a **family** is a parent row, every other parent row with the same key, and every child row
  whose key names them; it is identified by the position of its first parent row;
* families are packed in order of their first parent row into chunks; a chunk closes when the next
  family would push any CSV past ``max_rows`` rows or the chunk past the byte budget;
* the byte budget bounds the *uncompressed* CSV bytes, so the zip can never exceed ``max_bytes``
  whatever the data compresses to (deflate only ever adds a few bytes per 16 KB block).

A family that alone breaks a limit raises :class:`FamilyTooLargeError` naming its parent row.
"""

from __future__ import annotations

from array import array
from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from bulkwizard.core.errors import BulkWizardError

MAX_ROWS_PER_CSV = 25_000
MAX_ZIP_BYTES = 25 * 1000 * 1000  # "25 MB": decimal megabytes, the smaller reading
# Zip bookkeeping per member: local header (30) + central header (46) + data descriptor (24)
# + zip64 extras (2 x 28), plus the name twice; and the end-of-archive records once.
_MEMBER_OVERHEAD = 30 + 46 + 24 + 56
_ARCHIVE_OVERHEAD = 22 + 56 + 20


class SplitError(BulkWizardError):
    """The rows cannot be cut into valid uploads.

    Attributes:
        file: the file the offending row is in.
        row: its data row number as the user sees it.
    """

    def __init__(self, message: str, *, file: str | None = None, row: int | None = None) -> None:
        self.message = message
        self.file = file
        self.row = row
        where = ", ".join(p for p in (file, f"row {row}" if row is not None else None) if p)
        super().__init__(f"{where}: {message}" if where else message)


class FamilyTooLargeError(SplitError):
    """One parent row with its children does not fit in a single upload."""


class OrphanRowError(SplitError):
    """A child row whose parent key matches no parent row: it would fit in no upload."""


@dataclass(frozen=True)
class SplitLimits:
    """Limits of one upload."""

    max_rows: int = MAX_ROWS_PER_CSV
    max_bytes: int = MAX_ZIP_BYTES

    def csv_budget(self, names: Sequence[str]) -> int:
        """Most uncompressed CSV bytes (headers included) a zip of ``names`` may hold."""
        fixed = _ARCHIVE_OVERHEAD + sum(_MEMBER_OVERHEAD + 2 * len(n.encode()) for n in names)
        # Deflate's worst case: stored blocks of at most 16,383 bytes with 5 bytes of header each.
        return max((self.max_bytes - fixed) * 16_383 // 16_388 - 8 * len(names), 0)


@dataclass
class FileRows:
    """One resource's rows as the planner sees them.

    Attributes:
        name: the CSV name inside the zip.
        label: how errors name the file.
        header_bytes: size of the header line as written.
        lengths: size of each data row as written, in file order.
        families: family id (position of the family's first parent row) of each data row.
        numbers: each row's number as the user sees it (for error messages).
    """

    name: str
    label: str
    header_bytes: int
    lengths: Sequence[int]
    families: Sequence[int]
    numbers: Sequence[int]


@dataclass
class ChunkPlan:
    """One upload: its rows per CSV and its uncompressed size."""

    index: int
    rows: dict[str, int]
    bytes: int

    @property
    def zip_name(self) -> str:
        return f"part-{self.index + 1:03d}.zip"

    def to_json(self) -> dict[str, Any]:
        return {"zip": self.zip_name, "files": dict(self.rows), "csv_bytes": self.bytes}


@dataclass
class SplitPlan:
    """The whole cut: which chunk every family (and so every row) goes to.

    Attributes:
        chunks: the uploads, in order.
        names: the CSV names, parent first.
        limits: the limits planned against.
        chunk_of_family: chunk index by family id (-1 for positions that are not family ids).
    """

    chunks: list[ChunkPlan]
    names: list[str]
    limits: SplitLimits
    chunk_of_family: array[int] = field(repr=False)

    @property
    def job_count(self) -> int:
        return len(self.chunks)

    @property
    def total_rows(self) -> dict[str, int]:
        return {name: sum(c.rows.get(name, 0) for c in self.chunks) for name in self.names}

    @property
    def total_bytes(self) -> int:
        return sum(c.bytes for c in self.chunks)

    def chunk_ids(self, families: Sequence[int]) -> list[int]:
        """The chunk of each row, given the rows' family ids."""
        return list(map(self.chunk_of_family.__getitem__, families))

    def to_json(self) -> dict[str, Any]:
        return {
            "jobs": [chunk.to_json() for chunk in self.chunks],
            "job_count": self.job_count,
            "rows": self.total_rows,
            "csv_bytes": self.total_bytes,
            "limits": {"max_rows": self.limits.max_rows, "max_bytes": self.limits.max_bytes},
        }


def plan_split(files: Sequence[FileRows], limits: SplitLimits | None = None) -> SplitPlan:
    """Pack families into chunks; ``files[0]`` is the parent (its families index its rows).

    Raises:
        FamilyTooLargeError: a family alone exceeds the rows per CSV or the byte budget.
        OrphanRowError: a child row has family -1 (its key matches no parent row).
    """
    limits = limits or SplitLimits()
    if limits.max_rows < 1:
        raise SplitError("the rows-per-upload limit must be at least 1")
    parent = files[0]
    count = len(parent.lengths)
    names = [f.name for f in files]
    budget = limits.csv_budget(names)
    headers = sum(f.header_bytes for f in files)
    for rows in files:
        if rows.families and min(rows.families) < 0:
            orphan = list(rows.families).index(min(rows.families))
            raise OrphanRowError(
                "this child row's parent key matches no parent row, so it fits in no "
                "upload; fix or remove it (the check command lists every such row)",
                file=rows.label,
                row=rows.numbers[orphan],
            )
    # Families in order of their first parent row, with their sizes in that order.
    roots, sizes, weights = _family_totals(files, count)
    for per_family in sizes:
        if len(per_family) and pc.max(per_family).as_py() > limits.max_rows:
            at = per_family.to_pylist().index(pc.max(per_family).as_py())
            raise _too_large(files, [t[at].as_py() for t in sizes], weights[at].as_py(), headers,
                             budget, limits, roots[at])  # fmt: skip
    if len(weights) and headers + pc.max(weights).as_py() > budget:
        at = weights.to_pylist().index(pc.max(weights).as_py())
        raise _too_large(files, [t[at].as_py() for t in sizes], weights[at].as_py(), headers,
                         budget, limits, roots[at])  # fmt: skip
    # Greedy packing, one chunk at a time: with running totals, the end of each chunk is a
    # binary search per limit instead of a Python step per family.
    totals = [[0, *pc.cumulative_sum(per_family).to_pylist()] for per_family in sizes]
    byte_totals = [0, *pc.cumulative_sum(weights).to_pylist()]
    chunk_of_family = array("q", [-1]) * count
    chunks: list[ChunkPlan] = []
    start, families = 0, len(roots)
    while start < families:
        end = bisect_right(byte_totals, byte_totals[start] + budget - headers) - 1
        for running in totals:
            end = min(end, bisect_right(running, running[start] + limits.max_rows) - 1)
        counts = {
            name: running[end] - running[start] for name, running in zip(names, totals, strict=True)
        }
        size = headers + byte_totals[end] - byte_totals[start]
        chunk = ChunkPlan(len(chunks), counts, size)
        chunks.append(chunk)
        if isinstance(roots, range):
            chunk_of_family[start:end] = array("q", [chunk.index]) * (end - start)
        else:
            for root in roots[start:end]:
                chunk_of_family[root] = chunk.index
        start = end
    return SplitPlan(chunks, names, limits, chunk_of_family)


def _int64(values: Sequence[int]) -> pa.Array:
    """``values`` as a pyarrow int64 array (no copy from an ``array('q')``)."""
    if isinstance(values, array) and values.typecode == "q":
        return pa.Array.from_buffers(pa.int64(), len(values), [None, pa.py_buffer(values)])
    return pa.array(list(values), pa.int64())


def _family_totals(
    files: Sequence[FileRows], count: int
) -> tuple[Sequence[int], list[pa.Array], pa.Array]:
    """Family ids in order (roots), each family's rows per file, and its bytes in all files.

    Vectorised (a hash aggregation per file): these are millions of rows.
    """
    parent = _int64(files[0].families)
    is_root = pc.equal(parent, _int64(array("q", range(count))))
    if pc.all(is_root).as_py() is not False:
        # Every parent row is its own family (no repeated keys): sizes are the row sizes.
        roots: Sequence[int] = range(count)
        sizes = [pa.array(array("q", [1]) * count, pa.int64())]
        weights = _int64(files[0].lengths)
        children = files[1:]
    else:
        roots = pc.indices_nonzero(is_root).cast(pa.int64()).to_pylist()
        sizes, weights, children = [], pa.array(array("q", [0]) * len(roots), pa.int64()), files
    keys = pa.array(roots, pa.int64()) if children else None
    for rows in children:
        table = pa.table({"f": _int64(rows.families), "n": _int64(rows.lengths)})
        groups = table.group_by("f", use_threads=False).aggregate([("n", "sum"), ("n", "count")])
        where = pc.index_in(keys, value_set=groups.column("f"))
        sizes.append(pc.fill_null(pc.take(groups.column("n_count"), where), 0))
        weights = pc.add(weights, pc.fill_null(pc.take(groups.column("n_sum"), where), 0))
    return roots, sizes, weights


def _too_large(
    files: Sequence[FileRows],
    sizes: Sequence[int],
    size: int,
    headers: int,
    budget: int,
    limits: SplitLimits,
    root: int,
) -> FamilyTooLargeError:
    parent = files[0]
    number = parent.numbers[root]
    for rows, count in zip(files, sizes, strict=True):
        if count > limits.max_rows:
            what = "rows with its key" if rows is parent else "child rows"
            return FamilyTooLargeError(
                f"this parent row has {count:,} {what} in {rows.name}, but one upload holds at "
                f"most {limits.max_rows:,} row{'s' if limits.max_rows != 1 else ''} per CSV; "
                "import some of them in a separate job",
                file=parent.label,
                row=number,
            )
    if sum(sizes) <= 1:
        # No child rows and no repeated key: moving rows to another job cannot help.
        return FamilyTooLargeError(
            f"this row alone takes {headers + size:,} bytes with the headers, more than the "
            f"{budget:,} bytes that fit in one {limits.max_bytes:,}-byte upload; shorten its "
            "longest cells",
            file=parent.label,
            row=number,
        )
    return FamilyTooLargeError(
        f"this parent row and its child rows take {headers + size:,} bytes, more than the "
        f"{budget:,} bytes that fit in one {limits.max_bytes:,}-byte upload; import some of its "
        "children in a separate job",
        file=parent.label,
        row=number,
    )
