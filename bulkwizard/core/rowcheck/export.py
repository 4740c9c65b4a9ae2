"""Export of flagged rows: the rows that have findings, as a CSV the user can fix and re-import.

The export keeps the source's columns as read and adds one ``Problems`` column that lists each
finding of the row (``Email: 'x@y' is not an email address (suggestion: ...)``). It is written
atomically (temp file, fsync, rename) in UTF-8 with a BOM, so spreadsheet programs open it right.
"""

from __future__ import annotations

import csv
import os
import tempfile
from collections import defaultdict
from collections.abc import Iterable
from pathlib import Path

from bulkwizard.core.inputs import TableLike
from bulkwizard.core.rowcheck.model import Finding

PROBLEMS_HEADER = "Problems"


def _describe(finding: Finding) -> str:
    text = f"{finding.column}: {finding.message}" if finding.column else finding.message
    if finding.suggestion is not None:
        text += f" (suggestion: {finding.suggestion})"
    return f"{finding.severity}: {text}"


def export_flagged_rows(
    table: TableLike, findings: Iterable[Finding], out_path: str | os.PathLike[str]
) -> int:
    """Write the rows of ``table`` that have findings, plus a ``Problems`` column.

    Args:
        table: the file the findings are about (read again, streamed).
        findings: the findings of that file (findings without a row number are skipped).
        out_path: where to write the CSV.

    Returns:
        The number of rows written.
    """
    by_row: dict[int, list[str]] = defaultdict(list)
    for finding in findings:
        if finding.row is not None:
            by_row[finding.row].append(_describe(finding))
    target = Path(out_path)
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temp_name = tempfile.mkstemp(
        dir=target.parent, prefix=f".{target.name}.", suffix=".tmp"
    )
    written = 0
    try:
        with os.fdopen(handle, "w", encoding="utf-8-sig", newline="") as stream:
            writer = csv.writer(stream, lineterminator="\r\n")
            writer.writerow([*table.headers, PROBLEMS_HEADER])
            remaining = len(by_row)
            for row in table.iter_rows():
                if not remaining:
                    break
                problems = by_row.get(row.number)
                if problems is None:
                    continue
                writer.writerow([*row.values, "\n".join(problems)])
                written += 1
                remaining -= 1
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temp_name, target)
    except BaseException:
        Path(temp_name).unlink(missing_ok=True)
        raise
    return written
