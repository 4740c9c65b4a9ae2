"""``login``, ``profiles``, ``logout`` against the real sandbox, secrets in the (test) keyring."""

from __future__ import annotations

import json
import webbrowser
from collections.abc import Callable
from pathlib import Path

import keyring
import keyring.backends.fail
import pytest
import requests

from bulkwizard.commands.account import follow_consent
from bulkwizard.sandbox.server import SandboxServer
from bulkwizard.storage import paths

Cli = Callable[..., tuple[int, str, str]]


def test_login_sandbox_saves_profile_and_keyring_secrets(
    sandbox: SandboxServer, cli: Cli, memory_keyring: object
) -> None:
    code, out, err = cli("login", "--sandbox", "--sandbox-data", sandbox.config.data_dir)
    assert code == 0, err
    assert "Signed in as patricia.boyle@zylker-demo.com" in out
    stored = memory_keyring.secrets  # type: ignore[attr-defined]
    assert set(stored) == {
        ("bulkwizard", "sandbox:refresh_token"),
        ("bulkwizard", "sandbox:client_secret"),
        ("bulkwizard", "sandbox:access_token"),  # reused by the next command, not re-minted
    }
    # A fresh refresh token of our own, not the demo one from credentials.json.
    assert stored[("bulkwizard", "sandbox:refresh_token")] != sandbox.credentials["refresh_token"]
    profile_file = paths.config_dir() / "profiles.json"
    text = profile_file.read_text(encoding="utf-8")
    assert stored[("bulkwizard", "sandbox:refresh_token")] not in text
    assert sandbox.credentials["client_secret"] not in text
    data = json.loads(text)
    assert data["default"] == "sandbox"
    assert data["profiles"][0]["org_zgid"] == str(sandbox.credentials["zgid"])
    code, out, _ = cli("profiles", "--json")
    assert code == 0 and json.loads(out)["profiles"][0]["api_url"] == sandbox.base_url


def test_logout_revokes_and_deletes(
    signed_in: SandboxServer, cli: Cli, memory_keyring: object
) -> None:
    stored = memory_keyring.secrets  # type: ignore[attr-defined]
    refresh_token = stored[("bulkwizard", "sandbox:refresh_token")]
    code, out, err = cli("logout", "--profile", "sandbox")
    assert code == 0, err
    assert stored == {}
    creds = signed_in.credentials
    answer = requests.post(
        f"{signed_in.base_url}/oauth/v2/token",
        data={
            "grant_type": "refresh_token",
            "client_id": creds["client_id"],
            "client_secret": creds["client_secret"],
            "refresh_token": refresh_token,
        },
        timeout=10,
    ).json()
    assert answer.get("error") == "invalid_code"  # revoked at the server
    code, out, err = cli("modules")
    assert code == 2 and "login" in err


def test_login_without_a_keyring_explains_and_stores_nothing(
    sandbox: SandboxServer, cli: Cli
) -> None:
    keyring.set_keyring(keyring.backends.fail.Keyring())
    code, out, err = cli("login", "--sandbox", "--sandbox-data", sandbox.config.data_dir)
    assert code == 3
    assert "No usable system keyring" in err and "session only" in err
    assert not (paths.config_dir() / "profiles.json").exists()


def test_login_usage_errors(tmp_path: Path, cli: Cli) -> None:
    code, _, err = cli("login", "--sandbox", "--sandbox-data", tmp_path / "nowhere")
    assert code == 2 and "start the sandbox first" in err
    code, _, err = cli("login", "--dc", "XX", "--client-id", "x", "--code", "y")
    assert code == 2


def test_login_to_a_stopped_sandbox_says_start_it(
    sandbox: SandboxServer, cli: Cli, tmp_path: Path
) -> None:
    folder = Path(sandbox.config.data_dir)
    sandbox.stop()  # its credentials.json stays behind, naming a dead address
    code, out, err = cli("login", "--sandbox", "--sandbox-data", folder)
    assert (code, out) == (3, "")
    assert "cannot reach the sandbox" in err and "is it running?" in err
    assert "Traceback" not in err
    assert not (paths.config_dir() / "profiles.json").exists()


def test_self_client_login_with_a_bad_code_is_an_auth_error(
    sandbox: SandboxServer, cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    creds = sandbox.credentials
    monkeypatch.setenv("BULKWIZARD_CLIENT_SECRET", creds["client_secret"])
    args = ["login", "--api-url", sandbox.base_url, "--client-id", creds["client_id"]]
    code, _, err = cli(*args, "--code", "1000.bad.bad")
    assert code == 3 and "invalid_code" in err
    code, out, err = cli(*args, "--code", sandbox.mint_grant_code(), "--profile", "self")
    assert code == 0, err
    assert "profile 'self' saved" in out


def test_browser_login_through_the_cli(
    sandbox: SandboxServer, cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    opened: list[str] = []

    def browser(url: str) -> bool:
        # The user's browser: the sandbox's consent page, "Accept" pressed (auto_approve).
        opened.append(url)
        follow_consent(url)
        return True

    monkeypatch.setattr(webbrowser, "open", browser)
    monkeypatch.setenv("BULKWIZARD_CLIENT_SECRET", sandbox.credentials["client_secret"])
    code, out, err = cli(
        "login",
        "--browser",
        "--api-url",
        sandbox.base_url,
        "--client-id",
        sandbox.credentials["client_id"],
        "--profile",
        "web",
    )
    assert code == 0, err
    assert opened and "access_type=offline" in opened[0]
    assert "visit:" in err and "profile 'web' saved" in out


def test_the_debug_log_is_rotated(
    signed_in: SandboxServer, cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    from bulkwizard.commands import session

    monkeypatch.setattr(session, "LOG_MAX_BYTES", 2000)
    for _ in range(4):
        code, _, err = cli("modules", "--json")
        assert code == 0, err
    logs = sorted(p.name for p in paths.log_dir().iterdir())
    assert "bulkwizard-cli.log.1" in logs and len(logs) <= 4  # the file plus 3 old ones
    assert all(p.stat().st_size <= 4000 for p in paths.log_dir().iterdir())
