"""The server itself: ports, routing, threads, persistence across restarts, request parsing."""

from __future__ import annotations

import json
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import requests
from requests.structures import CaseInsensitiveDict

from bulkwizard.sandbox.http import ApiError, Request, Response, Router
from bulkwizard.sandbox.server import SandboxServer
from bulkwizard.sandbox.testing import access_token, authorized_session


def test_port_zero_picks_a_free_port_and_credentials_follow(sandbox: SandboxServer) -> None:
    assert sandbox.port > 0
    assert sandbox.base_url == f"http://127.0.0.1:{sandbox.port}"
    creds = sandbox.credentials
    for key in ("accounts_url", "api_domain", "upload_url"):
        assert creds[key] == sandbox.base_url
    assert creds["zgid"] == "700812345"
    assert creds["client_id"].startswith("1000.") and len(creds["client_id"]) == 35
    assert (sandbox.credentials_path.stat().st_mode & 0o777) == 0o600


def test_any_version_segment(sandbox_session: requests.Session) -> None:
    for version in ("v2", "v2.1", "v3", "v8", "v10"):
        response = sandbox_session.get(
            f"{sandbox_session.base_url}/crm/{version}/org",  # type: ignore[attr-defined]
            timeout=10,
        )
        assert response.status_code == 200, version


def test_parallel_requests(sandbox: SandboxServer) -> None:
    token = access_token(sandbox)
    headers = {"Authorization": f"Zoho-oauthtoken {token}"}

    def call(n: int) -> int:
        path = "/crm/v8/Leads/search" if n % 2 else "/crm/v8/settings/fields"
        params = {"criteria": "(Email:equals:lead001@example-leads.com)", "module": "Leads"}
        url = f"{sandbox.base_url}{path}"
        return requests.get(url, params=params, headers=headers, timeout=10).status_code

    with ThreadPoolExecutor(max_workers=8) as pool:
        assert set(pool.map(call, range(40))) == {200}


def test_state_survives_restart(make_sandbox: Callable[..., SandboxServer], tmp_path: Path) -> None:
    first = make_sandbox(port=0)
    creds = first.credentials
    token = access_token(first)
    with authorized_session(first) as session:
        lead = session.get(
            f"{first.base_url}/crm/v8/Leads/search",
            params={"email": "lead001@example-leads.com"},
            timeout=10,
        ).json()["data"][0]
    assert first.state is not None
    new_id = first.state.records.insert("Accounts", {"Account_Name": "Persisted Ltd"})
    first.stop()

    second = make_sandbox(port=0)
    assert second.state is not None
    assert second.credentials["client_id"] == creds["client_id"]
    assert second.credentials["refresh_token"] == creds["refresh_token"]
    assert second.credentials["api_domain"] == second.base_url
    assert second.state.records.count("Leads") == 150  # seeded once, not again
    assert second.state.records.get("Accounts", new_id)["Account_Name"] == "Persisted Ltd"  # type: ignore[index]
    headers = {"Authorization": f"Zoho-oauthtoken {token}"}  # tokens survive too
    again = requests.get(
        f"{second.base_url}/crm/v8/Leads/{lead['id']}", headers=headers, timeout=10
    )
    assert again.json()["data"][0]["Email"] == "lead001@example-leads.com"
    later_id = second.state.records.insert("Accounts", {"Account_Name": "Later Ltd"})
    assert int(later_id) > int(new_id)


def test_stopped_server_refuses_connections(tmp_path: Path) -> None:
    server = SandboxServer(tmp_path / "s", port=0).start()
    session = requests.Session()
    url = f"{server.base_url}/oauth/v2/token"
    assert session.post(url, data={"grant_type": "x"}, timeout=10).status_code == 200
    server.stop()
    with pytest.raises(requests.ConnectionError):
        session.post(url, data={"grant_type": "x"}, timeout=10)
    server.stop()  # idempotent
    with pytest.raises(RuntimeError):
        _ = server.base_url


