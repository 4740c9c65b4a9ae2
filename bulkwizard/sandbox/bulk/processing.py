"""The sandbox's bulk-write engine: applies a job's CSV rows to the record store, row by row.

Pure logic over a record store (no HTTP, no threads): :func:`process_job` takes the parsed job, the
org metadata, the CSVs and a store, writes the records and returns one :class:`ResourceResult` per
resource. Semantics follow zoho-api.md sections 3 and 5:

* ``insert`` creates; with a resource ``find_by`` a row matching an existing record is skipped
  (``DUPLICATE_DATA`` on the find_by column). ``update`` changes only found records
  (``RESOURCE_NOT_FOUND`` otherwise); ``upsert`` updates found records and creates the rest.
* Empty cells: ``default_value`` first; then ``ignore_empty`` (resource level wins over job level)
  leaves the field untouched, else the field is cleared.
* Lookups resolve through the mapping's ``find_by`` or the ``Field.id`` / ``Field.Other`` header
  convention of auto-mapped CSVs; users by id or e-mail.
* Children (subforms, line items, linking modules) attach to parents through
  ``parent_column_index`` (the parent CSV column holding the same key), including parents created
  by this job, or through ``Parent_Id`` record ids.
* Every row ends ADDED, UPDATED or SKIPPED, so added + updated + skipped == total.

The caller runs this inside one store transaction per job, which makes re-running an interrupted
job safe (nothing of a half-processed job was committed).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from bulkwizard.core.job import BulkWriteJob, FieldMapping, Resource
from bulkwizard.core.metadata import FieldMeta, MetadataSnapshot
from bulkwizard.sandbox.bulk.lookup import Record, Records, RecordStoreLike
from bulkwizard.sandbox.bulk.model import (
    ADDED,
    SKIPPED,
    UPDATED,
    CsvFile,
    Mapping,
    ResourceResult,
    RowResult,
)
from bulkwizard.sandbox.bulk.values import (
    DUPLICATE_DATA,
    LIMIT_EXCEEDED,
    MANDATORY_NOT_FOUND,
    RESOURCE_NOT_FOUND,
    CellError,
    convert,
)
from bulkwizard.sandbox.record_store import RecordNotFound

SPECIAL_FIELDS = ("id", "Layout")
# Subform / line-item rows per parent record (zoho-api.md section 6.1: "max 200 rows").
MAX_SUBFORM_ROWS = 200
Layouts = dict[str, list[Record]]  # module -> Layouts API objects ({id, name, ...})
RowHook = Callable[[int], None]
Chunk = tuple[int, int, list[RowResult]]  # (resource index, first row index, row results)


class JobRun:
    """One job's processing, resumable: rows already done (from an earlier run) are not redone.

    Iterate :meth:`chunks` and commit each chunk's writes together with its row results; after a
    crash, a new ``JobRun`` given those results continues where the last committed chunk ended.
    """

    def __init__(
        self,
        job: BulkWriteJob,
        snapshot: MetadataSnapshot,
        csvs: Sequence[CsvFile],
        store: RecordStoreLike,
        *,
        user: Record,
        tz: dt.tzinfo = dt.UTC,
        layouts: Layouts | None = None,
        done: Sequence[Sequence[RowResult]] = (),
        on_row: RowHook | None = None,
    ) -> None:
        """Prepare a run.

        Args:
            job: the validated job; ``csvs[i]`` is the CSV of ``job.resources[i]``.
            snapshot: the org's metadata.
            csvs: one CSV per resource, in resource order.
            store: the record store (the caller wraps each chunk in a store transaction).
            user: the job's creator (Users-API object), the default record owner.
            tz: the org's time zone for date-times written without an offset.
            layouts: each module's layouts, to resolve ``Layout`` values.
            done: row results of an earlier, interrupted run, per resource.
            on_row: called with the running row count (fault hooks and progress).
        """
        if len(csvs) != len(job.resources):
            raise ValueError("one CSV per resource is needed")
        self.job = job
        self.csvs = list(csvs)
        self.engine = _Engine(job, snapshot, Records(store, snapshot, user), tz, layouts or {})
        self.on_row = on_row
        self.mappings = [
            effective_mappings(resource, csv, snapshot)
            for resource, csv in zip(job.resources, csvs, strict=True)
        ]
        self.results: list[ResourceResult] = []
        for position, (resource, csv) in enumerate(zip(job.resources, csvs, strict=True)):
            preview = preview_indexes(self.mappings[position], len(csv.headers))
            result = ResourceResult(
                resource.module.api_name, csv.name, [csv.headers[i] for i in preview]
            )
            for row_index, row in enumerate(done[position] if position < len(done) else ()):
                row.preview = _preview(csv.rows[row_index], preview)
                result.rows.append(row)
            self.results.append(result)
        self.rows_done = sum(len(result.rows) for result in self.results)

    def chunks(self, size: int = 500) -> Iterator[Chunk]:
        """Process the remaining rows, yielding after every ``size`` rows (and resource end)."""
        for position, resource in enumerate(self.job.resources):
            csv, result = self.csvs[position], self.results[position]
            if len(result.rows) >= len(csv.rows):
                continue
            parent = (self.csvs[0], self.results[0]) if position > 0 else None
            process = self.engine.prepare(resource, self.mappings[position], parent)
            preview = preview_indexes(self.mappings[position], len(csv.headers))
            start = len(result.rows)
            batch: list[RowResult] = []
            for row in csv.rows[start:]:
                outcome = RowResult(SKIPPED, preview=_preview(row, preview))
                process(row, outcome)
                result.rows.append(outcome)
                batch.append(outcome)
                self.rows_done += 1
                if self.on_row is not None:
                    self.on_row(self.rows_done)
                if len(batch) >= size:
                    yield position, start, batch
                    start, batch = start + len(batch), []
            if batch:
                yield position, start, batch

    def run(self) -> list[ResourceResult]:
        """Process every remaining row (no chunk boundaries) and return the results."""
        for _chunk in self.chunks(size=1 << 30):
            pass
        return self.results


def process_job(
    job: BulkWriteJob,
    snapshot: MetadataSnapshot,
    csvs: Sequence[CsvFile],
    store: RecordStoreLike,
    *,
    user: Record,
    tz: dt.tzinfo = dt.UTC,
    layouts: Layouts | None = None,
) -> list[ResourceResult]:
    """Apply every row of every resource in one go; see :class:`JobRun` for the arguments."""
    return JobRun(job, snapshot, csvs, store, user=user, tz=tz, layouts=layouts).run()


def _preview(row: list[str], indexes: list[int]) -> list[str]:
    return [row[i] if i < len(row) else "" for i in indexes]


def effective_mappings(
    resource: Resource, csv: CsvFile, snapshot: MetadataSnapshot
) -> list[Mapping]:
    """Resolve ``field_mappings`` (or auto-map the header row) against the CSV and metadata."""
    module = resource.module.api_name
    result: list[Mapping] = []
    if resource.field_mappings is None:
        for index, header in enumerate(csv.headers):
            name = header.strip()
            find_by: str | None = None
            if "." in name and name not in SPECIAL_FIELDS:
                name, find_by = name.split(".", 1)
            meta = snapshot.field(module, name)
            if meta is None and name not in SPECIAL_FIELDS:
                continue  # unknown headers are not imported
            if name == "Parent_Id" and find_by is None:
                find_by = "id"
            result.append(Mapping(name, index, header.strip(), meta, find_by))
        return result
    for item in resource.field_mappings:
        result.append(_resolve_mapping(item, csv, snapshot.field(module, item.api_name)))
    return result


def _resolve_mapping(item: FieldMapping, csv: CsvFile, meta: FieldMeta | None) -> Mapping:
    column = item.api_name
    if item.index is not None and 0 <= item.index < len(csv.headers):
        column = csv.headers[item.index].strip() or item.api_name
    return Mapping(
        api_name=item.api_name,
        index=item.index,
        column=column,
        meta=meta,
        find_by=item.find_by,
        format=item.format,
        default=item.default_value.value if item.default_value is not None else None,
        has_default=item.default_value is not None,
        parent_column_index=item.parent_column_index,
    )


def preview_indexes(mappings: list[Mapping], width: int) -> list[int]:
    """The first three mapped columns (the result CSV repeats them before STATUS)."""
    indexes: list[int] = []
    for mapping in mappings:
        index = mapping.index
        if index is not None and 0 <= index < width and index not in indexes:
            indexes.append(index)
        if len(indexes) == 3:
            break
    return indexes


class _Engine:
    """Row semantics for one job; see the module docstring."""

    def __init__(
        self,
        job: BulkWriteJob,
        snapshot: MetadataSnapshot,
        records: Records,
        tz: dt.tzinfo,
        layouts: Layouts,
    ) -> None:
        self.job = job
        self.snapshot = snapshot
        self.records = records
        self.tz = tz
        self.layouts = layouts

    # -- resources -------------------------------------------------------------------------------

    def prepare(
        self,
        resource: Resource,
        mappings: list[Mapping],
        parent: tuple[CsvFile, ResourceResult] | None,
    ) -> Callable[[list[str], RowResult], None]:
        """Return the row function for one resource (``row, outcome`` -> fills ``outcome``)."""
        module = resource.module.api_name
        ignore_empty = bool(
            resource.ignore_empty if resource.ignore_empty is not None else self.job.ignore_empty
        )
        module_meta = self.snapshot.module(module)
        kind = module_meta.generated_type if module_meta is not None else "default"
        parent_keys = self._parent_keys(mappings, parent)

        def process(row: list[str], outcome: RowResult) -> None:
            try:
                if kind in ("subform", "linking"):
                    self._child_row(module, kind, mappings, row, ignore_empty, parent_keys,
                                    outcome)  # fmt: skip
                else:
                    self._row(resource, mappings, row, ignore_empty, outcome)
            except CellError as exc:  # a refusal of the whole row
                outcome.status, outcome.record_id = SKIPPED, None
                outcome.add_error(exc.code, module)
            except RecordNotFound:  # the target vanished meanwhile (deleted through the API)
                outcome.status, outcome.record_id = SKIPPED, None
                outcome.add_error(RESOURCE_NOT_FOUND, module)

        return process

    def _parent_keys(
        self, mappings: list[Mapping], parent: tuple[CsvFile, ResourceResult] | None
    ) -> dict[int, dict[str, str]]:
        """parent CSV column -> (cell value -> parent record id) for rows that were written."""
        keys: dict[int, dict[str, str]] = {}
        if parent is None:
            return keys
        csv, result = parent
        for mapping in mappings:
            column = mapping.parent_column_index
            if column is None or column in keys:
                continue
            table: dict[str, str] = {}
            for row, outcome in zip(csv.rows, result.rows, strict=True):
                if outcome.record_id and column < len(row):
                    table.setdefault(row[column].strip(), outcome.record_id)
            keys[column] = table
        return keys

    # -- cells -----------------------------------------------------------------------------------

    def _cells(
        self,
        module: str,
        mappings: list[Mapping],
        row: list[str],
        ignore_empty: bool,
        outcome: RowResult,
    ) -> tuple[dict[str, Any], dict[str, str]]:
        """Convert a row's mapped cells: (values to write, raw key cells such as ``id``).

        A value of None means "clear the field" (empty cell, no default, ignore_empty off).
        """
        values: dict[str, Any] = {}
        raw_keys: dict[str, str] = {}
        for mapping in mappings:
            cell = ""
            if mapping.index is not None and 0 <= mapping.index < len(row):
                cell = row[mapping.index]
            raw: Any = cell
            if cell.strip() == "":
                if mapping.has_default and mapping.default not in (None, ""):
                    raw = mapping.default
                elif ignore_empty:
                    continue
                else:
                    raw = None
            if mapping.parent_column_index is not None or mapping.api_name == "id":
                raw_keys[mapping.api_name] = "" if raw is None else str(raw).strip()
                continue
            if mapping.api_name == "Parent_Id" and mapping.find_by in (None, "id"):
                raw_keys["Parent_Id"] = "" if raw is None else str(raw).strip()
                continue
            if raw is None:
                values[mapping.api_name] = None
                continue
            if mapping.api_name == "Layout":
                values["Layout"] = self._layout(module, str(raw))
                continue
            meta = mapping.meta
            if meta is None:
                continue
            try:
                if meta.is_lookup:
                    values[meta.api_name] = self.records.resolve_lookup(
                        meta, mapping.find_by, str(raw)
                    )
                else:
                    values[meta.api_name] = convert(meta, raw, mapping.format, self.tz)
            except CellError as exc:
                outcome.add_error(exc.code, mapping.column)
        return values, raw_keys

    def _layout(self, module: str, value: str) -> Record | None:
        """A layout id or name -> ``{"id", "name"}``; unknown names mean the default layout."""
        module_layouts = self.layouts.get(module, [])
        text = value.strip()
        for layout in module_layouts:
            if text in (str(layout.get("id")), layout.get("name"), layout.get("api_name")):
                return {"id": str(layout["id"]), "name": layout.get("name")}
        if module_layouts:
            first = module_layouts[0]
            return {"id": str(first["id"]), "name": first.get("name")}
        return None

    # -- parent rows -----------------------------------------------------------------------------

    def _row(
        self,
        resource: Resource,
        mappings: list[Mapping],
        row: list[str],
        ignore_empty: bool,
        outcome: RowResult,
    ) -> None:
        module = resource.module.api_name
        values, raw_keys = self._cells(module, mappings, row, ignore_empty, outcome)
        operation = self.job.operation or "insert"
        find_by = resource.find_by
        existing_id: str | None = None
        if find_by:
            key_mapping = next((m for m in mappings if m.api_name == find_by), None)
            key_column = key_mapping.column if key_mapping is not None else find_by
            key_value = raw_keys.get("id") if find_by == "id" else values.get(find_by)
            if key_value in (None, ""):
                if operation == "update":
                    outcome.add_error(MANDATORY_NOT_FOUND, key_column)
            else:
                ids = self.records.find_ids(module, find_by, key_value)
                if ids and operation == "insert":  # insert + find_by skips existing records
                    outcome.add_error(DUPLICATE_DATA, key_column)
                    return
                if ids:
                    existing_id = ids[0]
                elif operation == "update":
                    outcome.add_error(RESOURCE_NOT_FOUND, key_column)
        if existing_id is None and operation == "update":
            return  # update never creates; the row is skipped with the error above
        creating = existing_id is None
        if creating:
            self._check_mandatory(module, mappings, values, outcome)
        else:
            self._check_cleared_mandatory(module, mappings, values, outcome)
        self._check_unique(module, mappings, values, existing_id, outcome)
        if outcome.errors:
            return
        if creating:
            values = {k: v for k, v in values.items() if v is not None}
            if "Owner" not in values and not self.records.creator_is_default:
                if self.snapshot.field(module, "Owner") is not None:
                    values["Owner"] = {"id": str(self.records.user["id"])}  # the job's creator
            outcome.record_id = self.records.insert(module, values)
            outcome.status = ADDED
        else:
            assert existing_id is not None
            self.records.update(module, existing_id, values)
            outcome.record_id = existing_id
            outcome.status = UPDATED

    def _check_mandatory(
        self, module: str, mappings: list[Mapping], values: dict[str, Any], outcome: RowResult
    ) -> None:
        columns = {m.api_name: m.column for m in mappings}
        flagged = {column for cols in outcome.errors.values() for column in cols}
        for meta in (self.snapshot.fields_of(module) or {}).values():
            if not meta.system_mandatory or not meta.importable_for("insert"):
                continue
            if meta.api_name == "Parent_Id":
                continue
            if values.get(meta.api_name) in (None, "", []):
                column = columns.get(meta.api_name, meta.api_name)
                if column not in flagged:  # an invalid value is reported as INVALID_DATA only
                    outcome.add_error(MANDATORY_NOT_FOUND, column)

    def _check_cleared_mandatory(
        self, module: str, mappings: list[Mapping], values: dict[str, Any], outcome: RowResult
    ) -> None:
        for mapping in mappings:
            meta = mapping.meta
            if meta is not None and meta.system_mandatory and mapping.api_name in values:
                if values[mapping.api_name] in (None, "", []):
                    outcome.add_error(MANDATORY_NOT_FOUND, mapping.column)

    def _check_unique(
        self,
        module: str,
        mappings: list[Mapping],
        values: dict[str, Any],
        own_id: str | None,
        outcome: RowResult,
    ) -> None:
        columns = {m.api_name: m.column for m in mappings}
        for meta in self.snapshot.unique_fields(module):
            value = values.get(meta.api_name)
            if value in (None, ""):
                continue
            others = [i for i in self.records.find_ids(module, meta.api_name, value) if i != own_id]
            if others:
                column = columns.get(meta.api_name, meta.api_name)
                if column not in outcome.errors.get(DUPLICATE_DATA, ()):
                    outcome.add_error(DUPLICATE_DATA, column)

    # -- child rows ------------------------------------------------------------------------------

    def _child_row(
        self,
        module: str,
        kind: str,
        mappings: list[Mapping],
        row: list[str],
        ignore_empty: bool,
        parent_keys: dict[int, dict[str, str]],
        outcome: RowResult,
    ) -> None:
        values, raw_keys = self._cells(module, mappings, row, ignore_empty, outcome)
        link = next((m for m in mappings if m.parent_column_index is not None), None)
        if link is None:
            link = next((m for m in mappings if m.api_name == "Parent_Id"), None)
        if link is None:
            outcome.add_error(MANDATORY_NOT_FOUND, "Parent_Id")
            return
        key = raw_keys.get(link.api_name, "")
        parent_id: str | None = None
        parent_module = link.meta.lookup_module if link.meta is not None else None
        if not key:
            outcome.add_error(MANDATORY_NOT_FOUND, link.column)
        elif link.parent_column_index is not None:
            parent_id = parent_keys.get(link.parent_column_index, {}).get(key)
        elif parent_module is not None and self.records.exists(parent_module, key):
            parent_id = key
        if key and parent_id is None:
            outcome.add_error(RESOURCE_NOT_FOUND, link.column)
        if parent_id is not None and parent_module is not None:
            name = self.records.name_of(parent_module, parent_id)
            values[link.api_name] = {"id": parent_id, "name": name}
        values = {k: v for k, v in values.items() if v is not None}
        self._check_mandatory(module, mappings, values, outcome)
        if kind == "linking" and not outcome.errors:
            self._check_link_unique(module, values, link, outcome)
        if kind == "subform" and parent_id is not None and not outcome.errors:
            if len(self.records.find_ids(module, link.api_name, parent_id)) >= MAX_SUBFORM_ROWS:
                outcome.add_error(LIMIT_EXCEEDED, link.column)
        if outcome.errors:
            return
        outcome.record_id = self.records.insert(module, values)
        outcome.status = ADDED

    def _check_link_unique(
        self, module: str, values: dict[str, Any], link: Mapping, outcome: RowResult
    ) -> None:
        """A linking row that repeats an existing (parent, connected) pair is a duplicate."""
        others = [name for name in values if name != link.api_name]
        if not others:
            return
        parent_id = values[link.api_name]["id"]
        existing = set(self.records.find_ids(module, link.api_name, parent_id))
        other = others[0]
        value = values[other]
        if existing and existing & set(self.records.find_ids(module, other, value)):
            outcome.add_error(DUPLICATE_DATA, other)


__all__ = [
    "ADDED",
    "SKIPPED",
    "UPDATED",
    "CsvFile",
    "ResourceResult",
    "RowResult",
    "effective_mappings",
    "process_job",
]
