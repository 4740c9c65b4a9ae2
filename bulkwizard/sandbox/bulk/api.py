"""The sandbox's Bulk Write endpoints (zoho-api.md sections 2 to 5).

* ``POST /crm/v{N}/upload``: a zip (multipart field ``file``), with ``feature: bulk-write`` and
  ``X-CRM-ORG: <zgid>``; answers ``FILE_UPLOAD_SUCCESS`` with a numeric-string ``file_id``.
* ``POST /crm/bulk/v{N}/write``: create a job (500 credits); checks in
  :mod:`bulkwizard.sandbox.bulk.create`; 201 with ``details.id`` and ``created_by``.
* ``GET /crm/bulk/v{N}/write/{id}``: job details (:mod:`bulkwizard.sandbox.bulk.details`).
* ``GET /v{N}/crm/{org}/bulk-write/{id}/{id}.zip``: the result zip, the ``download_url`` form of
  Zoho's absolute samples, served on the sandbox's own host.

:func:`register` also hooks the job workers (:mod:`bulkwizard.sandbox.bulk.worker`) into the
state's start and stop; :func:`service_of` gives tests the running :class:`BulkService`.
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any

from bulkwizard.sandbox.bulk.create import prepare_job
from bulkwizard.sandbox.bulk.details import initial_resources, job_details
from bulkwizard.sandbox.bulk.files import MAX_ZIP_BYTES, ZipProblem, check_zip
from bulkwizard.sandbox.bulk.store import ADDED, COMPLETED, BulkStore, JobRecord, Upload
from bulkwizard.sandbox.bulk.worker import BulkWorker
from bulkwizard.sandbox.http import VERSION, ApiError, HttpError, Request, Response, Router
from bulkwizard.sandbox.state import SandboxState

BULK_SCOPE = "ZohoCRM.bulk.CREATE|ZohoCRM.bulk.ALL"
UPLOAD_SCOPE = "ZohoFiles.files.ALL"
JOB_CREDITS = 500
_HEADER_ERROR = "check if headers [feature, X-CRM-ORG] are present and valid"

_services: weakref.WeakKeyDictionary[SandboxState, BulkService] = weakref.WeakKeyDictionary()


@dataclass
class BulkService:
    """The bulk-write part of one running sandbox: its tables and its workers."""

    state: SandboxState
    store: BulkStore
    worker: BulkWorker


def service_of(state: SandboxState) -> BulkService:
    """The bulk service registered on ``state`` (tests pause/resume its worker)."""
    return _services[state]


def register(router: Router, state: SandboxState) -> None:
    """Add the bulk-write routes and start/stop the job workers with the server."""
    store = BulkStore(state.db)
    service = BulkService(state, store, BulkWorker(state, store))
    _services[state] = service
    state.on_start(service.worker.start)
    state.on_stop(service.worker.stop)
    handlers = _Handlers(service)
    router.add("POST", rf"/crm/{VERSION}/upload", handlers.upload, scopes=(UPLOAD_SCOPE,))
    for method in ("GET", "PUT", "PATCH", "DELETE"):
        # Claimed here, before the records API's /crm/v8/{module} routes read "upload" as a
        # module name: Zoho answers a wrong method on upload with INVALID_REQUEST_METHOD.
        router.add(method, rf"/crm/{VERSION}/upload", _wrong_method, scopes=(UPLOAD_SCOPE,))
    router.add(
        "POST", rf"/crm/bulk/{VERSION}/write", handlers.create, scopes=(BULK_SCOPE,),
        credits=JOB_CREDITS,
    )  # fmt: skip
    router.add(
        "GET", rf"/crm/bulk/{VERSION}/write/(?P<job_id>[^/]+)", handlers.details,
        scopes=(BULK_SCOPE,),
    )  # fmt: skip
    router.add(
        "GET",
        rf"/{VERSION}/crm/(?P<org>[^/]+)/bulk-write/(?P<job_id>[^/]+)/(?P<name>[^/]+)\.zip",
        handlers.download,
    )


def _wrong_method(request: Request) -> Response:
    raise ApiError(400, "INVALID_REQUEST_METHOD", "The http request method type is not a valid one")


class _Handlers:
    """The endpoint functions, bound to one sandbox."""

    def __init__(self, service: BulkService) -> None:
        self.service = service
        self.state = service.state
        self.store = service.store

    # -- upload ----------------------------------------------------------------------------------

    def upload(self, request: Request) -> Response:
        headers = request.headers
        if headers.get("feature") != "bulk-write" or headers.get("X-CRM-ORG") != self.state.zgid:
            # Header problems come from the file server, in its own shape (zoho-api.md section 2).
            body = {"ERROR_CODE": 400, "ERROR_MESSAGE": "Bad Request", "x-error": _HEADER_ERROR}
            raise HttpError(Response.json(body, 400))
        now = self.state.now_iso()
        if len(request.body) > MAX_ZIP_BYTES + 64 * 1024:  # multipart overhead aside
            raise ApiError(
                413, "FILE_TOO_LARGE", "File size too large to process", {"created_time": now}
            )
        part = request.files().get("file")
        if part is None:
            raise ApiError(
                400,
                "MANDATORY_NOT_FOUND",
                "required form field file is not available (multipart/form-data, a zip)",
                {"api_name": "file"},
            )
        if len(part.data) > MAX_ZIP_BYTES:
            raise ApiError(
                413, "FILE_TOO_LARGE", "File size too large to process", {"created_time": now}
            )
        try:
            summary = check_zip(part.data)
        except ZipProblem as exc:
            raise ApiError(
                400,
                "INVALID_FILE_FORMAT",
                "invalid file format. only zip format is supported",
                {"created_time": now, "reason": str(exc)},
            ) from None
        file_id = self.state.new_id()
        target = self.state.files_dir / f"{file_id}.zip"
        target.write_bytes(part.data)
        user = request.user or self.state.user
        self.store.add_upload(
            Upload(
                file_id=file_id,
                file_name=PurePosixPath(part.filename or "upload.zip").name,
                path=target.name,
                size=len(part.data),
                csv_names=summary.csv_names,
                created_time=now,
                created_by=str(user["id"]),
            )
        )
        return Response.json(
            {
                "status": "success",
                "code": "FILE_UPLOAD_SUCCESS",
                "message": "file uploaded.",
                "details": {"file_id": file_id, "created_time": now},
            }
        )

    # -- jobs ------------------------------------------------------------------------------------

    def create(self, request: Request) -> Response:
        job, csvs = prepare_job(request.json(), self.state, self.store)
        for resource in job.resources:
            scope = self.state.module_scope(resource.module.api_name)
            request.require_scope(f"ZohoCRM.modules.{scope}.CREATE")
        user = request.user or self.state.user
        created_by = {"id": str(user["id"]), "name": user.get("full_name")}
        job_id = self.state.new_id()
        self.store.add_job(
            JobRecord(
                job_id=job_id,
                status=ADDED,
                request=job.to_json(),
                created_by=created_by,
                created_time=self.state.now_iso(),
                character_encoding=job.character_encoding,
                resources=initial_resources(job, self.state, csvs),
            )
        )
        self.service.worker.submit(job_id)
        return Response.json(
            {
                "status": "success",
                "code": "SUCCESS",
                "message": "success",
                "details": {"id": job_id, "created_by": created_by},
            },
            201,
        )

    def details(self, request: Request) -> Response:
        record = self._job(request.params["job_id"])
        return Response.json(job_details(record, self.state))

    def _job(self, job_id: str) -> JobRecord:
        record = self.store.job(job_id) if job_id.isdigit() else None
        if record is None:
            raise ApiError(404, "RESOURCE_NOT_FOUND", "The requested resource doesn't exist.", {})
        return record

    # -- results ---------------------------------------------------------------------------------

    def download(self, request: Request) -> Response:
        params = request.params
        org = params["org"]
        job_id = params["job_id"]
        known_org = org in (self.state.zgid, self.state.org.get("domain_name"))
        record = self.store.job(job_id) if job_id.isdigit() and known_org else None
        data = self.store.result(job_id) if record is not None else None
        if record is None or record.status != COMPLETED or data is None or params["name"] != job_id:
            raise HttpError(Response.json(_link_not_valid(), 404))
        return Response.file(data, f"{job_id}.zip", "application/zip")


def _link_not_valid() -> dict[str, Any]:
    """The download server's error shape (zoho-api.md section 5)."""
    return {
        "ERROR_CODE": 404,
        "ERROR_MESSAGE": "Not Found",
        "info": "Forbidden",
        "x-info": "Link not valid",
    }