def test_handler_crash_is_internal_error(sandbox: SandboxServer) -> None:
    def boom(request: Request) -> Response:
        raise ValueError("bug")

    assert sandbox.state is not None
    # Reach the live router through the dispatcher to add a broken route for this test only.
    router: Router = sandbox._httpd.dispatcher.router  # type: ignore[union-attr]
    router.add("GET", r"/crash", boom, auth=False)
    response = requests.get(f"{sandbox.base_url}/crash", timeout=10)
    assert response.status_code == 500 and response.json()["code"] == "INTERNAL_ERROR"


def make_request(body: bytes, content_type: str, query: str = "") -> Request:
    headers: CaseInsensitiveDict[str] = CaseInsensitiveDict({"content-type": content_type})
    return Request("POST", "/crm/v8/upload", query, headers, body)


def test_request_parsing() -> None:
    boundary = "XyZ"
    body = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="Leads.zip"\r\n'
            "Content-Type: application/zip\r\n\r\n"
        ).encode()
        + b"PK\x03\x04\x00\xff"
        + f"\r\n--{boundary}--\r\n".encode()
    )
    request = make_request(body, f"multipart/form-data; boundary={boundary}", "a=1&a=2&b=")
    upload = request.files()["file"]
    assert (upload.filename, upload.content_type, upload.data) == (
        "Leads.zip",
        "application/zip",
        b"PK\x03\x04\x00\xff",
    )
    assert request.headers["Content-Type"].startswith("multipart/")
    assert request.query == {"a": "1", "b": ""}
    assert request.query_all == [("a", "1"), ("a", "2"), ("b", "")]
    assert request.version == "v8"
    assert make_request(b"x=1&y=%20", "application/x-www-form-urlencoded").form() == {
        "x": "1",
        "y": " ",
    }
    assert make_request(b'{"a": [1]}', "application/json").json() == {"a": [1]}
    with pytest.raises(ApiError) as bad:
        make_request(b"{nope", "application/json").json()
    assert bad.value.response.status == 400
    assert json.loads(bad.value.response.body)["code"] == "INVALID_DATA"


def test_file_response_headers() -> None:
    response = Response.file(b"PK", "123.zip")
    assert response.headers == {
        "Content-Type": "application/zip",
        "Content-Disposition": 'attachment; filename="123.zip"',
    }


