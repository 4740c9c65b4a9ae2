"""The bulk-write endpoints end to end over loopback with plain ``requests``: shapes and errors."""

from __future__ import annotations

import io
import json
import logging
import re
import threading
import zipfile
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any

import pytest
import requests

from bulkwizard.sandbox.bulk.api import service_of
from bulkwizard.sandbox.server import SandboxServer
from bulkwizard.sandbox.testing import BulkWriteSession as Bulk
from bulkwizard.sandbox.testing import authorized_session, make_zip

ISO_WITH_OFFSET = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d$")
LEADS_CSV = "Last_Name,Company,Email\nAda,Acme,ada@bulk.test\n,NoName,nobody@bulk.test\n"
LEADS_JOB: dict[str, Any] = {
    "operation": "insert",
    "resource": [{"type": "data", "module": {"api_name": "Leads"}, "file_id": "?"}],
}


@pytest.fixture
def bulk(sandbox: SandboxServer, sandbox_session: requests.Session) -> Bulk:
    return Bulk(sandbox_session, sandbox)


def error_of(response: requests.Response) -> tuple[int, str, dict[str, Any]]:
    body = response.json()
    assert body["status"] == "error"
    assert response.headers["Content-Type"].startswith("application/json")
    return response.status_code, body["code"], body["details"]


# -- upload ---------------------------------------------------------------------------------------


def test_upload_answers_file_upload_success(bulk: Bulk) -> None:
    response = bulk.upload_raw(make_zip({"leads.csv": LEADS_CSV}))
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("application/json")
    body = response.json()
    assert (body["status"], body["code"], body["message"]) == (
        "success",
        "FILE_UPLOAD_SUCCESS",
        "file uploaded.",
    )
    assert re.fullmatch(r"\d{19}", body["details"]["file_id"])
    assert ISO_WITH_OFFSET.match(body["details"]["created_time"])


@pytest.mark.parametrize(
    "headers",
    [
        {"X-CRM-ORG": "700812345"},
        {"feature": "bulk-write"},
        {"feature": "bulk-write", "X-CRM-ORG": "1"},
    ],
)
def test_upload_header_problems_use_the_file_server_shape(
    bulk: Bulk, headers: dict[str, str]
) -> None:
    headers = {
        k: (bulk.sandbox.credentials["zgid"] if v == "700812345" else v) for k, v in headers.items()
    }
    response = bulk.upload_raw(make_zip({"leads.csv": LEADS_CSV}), headers)
    assert response.status_code == 400
    body = response.json()
    assert body["ERROR_CODE"] == 400
    assert "feature, X-CRM-ORG" in body["x-error"]
    assert "status" not in body


def test_upload_refuses_what_is_not_a_zip_of_csv(bulk: Bulk) -> None:
    for data in (b"Last_Name\nAda\n", make_zip({"notes.txt": "hello"})):
        status, code, details = error_of(bulk.upload_raw(data))
        assert (status, code) == (400, "INVALID_FILE_FORMAT")
        assert ISO_WITH_OFFSET.match(details["created_time"])


def test_upload_refuses_files_over_25_mb(bulk: Bulk) -> None:
    big = make_zip({"leads.csv": b"Last_Name\n"})
    big += b"\0" * (25 * 1024 * 1024 + 1 - len(big))
    status, code, _ = error_of(bulk.upload_raw(big))
    assert (status, code) == (413, "FILE_TOO_LARGE")


def test_upload_without_file_part(bulk: Bulk) -> None:
    response = bulk.session.post(
        f"{bulk.base}/crm/v8/upload",
        files={"other": ("a.zip", make_zip({"a.csv": "x"}))},
        headers={"feature": "bulk-write", "X-CRM-ORG": bulk.sandbox.credentials["zgid"]},
        timeout=30,
    )
    assert error_of(response)[:2] == (400, "MANDATORY_NOT_FOUND")


@pytest.mark.parametrize("method", ["GET", "PUT", "DELETE"])
def test_upload_with_another_method_is_invalid_request_method(bulk: Bulk, method: str) -> None:
    # Not INVALID_MODULE: "upload" is not read as a module name of the records API.
    response = bulk.session.request(method, f"{bulk.base}/crm/v8/upload", timeout=30)
    assert error_of(response)[:2] == (400, "INVALID_REQUEST_METHOD")


