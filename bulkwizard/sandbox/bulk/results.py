"""The result zip of a finished bulk-write job (zoho-api.md sections 5 and 9).

One CSV per resource, named ``<Module>-<csv name>.csv`` (``Leads-leads.csv``): the first three
mapped columns of the uploaded CSV, then ``STATUS``, ``RECORD_ID`` and ``ERRORS`` (rendered
``CODE-column[,column][:CODE-column]``).
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Sequence
from pathlib import PurePosixPath

from bulkwizard.sandbox.bulk.model import ResourceResult

RESULT_COLUMNS = ("STATUS", "RECORD_ID", "ERRORS")


def result_csv_name(module: str, file_name: str) -> str:
    """``Leads`` + ``dir/leads.csv`` -> ``Leads-leads.csv``."""
    stem = PurePosixPath(file_name).stem or "bulkwrite"
    return f"{module}-{stem}.csv"


def result_csv_text(result: ResourceResult) -> str:
    """One resource's result CSV as text (CRLF line ends, as Zoho's CSV files have)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([*result.preview_headers, *RESULT_COLUMNS])
    width = len(result.preview_headers)
    for row in result.rows:
        preview = (row.preview + [""] * width)[:width]
        writer.writerow([*preview, row.status, row.record_id or "", row.errors_text])
    return buffer.getvalue()


def build_result_zip(results: Sequence[ResourceResult]) -> bytes:
    """The whole result zip for a job's resources, in resource order."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        used: set[str] = set()
        for result in results:
            name = result_csv_name(result.module, result.file_name)
            if name in used:  # two resources from equally named CSVs: keep both
                name = f"{name[:-4]}-{len(used)}.csv"
            used.add(name)
            archive.writestr(name, result_csv_text(result).encode("utf-8"))
    return buffer.getvalue()


def truncate_zip(data: bytes) -> bytes:
    """A damaged copy of a zip (the ``truncate_result`` fault): the first half of its bytes."""
    return data[: max(1, len(data) // 2)]
