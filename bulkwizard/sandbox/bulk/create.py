"""Create Bulk Write Job, server side: read the request, check it as Zoho does, load its CSVs.

Checks, first error wins (answered in Zoho's error shape, HTTP 400, zoho-api.md section 3.7):

1. the body must be a JSON object that reads as a job (``INVALID_DATA`` naming the JSON path);
2. what only the server knows, per resource: ``file_id`` is a known upload (``INVALID_FILE_ID``),
   ``file_names`` exist in that zip (``INVALID_DATA``), a single-resource job's zip holds exactly
   one CSV (``FILE_NOT_SUPPORTED``: parent-child jobs alone may ship several), each CSV has at
   most 25,000 rows (``LIMIT_EXCEEDED``) and 200 columns (``HEADER_LIMIT_EXCEEDED``);
3. the pre-flight validator's errors (:func:`~bulkwizard.core.validation.validate_job`, given the
   real CSV headers and samples), in the order it reports them; its warnings never block.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bulkwizard.core.errors import JobFormatError
from bulkwizard.core.job import BulkWriteJob
from bulkwizard.core.validation import CsvShape, validate_job
from bulkwizard.sandbox.bulk.files import MAX_COLUMNS, MAX_ROWS, member_for, read_csvs
from bulkwizard.sandbox.bulk.model import CsvFile
from bulkwizard.sandbox.bulk.store import BulkStore, Upload
from bulkwizard.sandbox.http import ApiError
from bulkwizard.sandbox.state import SandboxState

SAMPLE_ROWS = 50


@dataclass
class ResourceFile:
    """Where one resource's CSV comes from."""

    upload: Upload
    member: str


def read_job(body: Any) -> BulkWriteJob:
    """The request body as a job, or a Zoho-shaped 400 naming the offending JSON path."""
    if not isinstance(body, dict):
        raise _error("INVALID_DATA", "the request body must be a JSON object (the job)", "$")
    try:
        return BulkWriteJob.from_json(body)
    except JobFormatError as exc:
        raise _error("INVALID_DATA", exc.message, exc.path) from None


def resource_files(job: BulkWriteJob, store: BulkStore) -> list[ResourceFile | None]:
    """Find each resource's upload and CSV; raise the first server-side error.

    A resource without ``file_id`` gets ``None`` (the validator reports it as missing).
    """
    result: list[ResourceFile | None] = []
    for position, resource in enumerate(job.resources):
        path = f"$.resource[{position}]"
        if resource.file_id is None:
            result.append(None)
            continue
        upload = store.upload(resource.file_id)
        if upload is None:
            raise _error("INVALID_FILE_ID", "improper file id", f"{path}.file_id", "file_id")
        if resource.file_names:
            wanted = resource.file_names[0]
            member = member_for(upload.csv_names, wanted)
            if member is None:
                raise _error(
                    "INVALID_DATA",
                    f"the uploaded zip has no CSV named {wanted!r}; it holds "
                    + ", ".join(upload.csv_names),
                    f"{path}.file_names[0]",
                    "file_names",
                )
        else:
            member = upload.csv_names[0]
        result.append(ResourceFile(upload, member))
    if not job.is_parent_child and result and result[0] is not None:
        if len(result[0].upload.csv_names) > 1:
            raise _error(
                "FILE_NOT_SUPPORTED",
                f"the zip holds {len(result[0].upload.csv_names)} CSV files; an import into one "
                "module takes a zip with exactly one CSV",
                "$.resource[0].file_id",
                "file_id",
            )
    return result


def load_csvs(
    job: BulkWriteJob, files: list[ResourceFile | None], files_dir: Path
) -> dict[int, CsvFile]:
    """Read each resource's CSV (resources without a file are left out)."""
    by_upload: dict[str, dict[str, CsvFile]] = {}
    result: dict[int, CsvFile] = {}
    for position, item in enumerate(files):
        if item is None:
            continue
        upload = item.upload
        if upload.file_id not in by_upload:
            data = (files_dir / Path(upload.path).name).read_bytes()
            wanted = sorted(
                {f.member for f in files if f is not None and f.upload.file_id == upload.file_id}
            )
            by_upload[upload.file_id] = read_csvs(data, wanted, job.character_encoding)
        result[position] = by_upload[upload.file_id][item.member]
    return result


def check_limits(csvs: dict[int, CsvFile]) -> None:
    """25,000 rows and 200 columns per CSV (zoho-api.md section 6.1)."""
    for position, csv in sorted(csvs.items()):
        path = f"$.resource[{position}].file_id"
        if len(csv.headers) > MAX_COLUMNS:
            raise _error(
                "HEADER_LIMIT_EXCEEDED",
                f"{csv.name} has {len(csv.headers)} columns; at most {MAX_COLUMNS} are allowed",
                path,
                "file_id",
            )
        if len(csv.rows) > MAX_ROWS:
            raise _error(
                "LIMIT_EXCEEDED",
                f"{csv.name} has {len(csv.rows)} records; at most {MAX_ROWS:,} per file are "
                "allowed: split the file",
                path,
                "file_id",
            )


def validate(job: BulkWriteJob, state: SandboxState, csvs: dict[int, CsvFile]) -> None:
    """Raise the validator's first error in Zoho's shape (warnings never block)."""
    shapes = {
        position: CsvShape(csv.name, csv.headers, csv.rows[:SAMPLE_ROWS])
        for position, csv in csvs.items()
    }
    for problem in validate_job(job, state.metadata, shapes):
        if problem.is_error:
            raise _error(problem.code, problem.message, problem.path, problem.field)


def prepare_job(
    body: Any, state: SandboxState, store: BulkStore
) -> tuple[BulkWriteJob, list[CsvFile]]:
    """Run every check of a Create Job request; return the job and one CSV per resource."""
    job = read_job(body)
    files = resource_files(job, store)
    csvs = load_csvs(job, files, state.files_dir)
    check_limits(csvs)
    validate(job, state, csvs)
    if len(csvs) != len(job.resources):  # the validator reports missing file ids; be safe
        raise _error("MANDATORY_NOT_FOUND", "required key file_id is not available", "$.resource")
    return job, [csvs[position] for position in range(len(job.resources))]


def _error(code: str, message: str, json_path: str, api_name: str | None = None) -> ApiError:
    details: dict[str, Any] = {}
    name = api_name or _last_key(json_path)
    if name:
        details["api_name"] = name
    details["json_path"] = json_path
    return ApiError(400, code, message, details)


def _last_key(json_path: str) -> str | None:
    """``$.resource[0].find_by`` -> ``find_by`` (Zoho names the key in ``details.api_name``)."""
    tail = json_path.rsplit(".", 1)[-1].split("[", 1)[0]
    return tail if tail and tail != "$" else None