def test_upload_and_create_need_token_and_scopes(sandbox: SandboxServer) -> None:
    data = make_zip({"leads.csv": LEADS_CSV})
    anonymous = requests.post(
        f"{sandbox.base_url}/crm/v8/upload", files={"file": ("a.zip", data)}, timeout=30
    )
    assert error_of(anonymous)[:2] == (401, "INVALID_TOKEN")
    with authorized_session(sandbox, scopes=["ZohoCRM.modules.ALL"]) as session:
        narrow = Bulk(session, sandbox)
        assert error_of(narrow.upload_raw(data))[:2] == (401, "OAUTH_SCOPE_MISMATCH")
        assert error_of(narrow.create_raw(LEADS_JOB))[:2] == (401, "OAUTH_SCOPE_MISMATCH")
        assert error_of(session.get(f"{sandbox.base_url}/crm/bulk/v8/write/1", timeout=30))[:2] == (
            401,
            "OAUTH_SCOPE_MISMATCH",
        )
    # bulk scope without module scope: the module-specific check of Create Job
    scopes = ["ZohoCRM.bulk.ALL", "ZohoFiles.files.ALL", "ZohoCRM.modules.deals.ALL"]
    with authorized_session(sandbox, scopes=scopes) as session:
        narrow = Bulk(session, sandbox)
        file_id = narrow.upload({"leads.csv": LEADS_CSV})
        job = json.loads(json.dumps(LEADS_JOB))
        job["resource"][0]["file_id"] = file_id
        assert error_of(narrow.create_raw(job))[:2] == (401, "OAUTH_SCOPE_MISMATCH")


# -- create job -----------------------------------------------------------------------------------


def test_create_job_answers_201_and_charges_500_credits(bulk: Bulk) -> None:
    file_id = bulk.upload({"leads.csv": LEADS_CSV})
    credits = bulk.sandbox.state
    assert credits is not None
    before = credits.credits.remaining()
    job = json.loads(json.dumps(LEADS_JOB))
    job["resource"][0]["file_id"] = file_id
    response = bulk.create_raw(job)
    assert response.status_code == 201
    assert response.headers["Content-Type"].startswith("application/json")
    body = response.json()
    assert (body["status"], body["code"], body["message"]) == ("success", "SUCCESS", "success")
    assert re.fullmatch(r"\d{19}", body["details"]["id"])
    assert body["details"]["created_by"] == {"id": "4876876000000411001", "name": "Patricia Boyle"}
    assert before - credits.credits.remaining() == 500


def _job_with(file_id: str, **changes: Any) -> dict[str, Any]:
    job = json.loads(json.dumps(LEADS_JOB))
    job["resource"][0]["file_id"] = file_id
    job["resource"][0].update(changes)
    return job


def test_create_job_errors_in_zoho_shape(bulk: Bulk) -> None:
    file_id = bulk.upload({"leads.csv": LEADS_CSV})
    cases: list[tuple[Any, str, str]] = [
        (
            {**_job_with(file_id), "operation": "update"},
            "MANDATORY_NOT_FOUND",
            "$.resource[0].find_by",
        ),
        (_job_with("4876876999999999999"), "INVALID_FILE_ID", "$.resource[0].file_id"),
        (
            _job_with(file_id, file_names=["other.csv"]),
            "INVALID_DATA",
            "$.resource[0].file_names[0]",
        ),
        (
            _job_with(
                file_id,
                field_mappings=[
                    {"api_name": "Last_Name", "index": 0},
                    {"api_name": "Nope", "index": 1},
                ],
            ),
            "INVALID_FIELD",
            "$.resource[0].field_mappings[1].api_name",
        ),
        (
            _job_with(
                file_id,
                field_mappings=[
                    {"api_name": "Last_Name", "index": 0},
                    {"api_name": "Company", "index": 9},
                ],
            ),
            "COLUMN_INDEX_NOT_FOUND",
            "$.resource[0].field_mappings[1].index",
        ),
        (
            _job_with(file_id, field_mappings=[{"api_name": "Last_Name", "index": 0}]),
            "MANDATORY_FIELDS_NOT_MAPPED",
            "$.resource[0].field_mappings",
        ),
        (
            _job_with(file_id, module={"api_name": "Nowhere"}),
            "MODULE_NOT_AVAILABLE",
            "$.resource[0].module",
        ),
        (
            {**_job_with(file_id), "resource": [{**_job_with(file_id)["resource"][0], "bogus": 1}]},
            "INVALID_DATA",
            "$.resource[0].bogus",
        ),
        ([1, 2], "INVALID_DATA", "$"),
    ]
    for body, code, path in cases:
        response = bulk.create_raw(body)
        status, got_code, details = error_of(response)
        assert (status, got_code) == (400, code), (body, response.text)
        assert details["json_path"].startswith(path), (code, details)


