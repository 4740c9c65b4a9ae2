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

from collections.abc import Iterator
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
