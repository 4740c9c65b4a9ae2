"""API credits: a rolling daily allowance, 429 TOO_MANY_REQUESTS when used up, kept on restart."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
import requests

from bulkwizard.sandbox.credits import WINDOW_SECONDS, Credits, CreditsExhausted
from bulkwizard.sandbox.db import Database
from bulkwizard.sandbox.server import SandboxServer
from bulkwizard.sandbox.testing import access_token


def org(sandbox: SandboxServer, token: str) -> requests.Response:
    headers = {"Authorization": f"Zoho-oauthtoken {token}"}
    return requests.get(f"{sandbox.base_url}/crm/v8/org", headers=headers, timeout=10)


def test_exhausted_allowance_answers_429(make_sandbox: Callable[..., SandboxServer]) -> None:
    sandbox = make_sandbox(daily_credits=3)
    token = access_token(sandbox)
    assert [org(sandbox, token).status_code for _ in range(3)] == [200, 200, 200]
    refused = org(sandbox, token)
    assert refused.status_code == 429
    assert refused.json()["code"] == "TOO_MANY_REQUESTS"
    assert int(refused.headers["Retry-After"]) > 0
    # OAuth calls cost nothing, so the client can still sign in.
    assert access_token(sandbox).startswith("1000.")
    sandbox.stop()
    again = make_sandbox(daily_credits=3)  # same data dir: the usage survived the restart
    assert org(again, access_token(again)).status_code == 429


def test_rolling_window(tmp_path: Path) -> None:
    now = [1_000_000.0]
    credits = Credits(Database(tmp_path / "c.sqlite3"), daily_allowance=1000, clock=lambda: now[0])
    credits.charge(500)
    now[0] += 3600
    credits.charge(499)
    assert credits.remaining() == 1
    with pytest.raises(CreditsExhausted) as refused:
        credits.charge(500)
    assert refused.value.response.status == 429
    assert refused.value.response.headers["Retry-After"] == str(WINDOW_SECONDS - 3600)
    assert credits.used() == 999  # a refused charge costs nothing
    now[0] += WINDOW_SECONDS - 3600 + 1  # the first 500 left the window
    credits.charge(500)
    assert credits.remaining() == 1
