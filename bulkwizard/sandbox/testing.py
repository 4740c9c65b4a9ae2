"""Helpers for tests (and scripts) that talk to a sandbox: a signed-in ``requests`` session.

pytest fixtures in any test folder can be a few lines on top of these::

    @pytest.fixture
    def sandbox(tmp_path):
        with SandboxServer(data_dir=tmp_path / "sandbox", port=0) as server:
            yield server

    @pytest.fixture
    def sandbox_session(sandbox):
        with authorized_session(sandbox) as session:
            yield session
"""

from __future__ import annotations

import csv
import io
import json
import time
import zipfile
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

import requests

from bulkwizard.sandbox.server import SandboxServer


def access_token(sandbox: SandboxServer, scopes: list[str] | None = None) -> str:
    """A fresh access token: from the demo refresh token, or from a grant code for ``scopes``."""
    creds = sandbox.credentials
    data: dict[str, Any] = {
        "client_id": creds["client_id"],
        "client_secret": creds["client_secret"],
    }
    if scopes is None:
        data.update(grant_type="refresh_token", refresh_token=creds["refresh_token"])
    else:
        data.update(grant_type="authorization_code", code=sandbox.mint_grant_code(scopes))
    response = requests.post(f"{sandbox.base_url}/oauth/v2/token", data=data, timeout=10)
    body = response.json()
    if "access_token" not in body:
        raise RuntimeError(f"sandbox refused a token: {body}")
    return str(body["access_token"])


@contextmanager
def authorized_session(
    sandbox: SandboxServer, scopes: list[str] | None = None
) -> Iterator[requests.Session]:
    """A session sending ``Authorization: Zoho-oauthtoken <token>``; ``session.base_url`` is set."""
    session = requests.Session()
    session.headers["Authorization"] = f"Zoho-oauthtoken {access_token(sandbox, scopes)}"
    session.base_url = sandbox.base_url  # type: ignore[attr-defined]
    try:
        yield session
    finally:
        session.close()


def make_zip(files: Mapping[str, str | bytes]) -> bytes:
    """A zip holding ``files`` (name -> content), as an upload expects."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in files.items():
            archive.writestr(name, content)
    return buffer.getvalue()


class BulkWriteSession:
    """A minimal Bulk Write client on a signed-in session: upload, create, poll, results, records.

    Deliberately plain ``requests`` calls (not :mod:`bulkwizard.zoho`), so sandbox tests check the
    wire format itself. Every call asserts the documented success status.
    """

    def __init__(self, session: requests.Session, sandbox: SandboxServer) -> None:
        self.session = session
        self.sandbox = sandbox
        self.base = sandbox.base_url

    def upload_raw(self, data: bytes, headers: dict[str, str] | None = None) -> requests.Response:
        if headers is None:
            headers = {"feature": "bulk-write", "X-CRM-ORG": self.sandbox.credentials["zgid"]}
        return self.session.post(
            f"{self.base}/crm/v8/upload",
            files={"file": ("data.zip", data, "application/zip")},
            headers=headers,
            timeout=30,
        )

    def upload(self, files: Mapping[str, str | bytes]) -> str:
        response = self.upload_raw(make_zip(files))
        assert response.status_code == 200, response.text
        return str(response.json()["details"]["file_id"])

    def create_raw(self, job: Any) -> requests.Response:
        return self.session.post(f"{self.base}/crm/bulk/v8/write", json=job, timeout=30)

    def create(self, job: dict[str, Any], file_id: str) -> str:
        """Create ``job`` with ``file_id`` on every resource; return the job id."""
        job = json.loads(json.dumps(job))
        for resource in job["resource"]:
            resource["file_id"] = file_id
        response = self.create_raw(job)
        assert response.status_code == 201, response.text
        return str(response.json()["details"]["id"])

    def submit(self, job: dict[str, Any], files: Mapping[str, str | bytes]) -> str:
        """Upload ``files`` as one zip and create ``job`` on it; return the job id."""
        return self.create(job, self.upload(files))

    def details(self, job_id: str) -> dict[str, Any]:
        response = self.session.get(f"{self.base}/crm/bulk/v8/write/{job_id}", timeout=30)
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body

    def wait(
        self, job_id: str, statuses: tuple[str, ...] = ("COMPLETED", "FAILED")
    ) -> dict[str, Any]:
        """Poll until the job reaches one of ``statuses`` (or 60 s pass); return its details."""
        deadline = time.monotonic() + 60
        while True:
            details = self.details(job_id)
            if details["status"] in statuses or time.monotonic() > deadline:
                return details
            time.sleep(0.05)

    def run(
        self, job: dict[str, Any], files: Mapping[str, str | bytes]
    ) -> tuple[dict[str, Any], dict[str, list[dict[str, str]]]]:
        """Submit, wait for COMPLETED, and read every result CSV as a list of dicts."""
        details = self.wait(self.submit(job, files))
        assert details["status"] == "COMPLETED", details
        response = self.session.get(details["result"]["download_url"], timeout=30)
        tables = {}
        with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
            for name in archive.namelist():
                text = archive.read(name).decode("utf-8")
                tables[name] = list(csv.DictReader(io.StringIO(text)))
        return details, tables

    def record(self, module: str, record_id: str) -> dict[str, Any]:
        response = self.session.get(f"{self.base}/crm/v8/{module}/{record_id}", timeout=30)
        assert response.status_code == 200, response.text
        record: dict[str, Any] = response.json()["data"][0]
        return record

    def insert(self, module: str, values: dict[str, Any]) -> str:
        """Set up an existing record directly in the store."""
        assert self.sandbox.state is not None
        return self.sandbox.state.records.insert(module, values)