def test_create_job_format_and_callback_errors(bulk: Bulk) -> None:
    file_id = bulk.upload(
        {"leads.csv": "Last_Name,Company,Preferred_Call_Date\nAda,A,2024/01/31\n"}
    )
    mappings = [
        {"api_name": "Last_Name", "index": 0},
        {"api_name": "Company", "index": 1},
        {"api_name": "Preferred_Call_Date", "index": 2, "format": "yyyy/QQ/dd"},
    ]
    status, code, _ = error_of(bulk.create_raw(_job_with(file_id, field_mappings=mappings)))
    assert (status, code) == (400, "INVALID_FORMAT")
    job = {**_job_with(file_id), "callback": {"url": "http://127.0.0.1:9/cb", "method": "get"}}
    assert error_of(bulk.create_raw(job))[:2] == (400, "INVALID_CALLBACK_METHOD")


def test_create_job_reads_an_unreadable_body_as_invalid_data(bulk: Bulk) -> None:
    response = bulk.session.post(
        f"{bulk.base}/crm/bulk/v8/write",
        data=b"{not json",
        headers={"Content-Type": "application/json"},
        timeout=30,
    )
    assert error_of(response)[:2] == (400, "INVALID_DATA")


def test_create_job_enforces_file_limits(bulk: Bulk) -> None:
    two = bulk.upload({"a.csv": LEADS_CSV, "b.csv": LEADS_CSV})
    assert error_of(bulk.create_raw(_job_with(two)))[:2] == (400, "FILE_NOT_SUPPORTED")
    assert error_of(bulk.create_raw(_job_with(two, file_names=["a.csv"])))[:2] == (
        400,
        "FILE_NOT_SUPPORTED",
    )
    wide = ",".join(f"C{i}" for i in range(201))
    wide_id = bulk.upload({"wide.csv": f"{wide}\n" + ",".join("x" * 201) + "\n"})
    assert error_of(bulk.create_raw(_job_with(wide_id)))[:2] == (400, "HEADER_LIMIT_EXCEEDED")
    rows = "".join(f"L{i},C\n" for i in range(25_001))
    long_id = bulk.upload({"long.csv": "Last_Name,Company\n" + rows})
    status, code, details = error_of(bulk.create_raw(_job_with(long_id)))
    assert (status, code, details["json_path"]) == (400, "LIMIT_EXCEEDED", "$.resource[0].file_id")


# -- job details, download, callback -------------------------------------------------------------


def test_job_details_move_from_added_to_completed(bulk: Bulk) -> None:
    worker = service_of(bulk.sandbox.state).worker  # type: ignore[arg-type]
    worker.pause()
    file_id = bulk.upload({"leads.csv": LEADS_CSV})
    job = _job_with(
        file_id,
        field_mappings=[
            {"api_name": "Last_Name", "index": 0},
            {"api_name": "Company", "index": 1},
            {"api_name": "Lead_Source", "default_value": {"value": "Partner"}},
        ],
    )
    job_id = bulk.create(job, file_id)
    details = bulk.wait(job_id, ("IN PROGRESS",))
    assert details["status"] == "IN PROGRESS"
    assert "result" not in details
    [resource] = details["resource"]
    assert resource["module"] == {"api_name": "Leads", "id": "4876876000000002175"}
    assert resource["field_mappings"][2] == {
        "api_name": "Lead_Source",
        "index": None,
        "format": None,
        "find_by": None,
        "module": None,
        "parent_column_index": None,
        "default_value": {"value": "Partner"},
    }
    worker.resume()
    details = bulk.wait(job_id)
    assert details["status"] == "COMPLETED"
    assert details["id"] == job_id and details["operation"] == "insert"
    assert ISO_WITH_OFFSET.match(details["created_time"])
    assert details["created_by"]["id"] == "4876876000000411001"
    url = details["result"]["download_url"]
    assert (
        url
        == f"{bulk.base}/v8/crm/{bulk.sandbox.credentials['zgid']}/bulk-write/{job_id}/{job_id}.zip"
    )
    assert details["resource"][0]["file"] == {
        "status": "COMPLETED",
        "name": "leads.csv",
        "added_count": 1,
        "skipped_count": 1,
        "updated_count": 0,
        "total_count": 2,
    }


