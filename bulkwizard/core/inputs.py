"""Which spreadsheet feeds which resource of a job, for row checks and splitting.

A job names its CSVs through ``resource[].file_names``; the user points at files on disk. A
:class:`ResourceInput` binds one resource to one opened table. Files are read through the data
engine's reader (:func:`~bulkwizard.core.reading.open_table`), which detects encoding and dialect;
anything with ``headers`` and ``iter_rows()`` yielding rows with ``number`` / ``line`` / ``values``
works (tests and the UI may hand in their own tables).
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from bulkwizard.core.errors import MappingError
from bulkwizard.core.job import BulkWriteJob, FieldMapping, Resource
from bulkwizard.core.reading import open_table


class RowLike(Protocol):
    """One data row: ``number`` as the user sees it, physical ``line``, cell ``values``."""

    @property
    def number(self) -> int: ...

    @property
    def line(self) -> int: ...

    @property
    def values(self) -> Sequence[str]: ...


class TableLike(Protocol):
    """The part of the reader's ``Table`` that row checks and splitting use."""

    @property
    def headers(self) -> Sequence[str]: ...

    def iter_rows(self, start: int = 0) -> Iterator[Any]: ...


def open_source(path: str | os.PathLike[str]) -> TableLike:
    """Open a spreadsheet with the data engine's reader (encoding and dialect detected)."""
    table: TableLike = open_table(path)
    return table


@dataclass
class ResourceInput:
    """One resource of a job with the file that feeds it.

    Attributes:
        position: index of the resource in ``job.resources`` (0 is the parent).
        resource: the resource.
        name: the CSV name inside the upload zip (``file_names[0]``, or ``<Module>.csv``).
        label: how findings name the file (the path the user gave, else ``name``).
        table: the opened table.
        mappings: the field mappings, derived from the header row when the job has none.
    """

    position: int
    resource: Resource
    name: str
    label: str
    table: TableLike
    mappings: list[FieldMapping]

    @property
    def headers(self) -> list[str]:
        return list(self.table.headers)

    @property
    def parent_link(self) -> FieldMapping | None:
        """The child's mapping that carries ``parent_column_index`` (None for the parent)."""
        if self.position == 0:
            return None
        for mapping in self.mappings:
            if mapping.parent_column_index is not None:
                return mapping
        return None


def csv_name(resource: Resource) -> str:
    """The CSV name a resource's rows go under inside the upload zip."""
    if resource.file_names:
        return resource.file_names[0]
    return f"{resource.module.api_name}.csv"


def header_mappings(headers: Sequence[str]) -> list[FieldMapping]:
    """Mappings Zoho derives when a resource has no ``field_mappings``: headers are API names.

    ``Account_Name.id`` style headers map the lookup ``Account_Name`` found by ``id``.
    """
    mappings: list[FieldMapping] = []
    for index, header in enumerate(headers):
        name = header.strip()
        if not name:
            continue
        api_name, _, find_by = name.partition(".")
        mappings.append(FieldMapping(api_name=api_name, index=index, find_by=find_by or None))
    return mappings


def bind_inputs(
    job: BulkWriteJob,
    files: Mapping[str | None, str | os.PathLike[str]],
    opener: Any = open_source,
) -> list[ResourceInput]:
    """Bind each resource of ``job`` to its file.

    Args:
        job: the job.
        files: CSV name (a ``file_names`` entry) -> path; the key ``None`` stands for "the only
            resource" and is accepted for single-resource jobs.
        opener: opens a path as a table (default: the data engine's reader).

    Raises:
        MappingError: a resource has no file, a name matches no resource, or the job is empty.
    """
    if not job.resources:
        raise MappingError("the job has no resources: nothing to check")
    remaining = dict(files)
    inputs: list[ResourceInput] = []
    try:
        for position, resource in enumerate(job.resources):
            inputs.append(_bind(job, position, resource, remaining, opener))
        if remaining:
            unknown = ", ".join(str(key) for key in remaining)
            known = ", ".join(item.name for item in inputs)
            raise MappingError(
                f"file name(s) {unknown} match no resource of the job (known: {known})"
            )
    except BaseException:
        close_inputs(inputs)
        raise
    return inputs


def _bind(
    job: BulkWriteJob,
    position: int,
    resource: Resource,
    remaining: dict[str | None, str | os.PathLike[str]],
    opener: Any,
) -> ResourceInput:
    name = csv_name(resource)
    path: str | os.PathLike[str] | None = None
    for candidate in [*(resource.file_names or ()), name, resource.module.api_name]:
        if candidate in remaining:
            path = remaining.pop(candidate)
            break
    if path is None and None in remaining and len(job.resources) == 1:
        path = remaining.pop(None)
    if path is None:
        raise MappingError(
            f"no file given for resource {position} ({resource.module.api_name}): "
            f"pass --csv {name}=PATH"
        )
    table = opener(path)
    mappings = (
        list(resource.field_mappings)
        if resource.field_mappings is not None
        else header_mappings(table.headers)
    )
    return ResourceInput(position, resource, name, str(Path(path)), table, mappings)


def close_inputs(inputs: Sequence[ResourceInput]) -> None:
    """Close the tables of bound inputs (stops background indexing, frees temporary files)."""
    for item in inputs:
        close = getattr(item.table, "close", None)
        if close is not None:
            close()
