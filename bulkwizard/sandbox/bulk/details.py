"""The Get Bulk Write Job Details body (zoho-api.md section 4) of a stored job.

Per resource the job keeps ``{"status", "code", "type", "module", "field_mappings", "file"}``;
``field_mappings`` is the echo Zoho gives: every key present, ``null`` when unset (auto-mapped
resources echo the mapping derived from the header row). ``result.download_url`` appears once
the job is ``COMPLETED`` and points at the sandbox itself.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from bulkwizard.core.job import BulkWriteJob, FieldMapping, Resource
from bulkwizard.sandbox.bulk.model import CsvFile
from bulkwizard.sandbox.bulk.store import ADDED, COMPLETED, JobRecord
from bulkwizard.sandbox.state import SandboxState

JsonObject = dict[str, Any]
MAPPING_KEYS = ("api_name", "index", "format", "find_by", "module", "parent_column_index")


def echo_mapping(mapping: FieldMapping) -> JsonObject:
    """A mapping as job details echo it: all keys, ``null`` when unset."""
    data: JsonObject = {key: getattr(mapping, key) for key in MAPPING_KEYS}
    data["default_value"] = (
        mapping.default_value.to_json() if mapping.default_value is not None else None
    )
    return data


def auto_mappings(headers: Sequence[str]) -> list[FieldMapping]:
    """The mapping Zoho derives from a header row of API names (``Account_Name.id`` included)."""
    result: list[FieldMapping] = []
    for index, header in enumerate(headers):
        name = header.strip()
        if not name:
            continue
        api_name, _, find_by = name.partition(".")
        result.append(FieldMapping(api_name=api_name, index=index, find_by=find_by or None))
    return result


def initial_resources(
    job: BulkWriteJob, state: SandboxState, csvs: Sequence[CsvFile]
) -> list[JsonObject]:
    """The per-resource part of a new job's details (status ``ADDED``)."""
    result: list[JsonObject] = []
    for resource, csv in zip(job.resources, csvs, strict=True):
        mappings = resource.field_mappings
        if mappings is None:
            mappings = auto_mappings(csv.headers)
        result.append(
            {
                "status": ADDED,
                "code": ADDED,
                "type": resource.type or "data",
                "module": _module(resource, state),
                "field_mappings": [echo_mapping(m) for m in mappings],
                "file": {"status": ADDED, "name": csv.name},
            }
        )
    return result


def resource_states(
    resources: list[JsonObject], status: str, csvs: Sequence[CsvFile] | None
) -> list[JsonObject]:
    """Copies of the per-resource states with a new status (and file totals when known)."""
    result: list[JsonObject] = []
    for position, resource in enumerate(resources):
        item = dict(resource)
        item["status"] = status
        item["code"] = status
        file: JsonObject = dict(item.get("file") or {})
        file["status"] = status
        if csvs is not None:
            file["name"] = csvs[position].name
        item["file"] = file
        result.append(item)
    return result


def download_url(state: SandboxState, job_id: str) -> str:
    """Where the result zip is served (Zoho's absolute form, on the sandbox's own host)."""
    return f"{state.base_url}/v8/crm/{state.zgid}/bulk-write/{job_id}/{job_id}.zip"


def job_details(record: JobRecord, state: SandboxState) -> JsonObject:
    """The job details body for ``GET /crm/bulk/v{N}/write/{id}`` and the callback."""
    request = record.request
    data: JsonObject = {
        "id": record.job_id,
        "status": record.status,
        "operation": request.get("operation"),
    }
    if record.status != ADDED and record.character_encoding:
        data["character_encoding"] = record.character_encoding
    if "ignore_empty" in request:
        data["ignore_empty"] = request["ignore_empty"]
    if request.get("callback"):
        data["callback"] = request["callback"]
    data["created_by"] = record.created_by
    data["created_time"] = record.created_time
    if record.status == COMPLETED:
        data["result"] = {"download_url": download_url(state, record.job_id)}
    data["resource"] = record.resources
    return data


def _module(resource: Resource, state: SandboxState) -> JsonObject:
    body = state.module_body(resource.module.api_name) or {}
    return {
        "api_name": resource.module.api_name,
        "id": str(body.get("id") or resource.module.id or ""),
    }