def test_unknown_job_is_resource_not_found(bulk: Bulk) -> None:
    for job_id in ("4876876999999999999", "abc"):
        response = bulk.session.get(f"{bulk.base}/crm/bulk/v8/write/{job_id}", timeout=30)
        assert error_of(response)[:2] == (404, "RESOURCE_NOT_FOUND")


def test_result_download(bulk: Bulk) -> None:
    file_id = bulk.upload({"leads.csv": LEADS_CSV})
    details = bulk.wait(bulk.create(LEADS_JOB, file_id))
    url = details["result"]["download_url"]
    response = bulk.session.get(url, timeout=30)
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/zip"
    assert response.headers["Content-Disposition"] == f'attachment; filename="{details["id"]}.zip"'
    with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
        assert archive.namelist() == ["Leads-leads.csv"]
        lines = archive.read("Leads-leads.csv").decode().splitlines()
    assert lines[0] == "Last_Name,Company,Email,STATUS,RECORD_ID,ERRORS"
    assert re.fullmatch(r"Ada,Acme,ada@bulk.test,ADDED,\d{19},", lines[1])
    assert lines[2] == ",NoName,nobody@bulk.test,SKIPPED,,MANDATORY_NOT_FOUND-Last_Name"
    assert requests.get(url, timeout=30).status_code == 401  # the token is required
    missing = bulk.session.get(url.replace(details["id"], "4876876999999999999"), timeout=30)
    assert missing.status_code == 404
    assert missing.json()["x-info"] == "Link not valid"


def test_fault_hooks_fail_job_and_truncate_result(
    make_sandbox: Callable[..., SandboxServer], tmp_path: Any
) -> None:
    failing = make_sandbox(data_dir=tmp_path / "failing", faults="fail_job=1")
    with authorized_session(failing) as session:
        bulk = Bulk(session, failing)
        details = bulk.wait(bulk.create(LEADS_JOB, bulk.upload({"leads.csv": LEADS_CSV})))
        assert details["status"] == "FAILED"
        assert "result" not in details
        assert details["resource"][0]["status"] == "FAILED"
    truncating = make_sandbox(data_dir=tmp_path / "truncating", faults="truncate_result=1")
    with authorized_session(truncating) as session:
        bulk = Bulk(session, truncating)
        details = bulk.wait(bulk.create(LEADS_JOB, bulk.upload({"leads.csv": LEADS_CSV})))
        assert details["status"] == "COMPLETED"
        data = session.get(details["result"]["download_url"], timeout=30).content
        with pytest.raises(zipfile.BadZipFile):
            zipfile.ZipFile(io.BytesIO(data)).testzip()


class _Receiver(BaseHTTPRequestHandler):
    bodies: list[dict[str, Any]] = []
    received = threading.Event()

    def do_POST(self) -> None:  # noqa: N802 (stdlib naming)
        length = int(self.headers["Content-Length"])
        _Receiver.bodies.append(json.loads(self.rfile.read(length)))
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()
        _Receiver.received.set()

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        pass


@pytest.fixture
def receiver() -> Iterator[str]:
    _Receiver.bodies = []
    _Receiver.received = threading.Event()
    server = HTTPServer(("127.0.0.1", 0), _Receiver)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/zoho/done?secret=1"
    server.shutdown()
    server.server_close()


def test_callback_posts_job_details_to_loopback(bulk: Bulk, receiver: str) -> None:
    file_id = bulk.upload({"leads.csv": LEADS_CSV})
    job = {**_job_with(file_id), "callback": {"url": receiver, "method": "post"}}
    response = bulk.create_raw(job)
    assert response.status_code == 201
    job_id = response.json()["details"]["id"]
    assert _Receiver.received.wait(timeout=30)
    [body] = _Receiver.bodies
    assert body == bulk.details(job_id)
    assert body["status"] == "COMPLETED"
    assert body["callback"] == {"url": receiver, "method": "post"}


def test_callback_to_other_hosts_is_refused(bulk: Bulk, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING, logger="bulkwizard.sandbox.bulk.callback")
    file_id = bulk.upload({"leads.csv": LEADS_CSV})
    job = {
        **_job_with(file_id),
        "callback": {"url": "https://example.org/cb?token=s3cret", "method": "post"},
    }
    details = bulk.wait(bulk.create(job, file_id))
    assert details["status"] == "COMPLETED"
    messages = [record.getMessage() for record in caplog.records]
    assert any("https://example.org/cb refused" in message for message in messages)
    assert not any("s3cret" in message for message in messages)
