"""Row checks: find the rows Zoho would reject before anything is uploaded.

:func:`check_rows` streams :class:`~bulkwizard.core.rowcheck.model.Finding` objects, file by file
(parent first), batch by batch, so a UI can show them as they come::

    inputs = bind_inputs(job, {"leads.csv": "exports/leads.csv"})
    for finding in check_rows(job, snapshot, inputs, progress=..., cancel=event):
        ...

What is checked, per mapped cell: numbers, dates and date-times against the mapping's ``format``,
email / phone / URL shapes, booleans, picklist and multi-select picklist values, text lengths,
mandatory cells left empty (after defaults, when creating records) and record ids. Per column:
duplicates within the file on unique fields and on the resource's ``find_by``. Per family: child
rows whose parent key matches no parent row (orphans) and parent keys that repeat (ambiguous
links). Per row: ragged rows.

Speed: each column's rules are compiled once; rows are checked in batches, column by column, with
filters that clear clean batches at C speed (:mod:`bulkwizard.core.rowcheck.filters`). Clean UTF-8
files are read in pyarrow blocks (:mod:`bulkwizard.core.reading.blocks`, which falls back to the
reader's rows wherever the two could differ) and filtered with vectorised kernels
(:mod:`bulkwizard.core.rowcheck.batches`); findings, row numbers and lines are the same.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from itertools import islice
from operator import attrgetter
from typing import Any, Protocol, runtime_checkable

from bulkwizard.core.errors import MappingError
from bulkwizard.core.inputs import ResourceInput
from bulkwizard.core.job import BulkWriteJob
from bulkwizard.core.metadata import FieldMeta, MetadataSnapshot
from bulkwizard.core.reading import ArrowBlock, fast_source, iter_blocks
from bulkwizard.core.rowcheck.batches import VectorRule
from bulkwizard.core.rowcheck.keys import DuplicateTracker, ParentKeys
from bulkwizard.core.rowcheck.model import (
    ERROR,
    INVALID_DATA,
    MANDATORY_NOT_FOUND,
    RESOURCE_NOT_FOUND,
    WARNING,
    Finding,
    Problem,
)
from bulkwizard.core.rowcheck.rules import ColumnRule, compile_rule

# Small batches stay in the CPU cache and young GC generation: 512 rows measured fastest.
BATCH_ROWS = 512
ProgressCallback = Callable[[str, int], None]
CancelCheck = Callable[[], bool]


@runtime_checkable
class CancelFlag(Protocol):
    """Anything with ``is_set()``, such as :class:`threading.Event`."""

    def is_set(self) -> bool: ...


_values = attrgetter("values")
_numbers = attrgetter("number")
_field_counts = attrgetter("field_count")
_extras = attrgetter("extra")


class _FileChecker:
    """Everything compiled for one resource's file."""

    def __init__(self, job: BulkWriteJob, snapshot: MetadataSnapshot, item: ResourceInput) -> None:
        self.item = item
        self.headers = item.headers
        module = item.resource.module.api_name
        creating = job.operation in ("insert", "upsert")
        self.rules: list[ColumnRule] = []
        self._vector_rules: list[VectorRule] | None = None
        self.trackers: list[DuplicateTracker] = []
        self.link_index: int | None = None
        link = item.parent_link
        if link is not None and link.index is not None:
            self.link_index = self.column(link.index, link.api_name)
        find_by = item.resource.find_by
        for mapping in item.mappings:
            if mapping.index is None or mapping is link:
                continue
            index = self.column(mapping.index, mapping.api_name)
            meta = snapshot.field(module, mapping.api_name)
            if meta is None and mapping.api_name == "id":
                meta = FieldMeta(api_name="id", data_type="bigint", field_label="Record Id")
            if meta is None:
                continue  # an unknown field is the pre-flight validator's finding, not a row's
            mandatory = (creating and meta.system_mandatory and mapping.default_value is None) or (
                mapping.api_name == find_by and job.operation == "update"
            )
            rule = compile_rule(meta, mapping, self.headers[index], mandatory=mandatory)
            if rule is not None:
                self.rules.append(rule)
            if meta.unique or mapping.api_name == find_by:
                why = "find_by" if mapping.api_name == find_by else "unique"
                severity = WARNING if why == "find_by" and job.operation == "insert" else ERROR
                self.trackers.append(
                    DuplicateTracker(
                        index,
                        meta.api_name,
                        meta.label,
                        why,
                        severity,
                        fold=meta.data_type == "email",
                    )
                )

    def column(self, index: int, api_name: str) -> int:
        """Return ``index`` after checking the file has that column."""
        if not 0 <= index < len(self.headers):
            raise MappingError(
                f"{self.item.label}: the mapping of {api_name} uses column index {index}, but "
                f"the file has {len(self.headers)} columns (0 to {len(self.headers) - 1})"
            )
        return index

    def check_batch(
        self, batch: list[Any], collect: ParentKeys | None, lookup: ParentKeys | None
    ) -> list[_Hit]:
        """Every problem in a batch of rows (unsorted)."""
        width = len(self.headers)
        # Row numbers matter only to messages about earlier rows (duplicates, parent keys).
        numbers: list[int] = (
            list(map(_numbers, batch)) if self.trackers or collect is not None else []
        )
        columns = list(zip(*map(_values, batch), strict=False)) if width else []
        hits: list[_Hit] = []
        ragged = ragged_rows(batch, width)
        for position, row in enumerate(batch) if ragged else ():
            if row in ragged:
                noun = "cell" if row.field_count == 1 else "cells"
                message = (
                    f"this row has {row.field_count} {noun} but the header has {width} columns"
                )
                problem = Problem(INVALID_DATA, "ragged", message, ERROR)
                hits.append((position, -1, None, None, None, problem))
        for rule in self.rules:
            cells = columns[rule.column_index]
            for position, problem in rule.scan(cells):
                hits.append(
                    (
                        position,
                        rule.column_index,
                        cells[position],
                        rule.api_name,
                        rule.label,
                        problem,
                    )
                )
        for tracker in self.trackers:
            cells = columns[tracker.column_index]
            for position, problem in tracker.scan(cells, numbers):
                hits.append(
                    (position, tracker.column_index, cells[position], tracker.api_name,
                     tracker.label, problem)
                )  # fmt: skip
        for column in collect.columns if collect is not None else ():
            assert collect is not None
            cells = columns[column]
            for position, problem in collect.add(column, cells, numbers):
                hits.append((position, column, cells[position], None, None, problem))
        link = self.item.parent_link
        if lookup is not None and link is not None and self.link_index is not None:
            assert link.parent_column_index is not None
            cells = columns[self.link_index]
            for position in lookup.orphans(link.parent_column_index, cells):
                problem = _orphan_problem(cells[position], link.parent_column_index, lookup)
                hits.append(
                    (position, self.link_index, cells[position], link.api_name, link.api_name,
                     problem)
                )  # fmt: skip
        return hits

    @property
    def vector_rules(self) -> list[VectorRule]:
        """The rules as vectorised filters (built when a file is first read in blocks)."""
        if self._vector_rules is None:
            self._vector_rules = [VectorRule(rule) for rule in self.rules]
        return self._vector_rules

    def columns_used(self, collect: ParentKeys | None) -> list[int]:
        """Source columns any check of this file reads."""
        used = {rule.column_index for rule in self.rules}
        used |= {tracker.column_index for tracker in self.trackers}
        used |= set(collect.columns if collect is not None else ())
        if self.link_index is not None:
            used.add(self.link_index)
        return sorted(used)

    def check_block(
        self, block: ArrowBlock, collect: ParentKeys | None, lookup: ParentKeys | None
    ) -> list[_Hit]:
        """Every problem in an arrow block (no ragged rows by construction), unsorted.

        The same checks, in the same order, as :meth:`check_batch`; only the cells some
        vectorised filter does not clear become Python strings, plus the columns whose values
        are remembered across rows (duplicates, parent keys).
        """
        numbers = range(block.number, block.number + block.count)
        cache: dict[int, list[str]] = {}

        def cells(index: int) -> list[str]:
            if index not in cache:
                cache[index] = block.columns[index].to_pylist()
            return cache[index]

        hits: list[_Hit] = []
        for vector in self.vector_rules:
            rule = vector.rule
            for position, value, problem in vector.scan(block.columns[rule.column_index]):
                hits.append((position, rule.column_index, value, rule.api_name, rule.label,
                             problem))  # fmt: skip
        for tracker in self.trackers:
            column = cells(tracker.column_index)
            for position, problem in tracker.scan(column, numbers):
                hits.append((position, tracker.column_index, column[position], tracker.api_name,
                             tracker.label, problem))  # fmt: skip
        for index in collect.columns if collect is not None else ():
            assert collect is not None
            column = cells(index)
            for position, problem in collect.add(index, column, numbers):
                hits.append((position, index, column[position], None, None, problem))
        link = self.item.parent_link
        if lookup is not None and link is not None and self.link_index is not None:
            assert link.parent_column_index is not None
            column = cells(self.link_index)
            for position in lookup.orphans(link.parent_column_index, column):
                problem = _orphan_problem(column[position], link.parent_column_index, lookup)
                hits.append((position, self.link_index, column[position], link.api_name,
                             link.api_name, problem))  # fmt: skip
        return hits

    def finding(
        self,
        row: int,
        line: int | None,
        index: int | None,
        value: str | None,
        api_name: str | None,
        label: str | None,
        problem: Problem,
    ) -> Finding:
        return Finding(
            file=self.item.label,
            row=row,
            line=line,
            column=self.headers[index] if index is not None else None,
            column_index=index,
            value=value,
            field=api_name,
            field_label=label,
            code=problem.code,
            kind=problem.kind,
            severity=problem.severity,
            message=problem.message,
            suggestion=problem.suggestion,
        )


