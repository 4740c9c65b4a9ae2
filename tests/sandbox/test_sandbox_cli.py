"""``bulkwizard-cli sandbox``: serves in a subprocess until stopped; mints grant codes."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
import requests

from bulkwizard.cli import main


def test_serves_until_terminated(tmp_path: Path) -> None:
    data = tmp_path / "sandbox"
    process = subprocess.Popen(
        [sys.executable, "-m", "bulkwizard.cli", "sandbox", "--port", "0", "--data", str(data)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    try:
        assert process.stdout is not None
        first = process.stdout.readline()
        assert first.startswith("Zoho CRM sandbox running at http://127.0.0.1:")
        base_url = first.rsplit(" ", 1)[1].strip()
        credentials_line = process.stdout.readline()
        assert str(data / "credentials.json") in credentials_line
        creds = json.loads((data / "credentials.json").read_text())
        assert creds["api_domain"] == base_url
        token = requests.post(
            f"{base_url}/oauth/v2/token",
            data={
                "grant_type": "refresh_token",
                "client_id": creds["client_id"],
                "client_secret": creds["client_secret"],
                "refresh_token": creds["refresh_token"],
            },
            timeout=10,
        ).json()["access_token"]
        org = requests.get(
            f"{base_url}/crm/v8/org",
            headers={"Authorization": f"Zoho-oauthtoken {token}"},
            timeout=10,
        ).json()
        assert org["org"][0]["zgid"] == creds["zgid"]
    finally:
        process.send_signal(signal.SIGTERM)
        out, err = process.communicate(timeout=30)
    assert process.returncode == 0, err
    assert "Sandbox stopped." in out


def test_default_data_dir_is_under_bulkwizard_home(
    isolated_home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["sandbox", "--grant-code", "--scopes", "ZohoCRM.org.READ"]) == 0
    code = capsys.readouterr().out.strip()
    creds = json.loads((isolated_home / "data" / "sandbox" / "credentials.json").read_text())
    assert creds["grant_code"] == code
    assert creds["grant_code_scopes"] == ["ZohoCRM.org.READ"]


def test_grant_code_is_exchangeable(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from bulkwizard.sandbox.server import SandboxServer

    data = tmp_path / "sandbox"
    with SandboxServer(data, port=0) as sandbox:
        assert (
            main(["sandbox", "--grant-code", "--data", str(data), "--scopes", "ZohoCRM.org.READ"])
            == 0
        )
        code = capsys.readouterr().out.strip()
        creds = sandbox.credentials
        assert creds["api_domain"] == sandbox.base_url  # the running sandbox's URLs are kept
        body = requests.post(
            f"{sandbox.base_url}/oauth/v2/token",
            data={
                "grant_type": "authorization_code",
                "code": code,
                "client_id": creds["client_id"],
                "client_secret": creds["client_secret"],
            },
            timeout=10,
        ).json()
        assert body["scope"] == "ZohoCRM.org.READ"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--faults", "500=7"], "--faults"),
        (["--grant-code", "--scopes", "nonsense"], "--scopes"),
        (["--latency", "-1"], "--latency"),
    ],
)
def test_usage_errors(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    assert main(["sandbox", "--data", str(tmp_path), *args]) == 2
    assert message in capsys.readouterr().err


def test_port_in_use_is_a_usage_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from bulkwizard.sandbox.server import SandboxServer

    with SandboxServer(tmp_path / "a", port=0) as busy:
        assert main(["sandbox", "--data", str(tmp_path / "b"), "--port", str(busy.port)]) == 2
    assert "--port" in capsys.readouterr().err


def test_busy_data_folder_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from bulkwizard.sandbox.server import SandboxServer

    with SandboxServer(tmp_path / "a", port=0):
        assert main(["sandbox", "--data", str(tmp_path / "a"), "--port", "0"]) == 2
        assert main(["sandbox", "--data", str(tmp_path / "a"), "--port", "0", "--reset"]) == 2
    assert "already running" in capsys.readouterr().err


def test_non_loopback_host_is_warned_about() -> None:
    from bulkwizard.commands.sandbox import exposure_warning

    assert exposure_warning("127.0.0.1") is None
    assert exposure_warning("localhost") is None
    warning = exposure_warning("0.0.0.0")
    assert warning is not None and "0.0.0.0" in warning and "other machines" in warning
