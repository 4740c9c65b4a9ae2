"""What a row check reports: :class:`Finding` and the per-cell :class:`Problem` it wraps.

Codes are Zoho's row-level result codes where one applies (zoho-api.md section 5:
``MANDATORY_NOT_FOUND``, ``INVALID_DATA``, ``DUPLICATE_DATA``, ``RESOURCE_NOT_FOUND``), so what we
report before the upload reads like what Zoho would report after it; ``kind`` says precisely
what is wrong (``picklist``, ``date``, ``orphan`` ...).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

MANDATORY_NOT_FOUND = "MANDATORY_NOT_FOUND"
INVALID_DATA = "INVALID_DATA"
DUPLICATE_DATA = "DUPLICATE_DATA"
RESOURCE_NOT_FOUND = "RESOURCE_NOT_FOUND"

ERROR = "error"
WARNING = "warning"


@dataclass(frozen=True)
class Problem:
    """What is wrong with one cell value, before we know where the cell is."""

    code: str
    kind: str
    message: str
    severity: str = ERROR
    suggestion: str | None = None


@dataclass(frozen=True)
class Finding:
    """One problem in one row of one file.

    Attributes:
        file: the file as the user named it.
        row: the data row number as the user sees it (from the reader), or None for file-level.
        line: the physical line in the file, when known.
        column: the header of the column, or None.
        column_index: 0-based column index, or None.
        value: the cell value, or None.
        field: the CRM field API name, or None.
        field_label: the CRM field label, or None.
        code: Zoho's row code (``INVALID_DATA`` ...).
        kind: our precise sub-kind (``picklist``, ``date``, ``orphan`` ...).
        severity: ``error`` (Zoho will reject the row) or ``warning`` (it may not do what you want).
        message: a plain-language sentence.
        suggestion: a fix (often the corrected value), when one exists.
    """

    file: str
    row: int | None
    line: int | None
    column: str | None
    column_index: int | None
    value: str | None
    field: str | None
    field_label: str | None
    code: str
    kind: str
    severity: str
    message: str
    suggestion: str | None = None

    @property
    def is_error(self) -> bool:
        return self.severity == ERROR

    def to_json(self) -> dict[str, Any]:
        """The finding as the CLI's ``--json`` prints it."""
        return {
            "file": self.file,
            "row": self.row,
            "line": self.line,
            "column": self.column,
            "column_index": self.column_index,
            "value": self.value,
            "field": self.field,
            "field_label": self.field_label,
            "code": self.code,
            "kind": self.kind,
            "severity": self.severity,
            "message": self.message,
            "suggestion": self.suggestion,
        }

    def describe(self) -> str:
        """One line for humans: ``leads.csv row 4 (line 5), Email: ... (suggestion: ...)``."""
        place = self.file
        if self.row is not None:
            place += f" row {self.row}"
            # The data row number counts neither the header, title lines, blank lines nor the
            # line breaks inside quoted cells; the physical line is what a text editor (or, for
            # a workbook, the sheet) shows, so the user can find the row either way.
            if self.line is not None and self.line != self.row:
                place += f" (line {self.line})"
        if self.column is not None:
            place += f", {self.column}"
        text = f"{place}: {self.severity}: {self.message} [{self.code}/{self.kind}]"
        if self.suggestion is not None:
            text += f" (suggestion: {self.suggestion})"
        return text