def check_rows(
    job: BulkWriteJob,
    snapshot: MetadataSnapshot,
    inputs: Sequence[ResourceInput],
    *,
    progress: ProgressCallback | None = None,
    cancel: CancelCheck | CancelFlag | None = None,
    batch_rows: int = BATCH_ROWS,
) -> Iterator[Finding]:
    """Stream the findings of every row of every file of ``job``, parent file first.

    Args:
        job: the job (operation, resources, mappings).
        snapshot: the org's metadata.
        inputs: the resources bound to their files (:func:`bind_inputs`), parent first.
        progress: called as ``progress(file_label, rows_done)`` after each batch.
        cancel: polled before each batch (a callable, or an event's ``is_set``); when set,
            the stream ends.
        batch_rows: rows per batch (findings come out once per batch).

    Raises:
        MappingError: a mapping names a column the file does not have.
        CsvFormatError: a file cannot be read (names the line).
    """
    cancelled = _cancel_check(cancel)
    checkers = [_FileChecker(job, snapshot, item) for item in inputs]
    parent_keys: ParentKeys | None = None
    if len(checkers) > 1:
        columns = sorted(
            {
                link.parent_column_index
                for item in inputs[1:]
                if (link := item.parent_link) is not None and link.parent_column_index is not None
            }
        )
        parent_keys = ParentKeys(columns, inputs[0].headers)
    for position, checker in enumerate(checkers):
        yield from _check_file(
            checker,
            parent_keys if position == 0 else None,
            parent_keys if position > 0 else None,
            progress,
            cancelled,
            batch_rows,
        )
        if cancelled():
            return


