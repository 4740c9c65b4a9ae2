"""Bulk Write job details parsed into small dataclasses (``zoho-api.md`` §4).

Tolerant where Zoho is inconsistent: ``IN PROGRESS`` and ``INPROGRESS`` are the same state, ids
may be numbers or strings, ``download_url`` may be absolute or relative, the body may be the job
object itself or wrapped in ``{"data": [job]}``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from bulkwizard.zoho.errors import ZohoApiError

ADDED = "ADDED"
IN_PROGRESS = "IN PROGRESS"
COMPLETED = "COMPLETED"
FAILED = "FAILED"
SKIPPED = "SKIPPED"
FINISHED = frozenset({COMPLETED, FAILED})


def normalise_status(value: Any) -> str:
    """Upper-case status with every spelling of "in progress" folded to ``IN PROGRESS``."""
    text = str(value or "").strip().upper().replace("_", " ")
    if text.replace(" ", "") == "INPROGRESS":
        return IN_PROGRESS
    return text


def _id(value: Any) -> str | None:
    if value is None or isinstance(value, bool):
        return None
    return str(value)


def _count(value: Any) -> int:
    if isinstance(value, bool):
        return 0
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0


@dataclass(frozen=True)
class FileCounts:
    """``resource[].file``: the CSV's name and row counters (filled when the job completes)."""

    status: str = ""
    name: str = ""
    added_count: int = 0
    updated_count: int = 0
    skipped_count: int = 0
    total_count: int = 0


@dataclass(frozen=True)
class ResourceStatus:
    """One ``resource[]`` entry of a job: module, state and file counters."""

    module: str
    status: str
    code: str
    file: FileCounts


@dataclass(frozen=True)
class JobDetails:
    """A bulk write job as Get Job Details reports it."""

    id: str
    status: str
    operation: str = ""
    created_time: str = ""
    created_by: str = ""
    download_url: str | None = None
    resources: tuple[ResourceStatus, ...] = ()

    @property
    def finished(self) -> bool:
        return self.status in FINISHED

    @property
    def counts(self) -> FileCounts:
        """Counters summed over every resource (parent and children)."""
        files = [r.file for r in self.resources]
        return FileCounts(
            status=self.status,
            name=", ".join(f.name for f in files if f.name),
            added_count=sum(f.added_count for f in files),
            updated_count=sum(f.updated_count for f in files),
            skipped_count=sum(f.skipped_count for f in files),
            total_count=sum(f.total_count for f in files),
        )

    def summary(self) -> dict[str, Any]:
        """The ``--json`` shape: id, status and the parent resource's counters."""
        parent = self.resources[0].file if self.resources else FileCounts()
        return {
            "id": self.id,
            "status": self.status,
            "added_count": parent.added_count,
            "updated_count": parent.updated_count,
            "skipped_count": parent.skipped_count,
            "total_count": parent.total_count,
        }


def parse_job(body: Any, request: str = "GET /crm/bulk/v8/write/{id}") -> JobDetails:
    """Parse a Get Job Details body.

    Raises:
        ZohoApiError: ``UNEXPECTED_RESPONSE`` when the body is not a job.
    """
    data = body
    if isinstance(data, Mapping) and isinstance(data.get("data"), list) and data["data"]:
        data = data["data"][0]
    if not isinstance(data, Mapping) or _id(data.get("id")) is None:
        raise ZohoApiError("UNEXPECTED_RESPONSE", 200, "job details without an id", request=request)
    resources = []
    for item in data.get("resource") or ():
        if not isinstance(item, Mapping):
            continue
        module = item.get("module")
        module_name = module.get("api_name") if isinstance(module, Mapping) else module
        raw_file = item.get("file")
        file: Mapping[str, Any] = raw_file if isinstance(raw_file, Mapping) else {}
        resources.append(
            ResourceStatus(
                module=str(module_name or ""),
                status=normalise_status(item.get("status")),
                code=normalise_status(item.get("code")),
                file=FileCounts(
                    status=normalise_status(file.get("status")),
                    name=str(file.get("name") or ""),
                    added_count=_count(file.get("added_count")),
                    updated_count=_count(file.get("updated_count")),
                    skipped_count=_count(file.get("skipped_count")),
                    total_count=_count(file.get("total_count")),
                ),
            )
        )
    result = data.get("result")
    download_url = result.get("download_url") if isinstance(result, Mapping) else None
    created_by = data.get("created_by")
    return JobDetails(
        id=str(_id(data.get("id"))),
        status=normalise_status(data.get("status")),
        operation=str(data.get("operation") or ""),
        created_time=str(data.get("created_time") or ""),
        created_by=str(created_by.get("name") or "") if isinstance(created_by, Mapping) else "",
        download_url=str(download_url) if download_url else None,
        resources=tuple(resources),
    )


def parse_created(body: Any, request: str = "POST /crm/bulk/v8/write") -> str:
    """The job id from a Create Job answer (``details.id``, number or string)."""
    details = body.get("details") if isinstance(body, Mapping) else None
    job_id = _id(details.get("id")) if isinstance(details, Mapping) else None
    if job_id is None:
        raise ZohoApiError("UNEXPECTED_RESPONSE", 201, "job created without an id", request=request)
    return job_id
