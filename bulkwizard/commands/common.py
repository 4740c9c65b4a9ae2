"""What the sub-commands share offline: usage errors, job files, CSV shapes, validation reports.

Kept apart from the commands themselves so that no command imports another (``submit`` reads job
files and CSVs as ``validate`` does). What needs the HTTP client is in
:mod:`bulkwizard.commands.session`.
"""

from __future__ import annotations

import codecs
from collections.abc import Sequence
from pathlib import Path

from bulkwizard.core.errors import BulkWizardError, CsvFormatError, JobFormatError, MetadataError
from bulkwizard.core.metadata import MetadataSnapshot
from bulkwizard.core.reading import ReadOptions, open_table
from bulkwizard.core.validation import CsvShape, Problem

SAMPLE_ROWS = 50


class UsageError(BulkWizardError):
    """Input the command cannot work with; the message says which file and what to do."""


def format_report(problems: Sequence[Problem], source: str) -> str:
    """A readable report: errors, then warnings, then one summary line."""
    lines: list[str] = []
    for severity, title in (("error", "Errors"), ("warning", "Warnings")):
        group = [p for p in problems if p.severity == severity]
        if not group:
            continue
        lines.append(f"{title} ({len(group)}):")
        for problem in group:
            lines.append(f"  {problem.code} at {problem.path}")
            lines.append(f"    {problem.message}")
        lines.append("")
    errors = sum(1 for p in problems if p.is_error)
    warnings = len(problems) - errors
    if not problems:
        lines.append(f"{source}: no problems found.")
    else:
        verdict = "Zoho would reject this job" if errors else "Zoho should accept this job"
        lines.append(
            f"{source}: {_plural(errors, 'error')}, {_plural(warnings, 'warning')}. {verdict}."
        )
    return "\n".join(lines) + "\n"


def _plural(count: int, word: str) -> str:
    return f"{count} {word}" + ("" if count == 1 else "s")


def decode_job_text(data: bytes, path: Path) -> str:
    """Decode a job file: UTF-8 (with or without BOM), or UTF-16/32 with a BOM.

    Windows Notepad's "Unicode" is UTF-16 with a BOM. Anything else is refused with the line of
    the first bad byte.

    Raises:
        JobFormatError: the bytes are not text in one of those encodings.
    """
    for bom, codec in (
        (codecs.BOM_UTF32_LE, "utf-32"),
        (codecs.BOM_UTF32_BE, "utf-32"),
        (codecs.BOM_UTF16_LE, "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16"),
    ):
        if data.startswith(bom):
            try:
                return data.decode(codec)
            except UnicodeDecodeError:
                break
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise JobFormatError(
            "the job file is not UTF-8 text; save it as UTF-8 JSON",
            line=data[: exc.start].count(b"\n") + 1,
            source=str(path),
        ) from None


def load_snapshot(folder: Path) -> MetadataSnapshot:
    """Load a metadata snapshot folder (the offline metadata source)."""
    snapshot = MetadataSnapshot.load(folder)
    if not snapshot.modules:
        raise MetadataError(f"{folder}: the metadata snapshot lists no modules")
    return snapshot


def read_csv_shape(
    path: Path, max_rows: int = SAMPLE_ROWS, *, as_prepared: bool = False
) -> CsvShape:
    """Read the header row and the first ``max_rows`` data rows of a CSV (or workbook).

    Reading goes through the data engine (:func:`bulkwizard.core.reading.table.open_table`), which
    detects the encoding and delimiter. By default the first row is the header, as Zoho reads a
    file uploaded as it is. With ``as_prepared`` the file is read as ``submit`` rewrites it for
    upload: title lines above the header skipped, a headerless file given ``Column N`` names.

    Raises:
        CsvFormatError: the file cannot be read or has no header row.
    """
    options = None if as_prepared else ReadOptions(has_header=True, header_row=0)
    with open_table(path, options) as table:
        headers = list(table.raw_headers if table.options.has_header else table.headers)
        if not any(header.strip() for header in headers):
            raise CsvFormatError("the file has no header row", path=str(path), line=1)
        rows = [list(row.values) for row in table.head(max_rows)]
    return CsvShape(name=path.name, headers=headers, sample_rows=rows)