# (position in batch, column index or -1, cell value, field API name, field label, problem)
_Hit = tuple[int, int, str | None, str | None, str | None, Problem]


def _check_file(
    checker: _FileChecker,
    collect: ParentKeys | None,
    lookup: ParentKeys | None,
    progress: ProgressCallback | None,
    cancelled: Callable[[], bool],
    batch_rows: int,
) -> Iterator[Finding]:
    item = checker.item
    if collect is not None:
        for column in collect.columns:
            checker.column(column, f"parent_column_index {column}")
    source = fast_source(item.table)
    if source is None:
        yield from _check_rows(checker, iter(item.table.iter_rows()), collect, lookup, progress,
                               cancelled, batch_rows, 0)  # fmt: skip
        return
    done = 0
    blocks = iter_blocks(source, checker.columns_used(collect))
    try:
        for block in blocks:
            if cancelled():
                return
            if not isinstance(block, ArrowBlock):
                yield from _check_rows(checker, iter(block.rows), collect, lookup, progress,
                                       cancelled, batch_rows, done)  # fmt: skip
                done += len(block.rows)
                continue
            hits = checker.check_block(block, collect, lookup)
            hits.sort(key=_hit_order)
            hits.reverse()  # popped from the end: in order, ties in the order they were found
            # Findings come out batch by batch, as on the reader's path.
            for start in range(0, block.count, batch_rows):
                if start and cancelled():
                    return
                end = min(start + batch_rows, block.count)
                while hits and hits[-1][0] < end:
                    position, column, value, api_name, label, problem = hits.pop()
                    index = column if column >= 0 else None
                    yield checker.finding(block.number + position, block.line + position, index,
                                          value, api_name, label, problem)  # fmt: skip
                done += end - start
                if progress is not None:
                    progress(item.label, done)
    finally:
        blocks.close()  # type: ignore[attr-defined]  # stops the reading threads


