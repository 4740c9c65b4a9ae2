"""What the pre-flight validator takes and gives: CSV shapes in, problems out.

Kept apart from the checks so that every ``validation_*`` module (and callers such as the sandbox,
which validates Create Job requests server-side) can import these without import cycles.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from bulkwizard.core.job import OPERATIONS, BulkWriteJob
from bulkwizard.core.metadata import FieldMeta, MetadataSnapshot

Severity = Literal["error", "warning"]
# Zoho maps at most this many fields per resource (HEADER_LIMIT_EXCEEDED beyond).
MAX_MAPPINGS = 200


@dataclass(frozen=True)
class CsvShape:
    """What the validator knows of one CSV: its header row and a few sample rows.

    Attributes:
        name: the file name (as in ``file_names``), used in messages.
        headers: the header row, one entry per column.
        sample_rows: some data rows (the first ~50 are plenty); may be empty.
    """

    name: str
    headers: list[str]
    sample_rows: list[list[str]] = field(default_factory=list)

    @property
    def column_count(self) -> int:
        """Number of columns, as the header row declares them."""
        return len(self.headers)

    def column_values(self, index: int) -> list[str]:
        """The sample values of one column (rows too short for it give ``""``)."""
        return [row[index] if index < len(row) else "" for row in self.sample_rows]

    def describe_column(self, index: int) -> str:
        """``column 3 "Email" (index 2)`` style wording, for messages."""
        if 0 <= index < len(self.headers):
            header = self.headers[index].strip()
            label = f' "{header}"' if header else " (no header)"
            return f"column {index + 1}{label} (index {index}) of {self.name}"
        return f"index {index}"


@dataclass(frozen=True)
class Problem:
    """One thing wrong (error) or likely to go wrong (warning) with a job.

    Attributes:
        severity: ``error`` when Zoho would reject the job, ``warning`` for likely trouble.
        code: Zoho's error code for errors (``MANDATORY_NOT_FOUND`` ...); our own upper-case code
            for warnings (``DUPLICATE_COLUMN`` ...).
        message: plain-language text for an admin: what is wrong and what to do.
        path: JSON path of the offending item, e.g. ``$.resource[0].field_mappings[2].index``.
        resource_index: the ``resource[]`` position concerned, when there is one.
        field: the CRM field API name concerned, when there is one.
    """

    severity: Severity
    code: str
    message: str
    path: str
    resource_index: int | None = None
    field: str | None = None

    @property
    def is_error(self) -> bool:
        return self.severity == "error"

    def to_json(self) -> dict[str, Any]:
        """``{"severity", "code", "message", "path"}`` plus ``resource_index``/``field`` if set."""
        data: dict[str, Any] = {
            "severity": self.severity,
            "code": self.code,
            "message": self.message,
            "path": self.path,
        }
        if self.resource_index is not None:
            data["resource_index"] = self.resource_index
        if self.field is not None:
            data["field"] = self.field
        return data

    def to_zoho_error(self) -> dict[str, Any]:
        """The problem as a Zoho error body (zoho-api.md 3.7), for the sandbox's Create Job."""
        details: dict[str, Any] = {"json_path": self.path}
        if self.field is not None:
            details["api_name"] = self.field
        return {"code": self.code, "details": details, "message": self.message, "status": "error"}


class Problems(list[Problem]):
    """A list of problems with shorthands for adding one."""

    def error(
        self,
        code: str,
        message: str,
        path: str,
        *,
        resource: int | None = None,
        field: str | None = None,
    ) -> None:
        self.append(Problem("error", code, message, path, resource, field))

    def warning(
        self,
        code: str,
        message: str,
        path: str,
        *,
        resource: int | None = None,
        field: str | None = None,
    ) -> None:
        self.append(Problem("warning", code, message, path, resource, field))

    @property
    def errors(self) -> list[Problem]:
        return [problem for problem in self if problem.is_error]

    @property
    def warnings(self) -> list[Problem]:
        return [problem for problem in self if not problem.is_error]


@dataclass
class Context:
    """Everything one validation run looks at, plus the problems found so far."""

    job: BulkWriteJob
    snapshot: MetadataSnapshot
    csvs: Mapping[int, CsvShape]
    problems: Problems = field(default_factory=Problems)
    require_file_id: bool = True

    @property
    def operation(self) -> str | None:
        """The job's operation when it is a known one, else None (already reported)."""
        return self.job.operation if self.job.operation in OPERATIONS else None

    def csv(self, resource_index: int) -> CsvShape | None:
        return self.csvs.get(resource_index)


def resource_path(index: int) -> str:
    return f"$.resource[{index}]"


def mapping_path(resource_index: int, mapping_index: int) -> str:
    return f"$.resource[{resource_index}].field_mappings[{mapping_index}]"


def describe_field(meta: FieldMeta) -> str:
    """``"Last Name" (Last_Name)``: the label an admin sees and the API name the job uses."""
    if meta.label and meta.label != meta.api_name:
        return f'"{meta.label}" ({meta.api_name})'
    return meta.api_name


def describe_module(snapshot: MetadataSnapshot, api_name: str) -> str:
    """``"Leads" (Leads)`` style wording for a module, falling back to the API name."""
    module = snapshot.module(api_name)
    if module is not None and module.label != api_name:
        return f'"{module.label}" ({api_name})'
    return api_name


def describe_api_name(context: Context, resource_index: int, api_name: str) -> str:
    """Describe a mapped field by label and API name when the metadata knows it."""
    module = context.job.resources[resource_index].module.api_name
    meta = context.snapshot.field(module, api_name)
    return describe_field(meta) if meta is not None else api_name


def capitalise(text: str) -> str:
    """Upper-case the first letter, for messages that start with a column description."""
    return text[:1].upper() + text[1:]
