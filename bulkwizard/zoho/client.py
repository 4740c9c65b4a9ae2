"""``ZohoClient``: every Zoho CRM call bulkwizard makes, for one connection profile. No Qt.

Calls: org, current user, modules, fields, layouts, upload, create job, job details, result
download, records read/search/delete. Transport rules (time-outs, token renewal, retries, typed
errors) are in :mod:`bulkwizard.zoho.http`; job bodies are parsed by :mod:`bulkwizard.zoho.jobs`.

**Job creation is never retried blindly.** ``POST /crm/bulk/v8/write`` is repeated only when the
server provably did not act on it (a 401 ``INVALID_TOKEN``, a 429, a refused connection). After an
ambiguous failure (time-out after sending, 5xx, dropped connection) the client first *checks*: it
lists recent jobs (``GET /crm/bulk/v8/write``, where the server offers it) and returns the job
created from the same ``file_id`` if there is one. Only when the list proves no such job exists is
the create sent again; if the server cannot list jobs, :class:`JobCreationUncertainError` is raised
with the ``file_id`` so the user can check in Zoho instead of creating a duplicate.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any
from urllib.parse import quote, urljoin, urlsplit

import requests

from bulkwizard.core.atomic import atomic_write_bytes
from bulkwizard.core.job import BulkWriteJob
from bulkwizard.storage.profiles import Profile
from bulkwizard.zoho.datacenters import CUSTOM, ZOHO_DOMAIN_SUFFIXES
from bulkwizard.zoho.errors import (
    JobCreationUncertainError,
    ZohoApiError,
    ZohoRateLimitError,
)
from bulkwizard.zoho.http import DEFAULT_TIMEOUT, RetryPolicy, Transport
from bulkwizard.zoho.jobs import JobDetails, parse_created, parse_job
from bulkwizard.zoho.redact import get_logger
from bulkwizard.zoho.tokens import TokenProvider
from bulkwizard.zoho.upload import (
    MultipartFileBody,
    ProgressCallback,
    content_type,
    new_boundary,
)

log = get_logger(__name__)

API_VERSION = "v8"
MAX_UPLOAD_BYTES = 25 * 1024 * 1024


class ZohoClient:
    """Zoho CRM calls for ``profile`` with tokens from ``token_provider``.

    Args:
        profile: endpoints and org of the connection.
        token_provider: hands out access tokens (renewed in memory, never per request).
        session: a ``requests.Session`` to use (tests and the UI inject one).
        timeout: ``(connect, read)`` seconds for every call.
        retry: retry policy for idempotent calls.
        sleep: how to wait between retries and polls (injectable).
    """

    def __init__(
        self,
        profile: Profile,
        token_provider: TokenProvider,
        session: requests.Session | None = None,
        timeout: float | tuple[float, float] = DEFAULT_TIMEOUT,
        retry: RetryPolicy | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.profile = profile
        hosts = {
            urlsplit(url).netloc
            for url in (profile.api_url, profile.upload_url, profile.download_url)
        }
        self.transport = Transport(
            token_provider,
            session=session,
            timeout=timeout,
            retry=retry,
            trusted_hosts=hosts,
            # Zoho's own hosts (a download_url may name another Zoho host, e.g. download-accl);
            # never for custom endpoints, where only the profile's hosts are trusted.
            trusted_suffixes=() if profile.datacentre == CUSTOM else ZOHO_DOMAIN_SUFFIXES,
            sleep=sleep,
        )

    # -- plumbing ---------------------------------------------------------------------------------

    def _api(self, path: str) -> str:
        return f"{self.profile.api_url}/crm/{API_VERSION}{path}"

    def _bulk(self, path: str = "") -> str:
        return f"{self.profile.api_url}/crm/bulk/{API_VERSION}/write{path}"

    def _get_json(self, url: str, params: Mapping[str, Any] | None = None) -> dict[str, Any]:
        response = self.transport.request("GET", url, idempotent=True, params=params)
        return _json(response)

    # -- org and user -----------------------------------------------------------------------------

    def org(self) -> dict[str, Any]:
        """``GET /crm/v8/org``: the org object (``zgid``, ``company_name`` ...)."""
        body = self._get_json(self._api("/org"))
        orgs = body.get("org")
        if not isinstance(orgs, list) or not orgs or not isinstance(orgs[0], dict):
            raise ZohoApiError("UNEXPECTED_RESPONSE", 200, "no org in answer", request="GET /org")
        return orgs[0]

    def current_user(self) -> dict[str, Any]:
        """``GET /crm/v8/users?type=CurrentUser``: the signed-in user."""
        body = self._get_json(self._api("/users"), {"type": "CurrentUser"})
        users = body.get("users")
        if not isinstance(users, list) or not users or not isinstance(users[0], dict):
            raise ZohoApiError(
                "UNEXPECTED_RESPONSE", 200, "no user in answer", request="GET /users"
            )
        return users[0]

    # -- metadata ---------------------------------------------------------------------------------

    def modules_body(self) -> dict[str, Any]:
        """The raw Modules API body ``{"modules": [...]}``."""
        return self._get_json(self._api("/settings/modules"))

    def fields_body(self, module: str) -> dict[str, Any]:
        """The raw Fields API body of ``module`` ``{"fields": [...]}``."""
        return self._get_json(self._api("/settings/fields"), {"module": module})

    def layouts_body(self, module: str) -> dict[str, Any]:
        """The raw Layouts API body of ``module`` ``{"layouts": [...]}``."""
        return self._get_json(self._api("/settings/layouts"), {"module": module})

    # -- upload and jobs --------------------------------------------------------------------------

    def upload(self, zip_path: Path, progress: ProgressCallback | None = None) -> str:
        """Upload a zip for bulk write; return its ``file_id``.

        The body streams from disk; ``progress(sent, total)`` follows it. Retried like an
        idempotent call: a repeated upload only leaves an unused file on Zoho's side.
        """
        size = zip_path.stat().st_size
        if size > MAX_UPLOAD_BYTES:
            raise ZohoApiError(
                "FILE_TOO_LARGE",
                None,
                f"{zip_path.name} is {size / 1048576:.1f} MB; Zoho accepts at most 25 MB per zip. "
                "Split the CSV into several jobs (bulkwizard-cli split).",
                request="POST /crm/v8/upload",
            )
        if not self.profile.org_zgid:
            raise ZohoApiError(
                "NO_ORG", None, "the profile has no org zgid; sign in again", request="upload"
            )
        boundary = new_boundary()
        opened: list[MultipartFileBody] = []

        def factory() -> MultipartFileBody:
            # A streamed body cannot be replayed: each attempt reads a fresh one from disk.
            for old in opened:
                old.close()
            opened.append(MultipartFileBody(zip_path, progress=progress, boundary=boundary))
            return opened[-1]

        headers = {
            "feature": "bulk-write",
            "X-CRM-ORG": self.profile.org_zgid,
            "Content-Type": content_type(boundary),
        }
        try:
            response = self.transport.request(
                "POST",
                f"{self.profile.upload_url}/crm/{API_VERSION}/upload",
                idempotent=True,
                headers=headers,
                body_factory=factory,
            )
        finally:
            for old in opened:
                old.close()
        body_json = _json(response)
        details = body_json.get("details")
        file_id = details.get("file_id") if isinstance(details, dict) else None
        if file_id is None or isinstance(file_id, bool):
            raise ZohoApiError(
                "UNEXPECTED_RESPONSE",
                response.status_code,
                "upload answer without file_id",
                request="POST /crm/v8/upload",
            )
        return str(file_id)

    def create_job(self, job: BulkWriteJob) -> str:
        """Create a bulk write job; return its id. See the module docstring on retries.

        Raises:
            JobCreationUncertainError: the outcome is unknown and cannot be checked.
            ZohoApiError: Zoho refused the job (``INVALID_FILE_ID``, ``MANDATORY_NOT_FOUND`` ...).
        """
        body = job.to_json()
        file_id = next((r.file_id for r in job.resources if r.file_id), "")
        for attempt in range(self.transport.retry.attempts):
            try:
                response = self.transport.request(
                    "POST", self._bulk(), idempotent=False, json=body, ok_statuses=(200, 201)
                )
                return parse_created(_json(response))
            except ZohoRateLimitError as exc:
                # 429 is a refusal: nothing was created, so waiting and repeating is safe.
                if attempt + 1 >= self.transport.retry.attempts:
                    raise
                self.transport.sleep(exc.retry_after or self.transport.retry.delay(attempt))
            except ZohoApiError as exc:
                if not exc.ambiguous:
                    raise
                log.warning("job creation failed ambiguously (%s); checking for the job", exc.code)
                uncertain = JobCreationUncertainError(
                    exc.code,
                    exc.http_status,
                    f"the job may or may not have been created ({exc.message}); check the bulk "
                    "write jobs in Zoho CRM (Setup > Data Administration > Import History) for "
                    f"uploaded file {file_id} before submitting again",
                    request=exc.request,
                    file_id=file_id,
                )
                try:
                    existing = self.find_job_for_file(file_id)
                except ZohoApiError:
                    raise uncertain from None
                if existing is not None:
                    log.info("job %s was created despite the error; using it", existing)
                    return existing
                if not self._can_list_jobs:
                    raise uncertain from None
                # The list proves no job uses the file: sending again cannot duplicate.
                if attempt + 1 >= self.transport.retry.attempts:
                    raise
        raise AssertionError("unreachable")  # pragma: no cover (the loop always returns/raises)

    _can_list_jobs = True

    def find_job_for_file(self, file_id: str) -> str | None:
        """The id of a recent job created from ``file_id``, if the server can list jobs."""
        try:
            response = self.transport.request("GET", self._bulk(), idempotent=True)
        except ZohoApiError as exc:
            if exc.http_status in (400, 404, 405):
                self._can_list_jobs = False
                return None
            raise
        body = _json(response)
        jobs = body.get("data") or body.get("jobs") or []
        for job in jobs if isinstance(jobs, list) else ():
            if not isinstance(job, dict):
                continue
            for resource in job.get("resource") or ():
                if isinstance(resource, dict) and str(resource.get("file_id")) == file_id:
                    return str(job.get("id"))
        return None

    def job(self, job_id: str) -> JobDetails:
        """``GET /crm/bulk/v8/write/{id}`` parsed."""
        # Quoted: an id such as "../../users" must not reach another endpoint with our token.
        segment = quote(str(job_id), safe="")
        return parse_job(
            self._get_json(self._bulk(f"/{segment}")), f"GET /crm/bulk/v8/write/{segment}"
        )

    def wait_for_job(
        self,
        job_id: str,
        *,
        on_update: Callable[[JobDetails], None] | None = None,
        first_delay: float = 0.5,
        max_delay: float = 15.0,
        timeout: float = 3600.0,
    ) -> JobDetails:
        """Poll the job with back-off until it is COMPLETED or FAILED (or ``timeout`` passes)."""
        delay = first_delay
        deadline = time.monotonic() + timeout
        while True:
            details = self.job(job_id)
            if on_update is not None:
                on_update(details)
            if details.finished:
                return details
            if time.monotonic() >= deadline:
                raise ZohoApiError(
                    "TIMEOUT",
                    None,
                    f"job {job_id} still {details.status} after {timeout:.0f}s",
                    request=f"GET /crm/bulk/v8/write/{job_id}",
                )
            self.transport.sleep(delay)
            delay = min(max_delay, delay * 1.5)

    def result_url(self, download_url: str) -> str:
        """An absolute result URL (a relative one is resolved against the download host)."""
        if download_url.startswith(("http://", "https://")):
            return download_url
        return urljoin(self.profile.download_url + "/", download_url.lstrip("/"))

    def download_result(self, download_url: str, destination: Path) -> Path:
        """Stream the result zip to ``destination`` atomically (temp file, fsync, rename)."""
        url = self.result_url(download_url)
        response = self.transport.request("GET", url, idempotent=True, stream=True)
        with atomic_write_bytes(destination) as stream, response:
            for chunk in response.iter_content(chunk_size=64 * 1024):
                stream.write(chunk)
        return destination

    # -- records ----------------------------------------------------------------------------------

    def get_record(self, module: str, record_id: str) -> dict[str, Any] | None:
        """One record by id (``None`` when Zoho answers 204)."""
        response = self.transport.request(
            "GET",
            self._api(f"/{quote(module, safe='')}/{quote(str(record_id), safe='')}"),
            idempotent=True,
        )
        data = _json(response).get("data") if response.status_code != 204 else None
        return data[0] if isinstance(data, list) and data else None

    def list_records(
        self, module: str, fields: list[str], page: int = 1, per_page: int = 200
    ) -> list[dict[str, Any]]:
        """One page of records with the given fields."""
        params = {"fields": ",".join(fields), "page": page, "per_page": per_page}
        response = self.transport.request(
            "GET", self._api(f"/{module}"), idempotent=True, params=params
        )
        return _records(response)

    def search_records(
        self,
        module: str,
        *,
        criteria: str | None = None,
        email: str | None = None,
        word: str | None = None,
    ) -> list[dict[str, Any]]:
        """``GET /crm/v8/{module}/search`` with one of criteria / email / word."""
        params = {
            key: value
            for key, value in (("criteria", criteria), ("email", email), ("word", word))
            if value
        }
        url = self._api(f"/{module}/search")
        response = self.transport.request("GET", url, idempotent=True, params=params)
        return _records(response)

    def delete_records(self, module: str, ids: list[str]) -> list[dict[str, Any]]:
        """Delete records by id (idempotent: deleting twice deletes nothing more)."""
        response = self.transport.request(
            "DELETE", self._api(f"/{module}"), idempotent=True, params={"ids": ",".join(ids)}
        )
        return _records(response)


def _json(response: requests.Response) -> dict[str, Any]:
    if response.status_code == 204 or not response.content:
        return {}
    try:
        body = response.json()
    except ValueError:
        raise ZohoApiError(
            "UNEXPECTED_RESPONSE",
            response.status_code,
            "the answer was not JSON",
            request=f"{response.request.method} {urlsplit(response.url).path}",
        ) from None
    if not isinstance(body, dict):
        raise ZohoApiError("UNEXPECTED_RESPONSE", response.status_code, "expected a JSON object")
    return body


def _records(response: requests.Response) -> list[dict[str, Any]]:
    data = _json(response).get("data")
    return [item for item in data if isinstance(item, dict)] if isinstance(data, list) else []
