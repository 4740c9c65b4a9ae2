"""After a full login + submit + results + status run, no secret is on disk or in the logs.

The access tokens are caught where they are minted (a spy on the token provider's bookkeeping;
the HTTP traffic itself is real), the refresh token and client secret come from the keyring.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from bulkwizard.sandbox.server import SandboxServer
from bulkwizard.storage import paths
from bulkwizard.zoho import tokens as tokens_module

Cli = Callable[..., tuple[int, str, str]]


def test_no_secret_reaches_disk_or_logs(
    sandbox: SandboxServer,
    cli: Cli,
    leads_job: tuple[Path, Path],
    tmp_path: Path,
    memory_keyring: object,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    minted: list[str] = []
    original = tokens_module.RefreshingTokenProvider._store

    def spy(
        self: tokens_module.RefreshingTokenProvider, response: tokens_module.TokenResponse
    ) -> None:
        minted.append(response.access_token)
        original(self, response)

    monkeypatch.setattr(tokens_module.RefreshingTokenProvider, "_store", spy)
    job_path, csv_path = leads_job
    results = tmp_path / "results"
    outputs = []
    for args in (
        ("login", "--sandbox", "--sandbox-data", sandbox.config.data_dir),
        ("metadata", "pull"),
        ("submit", job_path, "--csv", csv_path, "--wait", "--out", results, "--json"),
        ("profiles",),
    ):
        code, out, err = cli(*args)
        assert code in (0, 1), err
        outputs.append(out + err)
    stored = memory_keyring.secrets  # type: ignore[attr-defined]
    secrets = {
        "refresh token": stored[("bulkwizard", "sandbox:refresh_token")],
        "client secret": stored[("bulkwizard", "sandbox:client_secret")],
    }
    assert minted, "the spy saw no access token"
    for number, token in enumerate(minted):
        secrets[f"access token {number}"] = token

    folders = [
        paths.config_dir(),
        paths.data_dir(),
        paths.cache_dir(),
        paths.log_dir(),
        results,
        job_path.parent,
    ]
    files = [p for folder in folders if folder.exists() for p in folder.rglob("*") if p.is_file()]
    log_file = paths.log_dir() / "bulkwizard-cli.log"
    assert log_file in files and "POST /crm/bulk/v8/write -> HTTP 201" in log_file.read_text()
    assert any(p.suffix == ".csv" and p.parent == results for p in files)
    assert (paths.config_dir() / "profiles.json") in files
    for path in files:
        content = path.read_bytes()
        for name, value in secrets.items():
            assert value.encode() not in content, f"{name} found in {path}"
    for name, value in secrets.items():
        assert value not in caplog.text, f"{name} found in the log records"
        assert all(value not in text for text in outputs), f"{name} printed"