def _hit_order(hit: _Hit) -> tuple[int, int]:
    return hit[0], hit[1]


def _check_rows(
    checker: _FileChecker,
    rows_iter: Iterator[Any],
    collect: ParentKeys | None,
    lookup: ParentKeys | None,
    progress: ProgressCallback | None,
    cancelled: Callable[[], bool],
    batch_rows: int,
    done: int,
) -> Iterator[Finding]:
    """The reader's path: rows in batches of Python strings."""
    item = checker.item
    while not cancelled():
        batch = list(islice(rows_iter, batch_rows))
        if not batch:
            return
        hits = checker.check_batch(batch, collect, lookup)
        hits.sort(key=_hit_order)
        for position, column, value, api_name, label, problem in hits:
            row = batch[position]
            index = column if column >= 0 else None
            yield checker.finding(row.number, row.line, index, value, api_name, label, problem)
        done += len(batch)
        if progress is not None:
            progress(item.label, done)


def ragged_rows(batch: list[Any], width: int) -> list[Any]:
    """The rows of a batch the reader flagged as ragged (``field_count`` / ``extra``)."""
    try:
        counts = set(map(_field_counts, batch))
        if counts <= {width} and not any(map(_extras, batch)):
            return []
    except AttributeError:  # rows from a reader that does not say: nothing to flag
        return []
    return [row for row in batch if row.ragged]


def _orphan_problem(value: str, parent_column: int, keys: ParentKeys) -> Problem:
    if not value.strip():
        message = "this child row has no parent key, so it cannot be linked to a parent row"
        return Problem(MANDATORY_NOT_FOUND, "orphan", message)
    where = keys.column_name(parent_column)
    message = (
        f"no parent row has {value!r} in the parent file's {where}, "
        "so this child row cannot be linked"
    )
    near = keys.near(parent_column, value)
    if near is not None:
        # Zoho matches the link exactly; a key that differs only in spaces or case is the
        # commonest cause (exports that pad or re-case ids), and the fix is mechanical.
        message += f"; a parent row has {near!r}, which differs only in spaces or letter case"
    return Problem(RESOURCE_NOT_FOUND, "orphan", message, suggestion=near)


def _cancel_check(cancel: CancelCheck | CancelFlag | None) -> Callable[[], bool]:
    """Accept a callable or anything with ``is_set()`` (a :class:`threading.Event`)."""
    if cancel is None:
        return lambda: False
    if isinstance(cancel, CancelFlag):
        return cancel.is_set
    return cancel


def has_errors(findings: Iterable[Finding]) -> bool:
    """True when any finding is an error."""
    return any(f.is_error for f in findings)