def test_request_log_redacts_secrets(
    sandbox: SandboxServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level("DEBUG", logger="bulkwizard.sandbox.server")
    requests.post(f"{sandbox.base_url}/oauth/v2/token/revoke?token=1000.secret.value", timeout=10)
    lines = [r.getMessage() for r in caplog.records if "revoke" in r.getMessage()]
    assert lines and all("1000.secret" not in line and "token=***" in line for line in lines)


def test_chunked_body_and_latency(make_sandbox: Callable[..., SandboxServer]) -> None:
    sandbox = make_sandbox(latency_ms=5)
    creds = sandbox.credentials
    form = (
        f"grant_type=refresh_token&client_id={creds['client_id']}"
        f"&client_secret={creds['client_secret']}&refresh_token={creds['refresh_token']}"
    )
    # A generator body makes requests send it with Transfer-Encoding: chunked.
    response = requests.post(
        f"{sandbox.base_url}/oauth/v2/token",
        data=(part.encode() for part in form.split("&", 1)[:1] + ["&" + form.split("&", 1)[1]]),
        headers={"Content-Type": "application/x-www-form-urlencoded"},
        timeout=10,
    )
    token = response.json()["access_token"]
    org = requests.get(
        f"{sandbox.base_url}/crm/v8/org",
        headers={"Authorization": f"Zoho-oauthtoken {token}"},
        timeout=10,
    )
    assert org.status_code == 200


def test_sandbox_never_imports_qt() -> None:
    import subprocess
    import sys

    code = (
        "import sys, bulkwizard.sandbox.server, bulkwizard.commands.sandbox; "
        "print('PySide6' in sys.modules)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "False"


def test_failed_start_cleans_up(tmp_path: Path) -> None:
    data = tmp_path / "s"
    (data / "credentials.json").mkdir(parents=True)  # cannot be written as a file
    server = SandboxServer(data, port=0)
    with pytest.raises(OSError):
        server.start()
    assert server.state is None
    (data / "credentials.json").rmdir()
    with SandboxServer(data, port=0) as again:
        assert again.credentials["zgid"] == "700812345"


def test_one_sandbox_per_data_folder(sandbox: SandboxServer) -> None:
    from bulkwizard.sandbox.server import SandboxBusyError

    second = SandboxServer(sandbox.config.data_dir, port=0)
    with pytest.raises(SandboxBusyError, match="already running"):
        second.start()
    sandbox.stop()
    with second:  # the lock is released on stop
        assert second.port > 0


def test_reset_gives_a_fresh_demo_org(tmp_path: Path) -> None:
    from bulkwizard.sandbox.server import SandboxBusyError, reset_data

    data = tmp_path / "s"
    with SandboxServer(data, port=0) as first:
        assert first.state is not None
        first.state.records.insert("Accounts", {"Account_Name": "Temporary"})
        old_client = first.credentials["client_id"]
        with pytest.raises(SandboxBusyError):
            reset_data(data)
    reset_data(data)
    assert not (data / "credentials.json").exists()
    with SandboxServer(data, port=0) as fresh:
        assert fresh.state is not None
        assert fresh.state.records.count("Accounts") == 40
        assert fresh.credentials["client_id"] != old_client
    reset_data(tmp_path / "missing")  # nothing to do


def test_concurrency_limit(make_sandbox: Callable[..., SandboxServer]) -> None:
    import threading

    sandbox = make_sandbox(max_concurrent_calls=1)
    entered, release = threading.Event(), threading.Event()

    def hold(request: Request) -> Response:
        entered.set()
        release.wait(10)
        return Response.json({"held": True})

    router: Router = sandbox._httpd.dispatcher.router  # type: ignore[union-attr]
    router.add("GET", r"/test/hold", hold)
    headers = {"Authorization": f"Zoho-oauthtoken {access_token(sandbox)}"}
    results: list[int] = []
    worker = threading.Thread(
        target=lambda: results.append(
            requests.get(f"{sandbox.base_url}/test/hold", headers=headers, timeout=10).status_code
        )
    )
    worker.start()
    try:
        assert entered.wait(10)
        busy = requests.get(f"{sandbox.base_url}/crm/v8/org", headers=headers, timeout=10)
        assert busy.status_code == 429
        assert busy.json()["code"] == "TOO_MANY_REQUESTS"
        assert busy.headers["Retry-After"] == "1"
    finally:
        release.set()
        worker.join(10)
    assert results == [200]
    assert requests.get(f"{sandbox.base_url}/crm/v8/org", headers=headers, timeout=10).ok


def test_multipart_with_several_parts_as_requests_sends_it() -> None:
    prepared = requests.Request(
        "POST",
        "http://sandbox/crm/v8/upload",
        files={"file": ("Leads.zip", b"PK\r\n--not-a-boundary\r\n", "application/zip")},
        data={"note": "hello"},
    ).prepare()
    assert isinstance(prepared.body, bytes)
    request = make_request(prepared.body, prepared.headers["Content-Type"])
    files = request.files()
    assert files["file"].data == b"PK\r\n--not-a-boundary\r\n"
    assert files["file"].filename == "Leads.zip"
    assert files["note"].data == b"hello" and files["note"].filename is None
    truncated = make_request(prepared.body[:-40], prepared.headers["Content-Type"])
    assert truncated.files().keys() == {"note"}  # requests sends fields first; file is cut off
    assert make_request(b"x=1", "application/x-www-form-urlencoded").files() == {}
