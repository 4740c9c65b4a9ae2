"""Inputs and outputs of the sandbox's bulk-write row processing.

:class:`CsvFile` is one CSV of the uploaded zip, already decoded and split into rows.
:class:`RowResult` / :class:`ResourceResult` are what the result zip (zoho-api.md section 5) and
the job details counters (section 4) are made from. :class:`Mapping` is a field mapping resolved
against the CSV and the metadata, so that the row loop does no lookups by name.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from bulkwizard.core.metadata import FieldMeta

# The order codes appear in ERRORS (Zoho's example puts MANDATORY_NOT_FOUND before DUPLICATE_DATA).
ERROR_ORDER = (
    "MANDATORY_NOT_FOUND",
    "INVALID_DATA",
    "DUPLICATE_DATA",
    "RESOURCE_NOT_FOUND",
    "NOT_APPROVED",
    "BLOCKED_RECORD",
    "LIMIT_EXCEEDED",
    "CANNOT_PROCESS",
)
ADDED = "ADDED"
UPDATED = "UPDATED"
SKIPPED = "SKIPPED"


@dataclass
class CsvFile:
    """One CSV of an upload: its name inside the zip, header row and data rows."""

    name: str
    headers: list[str]
    rows: list[list[str]]


@dataclass
class Mapping:
    """A field mapping resolved for processing.

    Attributes:
        api_name: the target field (or ``id`` / ``Layout`` / ``Parent_Id``).
        index: CSV column, or None for a default-only mapping.
        column: the name used in result ``ERRORS`` (the CSV header, else the API name).
        meta: the field's metadata; None for ``id`` and ``Layout``.
        find_by: how to resolve a lookup value.
        format: date/date-time/number pattern.
        default: ``default_value.value`` when given (``has_default`` tells None from absent).
        parent_column_index: set on a child's link to its parent row.
    """

    api_name: str
    index: int | None
    column: str
    meta: FieldMeta | None = None
    find_by: str | None = None
    format: str | None = None
    default: Any = None
    has_default: bool = False
    parent_column_index: int | None = None


@dataclass
class RowResult:
    """The outcome of one CSV row: what the result CSV shows for it."""

    status: str
    record_id: str | None = None
    # code -> columns, in the order first met; rendered CODE-col,col:CODE-col
    errors: dict[str, list[str]] = field(default_factory=dict)
    preview: list[str] = field(default_factory=list)

    def add_error(self, code: str, column: str) -> None:
        columns = self.errors.setdefault(code, [])
        if column not in columns:
            columns.append(column)

    @property
    def errors_text(self) -> str:
        """``MANDATORY_NOT_FOUND-Company,Last_Name:DUPLICATE_DATA-Email``."""
        ordered = sorted(self.errors.items(), key=lambda item: ERROR_ORDER.index(item[0]))
        return ":".join(f"{code}-{','.join(columns)}" for code, columns in ordered)


@dataclass
class ResourceResult:
    """The outcome of one resource (one CSV): per-row results and the job-details counters."""

    module: str
    file_name: str
    preview_headers: list[str]
    rows: list[RowResult] = field(default_factory=list)

    def count(self, status: str) -> int:
        return sum(1 for row in self.rows if row.status == status)

    @property
    def added_count(self) -> int:
        return self.count(ADDED)

    @property
    def updated_count(self) -> int:
        return self.count(UPDATED)

    @property
    def skipped_count(self) -> int:
        return self.count(SKIPPED)

    @property
    def total_count(self) -> int:
        return len(self.rows)

    def counters(self) -> dict[str, int]:
        """The job details ``file`` counters (added + updated + skipped == total)."""
        return {
            "added_count": self.added_count,
            "skipped_count": self.skipped_count,
            "updated_count": self.updated_count,
            "total_count": self.total_count,
        }
