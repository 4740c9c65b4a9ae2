"""Sign-in completion, session-only secrets, connect and sign-out, against the sandbox."""

from __future__ import annotations

from pathlib import Path

import keyring
import keyring.backends.fail
import pytest

from bulkwizard.sandbox.server import SandboxServer
from bulkwizard.storage import secrets
from bulkwizard.storage.profiles import ProfileStore
from bulkwizard.zoho import datacenters
from bulkwizard.zoho.connection import Endpoints, connect, finish_sign_in, sign_out
from bulkwizard.zoho.errors import ZohoAuthError
from bulkwizard.zoho.oauth import OAuthClient


def test_session_only_sign_in_when_no_keyring_exists(
    sandbox: SandboxServer, tmp_path: Path
) -> None:
    keyring.set_keyring(keyring.backends.fail.Keyring())
    with pytest.raises(secrets.KeyringUnavailableError):
        secrets.default_store()
    store = secrets.default_store(allow_session=True)  # the user's explicit choice
    assert store.persistent is False
    creds = sandbox.credentials
    oauth = OAuthClient(sandbox.base_url, creds["client_id"], creds["client_secret"])
    tokens = oauth.exchange_code(sandbox.mint_grant_code())
    profiles = ProfileStore(tmp_path / "config")
    profile = finish_sign_in(
        "temp",
        Endpoints(datacenters.custom(sandbox.base_url), sandbox=True),
        creds["client_id"],
        creds["client_secret"],
        tokens,
        store=store,
        profiles=profiles,
    )
    assert profile.org_zgid == str(creds["zgid"])
    assert profile.user_email == creds["user_email"]
    assert store.get("temp", secrets.REFRESH_TOKEN) == tokens.refresh_token
    client = connect(profile, store=store)
    assert client.current_user()["email"] == creds["user_email"]
    refresh_token = tokens.refresh_token
    assert refresh_token is not None
    files = [p for p in tmp_path.rglob("*") if p.is_file()]
    assert files and all(refresh_token.encode() not in p.read_bytes() for p in files)

    assert sign_out(profile, store, profiles=profiles) is None
    assert store.get("temp", secrets.REFRESH_TOKEN) is None
    assert profiles.list() == []
    with pytest.raises(ZohoAuthError, match="no stored sign-in"):
        connect(profile, store=store)
    with pytest.raises(ZohoAuthError):
        oauth.refresh(refresh_token)  # revoked at the server


def test_sign_out_still_forgets_locally_when_zoho_is_unreachable(
    sandbox: SandboxServer, tmp_path: Path
) -> None:
    creds = sandbox.credentials
    oauth = OAuthClient(sandbox.base_url, creds["client_id"], creds["client_secret"])
    tokens = oauth.exchange_code(sandbox.mint_grant_code())
    store = secrets.KeyringStore()
    profiles = ProfileStore(tmp_path)
    profile = finish_sign_in(
        "p",
        Endpoints(datacenters.custom(sandbox.base_url)),
        creds["client_id"],
        creds["client_secret"],
        tokens,
        store=store,
        profiles=profiles,
    )
    sandbox.stop()
    problem = sign_out(profile, store, profiles=profiles)
    assert problem is not None and problem.code == "NETWORK_ERROR"
    assert store.get("p", secrets.REFRESH_TOKEN) is None
    assert store.get("p", secrets.CLIENT_SECRET) is None
