"""Row checks: find the rows Zoho would reject before anything is uploaded.

:func:`check_rows` streams :class:`~bulkwizard.core.rowcheck_model.Finding` objects, file by file
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
filters that clear clean batches at C speed (:mod:`bulkwizard.core.rowcheck_filters`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from itertools import islice
from operator import attrgetter

from bulkwizard.core.errors import MappingError
from bulkwizard.core.job import BulkWriteJob
from bulkwizard.core.metadata import MetadataSnapshot
from bulkwizard.core.rowcheck_keys import DuplicateTracker, ParentKeys
from bulkwizard.core.rowcheck_model import (
    ERROR,
    INVALID_DATA,
    MANDATORY_NOT_FOUND,
    RESOURCE_NOT_FOUND,
    WARNING,
    Finding,
    Problem,
)
from bulkwizard.core.rowcheck_rules import ColumnRule, compile_rule
from bulkwizard.core.rowcheck_sources import ResourceInput

BATCH_ROWS = 4096
ProgressCallback = Callable[[str, int], None]
CancelCheck = Callable[[], bool]

_values = attrgetter("values")
_numbers = attrgetter("number")


class _FileChecker:
    """Everything compiled for one resource's file."""

    def __init__(self, job: BulkWriteJob, snapshot: MetadataSnapshot, item: ResourceInput) -> None:
        self.item = item
        self.headers = item.headers
        module = item.resource.module.api_name
        creating = job.operation in ("insert", "upsert")
        self.rules: list[ColumnRule] = []
        self.trackers: list[DuplicateTracker] = []
        self.link_index: int | None = None
        link = item.parent_link
        if link is not None and link.index is not None:
            self.link_index = self._column(link.index, link.api_name)
        find_by = item.resource.find_by
        for mapping in item.mappings:
            if mapping.index is None or mapping is link:
                continue
            index = self._column(mapping.index, mapping.api_name)
            meta = snapshot.field(module, mapping.api_name)
            if meta is None and mapping.api_name == "id":
                from bulkwizard.core.metadata import FieldMeta

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

    def _column(self, index: int, api_name: str) -> int:
        if not 0 <= index < len(self.headers):
            raise MappingError(
                f"{self.item.label}: the mapping of {api_name} uses column index {index}, but "
                f"the file has {len(self.headers)} columns (0 to {len(self.headers) - 1})"
            )
        return index

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
    cancel: CancelCheck | None = None,
    batch_rows: int = BATCH_ROWS,
) -> Iterator[Finding]:
    """Stream the findings of every row of every file of ``job``, parent file first.

    Args:
        job: the job (operation, resources, mappings).
        snapshot: the org's metadata.
        inputs: the resources bound to their files (:func:`bind_inputs`), parent first.
        progress: called as ``progress(file_label, rows_done)`` after each batch.
        cancel: polled before each batch; when it returns True the stream ends.
        batch_rows: rows per batch (findings come out once per batch).

    Raises:
        MappingError: a mapping names a column the file does not have.
        CsvFormatError: a file cannot be read (names the line).
    """
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
        parent_keys = ParentKeys(columns)
    for position, checker in enumerate(checkers):
        yield from _check_file(
            checker,
            parent_keys if position == 0 else None,
            parent_keys if position > 0 else None,
            progress,
            cancel,
            batch_rows,
        )
        if cancel is not None and cancel():
            return


def _check_file(
    checker: _FileChecker,
    collect: ParentKeys | None,
    lookup: ParentKeys | None,
    progress: ProgressCallback | None,
    cancel: CancelCheck | None,
    batch_rows: int,
) -> Iterator[Finding]:
    item = checker.item
    width = len(checker.headers)
    if collect is not None:
        for column in collect.columns:
            checker._column(column, f"parent_column_index {column}")
    link = item.parent_link
    parent_column = link.parent_column_index if link is not None else None
    rows_iter = iter(item.table.iter_rows())
    done = 0
    while True:
        if cancel is not None and cancel():
            return
        batch = list(islice(rows_iter, batch_rows))
        if not batch:
            return
        numbers: list[int] = list(map(_numbers, batch))
        columns = list(zip(*map(_values, batch), strict=False)) if width else []
        found: list[tuple[int, int, Finding]] = []
        for row in batch:
            if getattr(row, "ragged", False):
                count = getattr(row, "field_count", len(row.values))
                cells = "cell" if count == 1 else "cells"
                message = f"this row has {count} {cells} but the header has {width} columns"
                problem = Problem(INVALID_DATA, "ragged", message, ERROR)
                found.append(
                    (
                        row.number,
                        -1,
                        checker.finding(row.number, row.line, None, None, None, None, problem),
                    )
                )
        for rule in checker.rules:
            cells = columns[rule.column_index]
            for offset, problem in rule.scan(cells):
                row = batch[offset]
                found.append(
                    (
                        row.number,
                        rule.column_index,
                        checker.finding(
                            row.number,
                            row.line,
                            rule.column_index,
                            cells[offset],
                            rule.api_name,
                            rule.label,
                            problem,
                        ),
                    )
                )
        for tracker in checker.trackers:
            for offset, problem in tracker.scan(columns[tracker.column_index], numbers):
                row = batch[offset]
                found.append(
                    (
                        row.number,
                        tracker.column_index,
                        checker.finding(
                            row.number,
                            row.line,
                            tracker.column_index,
                            columns[tracker.column_index][offset],
                            tracker.api_name,
                            tracker.label,
                            problem,
                        ),
                    )
                )
        if collect is not None:
            for column in collect.columns:
                for offset, problem in collect.add(column, columns[column], numbers):
                    row = batch[offset]
                    found.append(
                        (
                            row.number,
                            column,
                            checker.finding(
                                row.number,
                                row.line,
                                column,
                                columns[column][offset],
                                None,
                                None,
                                problem,
                            ),
                        )
                    )
        if lookup is not None and checker.link_index is not None and parent_column is not None:
            cells = columns[checker.link_index]
            for offset in lookup.orphans(parent_column, cells):
                row = batch[offset]
                value = cells[offset]
                problem = _orphan_problem(value, parent_column)
                assert link is not None
                found.append(
                    (
                        row.number,
                        checker.link_index,
                        checker.finding(
                            row.number,
                            row.line,
                            checker.link_index,
                            value,
                            link.api_name,
                            link.api_name,
                            problem,
                        ),
                    )
                )
        found.sort(key=lambda entry: (entry[0], entry[1]))
        for _, _, finding in found:
            yield finding
        done += len(batch)
        if progress is not None:
            progress(item.label, done)


def _orphan_problem(value: str, parent_column: int) -> Problem:
    if not value.strip():
        message = "this child row has no parent key, so it cannot be linked to a parent row"
        return Problem(MANDATORY_NOT_FOUND, "orphan", message)
    message = (
        f"no parent row has {value!r} in the parent file's column {parent_column}, "
        "so this child row cannot be linked"
    )
    return Problem(RESOURCE_NOT_FOUND, "orphan", message)


def has_errors(findings: Iterable[Finding]) -> bool:
    """True when any finding is an error."""
    return any(f.is_error for f in findings)
