"""The real client against the real sandbox over loopback: metadata, records, tokens, faults."""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

import pytest

from bulkwizard.core.metadata import MetadataSnapshot
from bulkwizard.sandbox.server import SandboxServer
from bulkwizard.zoho.client import ZohoClient
from bulkwizard.zoho.errors import (
    ZohoApiError,
    ZohoAuthError,
    ZohoNetworkError,
    ZohoRateLimitError,
    ZohoServerError,
)
from bulkwizard.zoho.http import RetryPolicy
from bulkwizard.zoho.metadata_cache import pull_snapshot
from bulkwizard.zoho.oauth import OAuthClient
from bulkwizard.zoho.tokens import RefreshingTokenProvider

Connect = Callable[..., ZohoClient]


def test_org_user_modules_fields_layouts(sandbox: SandboxServer, connect_client: Connect) -> None:
    client = connect_client(sandbox)
    org = client.org()
    assert str(org["zgid"]) == str(sandbox.credentials["zgid"])
    user = client.current_user()
    assert user["email"] == sandbox.credentials["user_email"]
    modules = {m["api_name"] for m in client.modules_body()["modules"]}
    assert {"Leads", "Contacts", "Secondary", "Lead_Contact_Lookup"} <= modules
    fields = {f["api_name"]: f for f in client.fields_body("Leads")["fields"]}
    assert fields["Last_Name"]["system_mandatory"] is True
    layouts = client.layouts_body("Leads")["layouts"]
    assert layouts and layouts[0]["id"]
    with pytest.raises(ZohoApiError) as caught:
        client.fields_body("Nope")
    assert caught.value.code == "INVALID_MODULE" and caught.value.http_status == 400
    assert caught.value.request == "GET /crm/v8/settings/fields"


def test_metadata_snapshot_is_pulled_and_cached(
    sandbox: SandboxServer, connect_client: Connect, tmp_path: Path
) -> None:
    client = connect_client(sandbox)
    folder = tmp_path / "cache" / "snap"
    pulled = pull_snapshot(client, folder)
    loaded = MetadataSnapshot.load(folder)
    assert set(loaded.modules) == set(pulled.modules)
    assert {"Leads", "Secondary", "Lead_Contact_Lookup", "Vehicles_X_Users"} <= set(loaded.fields)
    assert loaded.field("Leads", "Last_Name") is not None
    assert (folder / "layouts" / "Leads.json").is_file()
    # A refresh replaces the folder in one step and leaves no staging folders behind.
    pull_snapshot(client, folder, layouts=False)
    assert not (folder / "layouts").exists()
    assert sorted(p.name for p in folder.parent.iterdir()) == ["snap"]


def test_access_token_is_reused_not_minted_per_request(
    sandbox: SandboxServer, connect_client: Connect
) -> None:
    client = connect_client(sandbox)
    for _ in range(12):
        client.org()
    assert client.provider.minted == 1  # type: ignore[attr-defined]


def test_token_is_renewed_once_when_the_server_expires_it(
    make_sandbox: Callable[..., SandboxServer], connect_client: Connect
) -> None:
    # Every access token dies after 3 calls: the client must renew on the 401 and carry on.
    sandbox = make_sandbox(faults="token_uses=3")
    client = connect_client(sandbox)
    for _ in range(10):
        assert client.org()["zgid"]
    assert client.provider.minted == 4  # type: ignore[attr-defined]


def test_token_is_refreshed_shortly_before_expiry(
    sandbox: SandboxServer, connect_client: Connect
) -> None:
    now = [0.0]
    client = connect_client(sandbox, clock=lambda: now[0])
    client.org()
    now[0] = 3600 - 30  # inside the refresh margin of a one-hour token
    client.org()
    assert client.provider.minted == 2  # type: ignore[attr-defined]


def test_a_short_server_ttl_is_renewed_before_use(
    make_sandbox: Callable[..., SandboxServer], connect_client: Connect
) -> None:
    # (The legacy ``expires_in_sec`` shape is covered in test_client_units.)
    sandbox = make_sandbox(token_ttl=1)
    creds = sandbox.credentials
    oauth = OAuthClient(sandbox.base_url, creds["client_id"], creds["client_secret"])
    tokens = oauth.exchange_code(sandbox.mint_grant_code())
    assert tokens.expires_in == 1
    now = [0.0]
    client = connect_client(sandbox, clock=lambda: now[0])
    client.org()
    assert client.provider.minted == 1  # type: ignore[attr-defined]
    now[0] = 0.7  # past two thirds of a 1 s lifetime: renewed before use, never sent stale
    client.org()
    assert client.provider.minted == 2  # type: ignore[attr-defined]


def test_wrong_grant_code_and_wrong_secret_are_auth_errors(sandbox: SandboxServer) -> None:
    creds = sandbox.credentials
    with pytest.raises(ZohoAuthError) as caught:
        OAuthClient(sandbox.base_url, creds["client_id"], creds["client_secret"]).exchange_code(
            "1000.deadbeefdeadbeef.deadbeefdeadbeef"
        )
    assert caught.value.code == "invalid_code"
    assert "deadbeef" not in str(caught.value)
    with pytest.raises(ZohoAuthError) as caught:
        OAuthClient(sandbox.base_url, creds["client_id"], "wrong").exchange_code(
            sandbox.mint_grant_code()
        )
    assert caught.value.code.startswith("invalid_client")


def test_revoked_refresh_token_stops_working(
    sandbox: SandboxServer, connect_client: Connect
) -> None:
    client = connect_client(sandbox)
    client.org()
    client.oauth.revoke(client.refresh_token)  # type: ignore[attr-defined]
    with pytest.raises(ZohoAuthError):
        client.oauth.refresh(client.refresh_token)  # type: ignore[attr-defined]
    with pytest.raises(ZohoAuthError):
        client.org()  # the access token minted from it is dead too, and cannot be renewed


def test_429_is_retried_honouring_retry_after(
    make_sandbox: Callable[..., SandboxServer], connect_client: Connect
) -> None:
    sandbox = make_sandbox(faults="429=1,retry_after=2,paths=/settings/modules")
    client = connect_client(sandbox)
    with pytest.raises(ZohoRateLimitError) as caught:
        client.modules_body()
    assert caught.value.http_status == 429 and caught.value.retry_after == 2
    assert client.transport.sleep == [2.0, 2.0]  # 3 attempts, the server's wait each time
    assert client.org()["zgid"]  # other paths unaffected


def test_flaky_server_is_survived_for_idempotent_calls(
    make_sandbox: Callable[..., SandboxServer], connect_client: Connect
) -> None:
    sandbox = make_sandbox(faults="500=0.4,429=0.2,seed=3,paths=/crm/v8/")
    client = connect_client(sandbox, retry=RetryPolicy(attempts=8, backoff=0.01))
    for _ in range(10):
        assert client.org()["zgid"]
    assert len(client.transport.sleep) > 0  # type: ignore[arg-type]


def test_5xx_gives_up_with_a_typed_error(
    make_sandbox: Callable[..., SandboxServer], connect_client: Connect
) -> None:
    sandbox = make_sandbox(faults="500=1,paths=/org")
    client = connect_client(sandbox)
    with pytest.raises(ZohoServerError) as caught:
        client.org()
    assert caught.value.code == "INTERNAL_ERROR" and caught.value.http_status == 500
    assert len(client.transport.sleep) == 2  # type: ignore[arg-type]


def test_unreachable_server_is_a_network_error(
    sandbox: SandboxServer, connect_client: Connect
) -> None:
    client = connect_client(sandbox)
    client.org()
    sandbox.stop()
    with pytest.raises(ZohoNetworkError) as caught:
        client.org()
    assert caught.value.http_status is None and caught.value.request == "GET /crm/v8/org"


def test_token_never_sent_to_a_foreign_host(
    sandbox: SandboxServer, connect_client: Connect
) -> None:
    client = connect_client(sandbox)
    with pytest.raises(ZohoApiError) as caught:
        client.download_result("http://203.0.113.9/x.zip", Path("unused.zip"))
    assert caught.value.code == "UNTRUSTED_HOST"


def test_records_read_search_delete(sandbox: SandboxServer, connect_client: Connect) -> None:
    client = connect_client(sandbox)
    records = client.list_records("Leads", ["Last_Name", "Email"])
    assert records
    first = records[0]
    assert client.get_record("Leads", first["id"])["id"] == first["id"]  # type: ignore[index]
    found = client.search_records("Leads", criteria=f"(Last_Name:equals:{first['Last_Name']})")
    assert first["id"] in {r["id"] for r in found}
    result = client.delete_records("Leads", [first["id"]])
    assert result[0]["code"] == "SUCCESS"
    again = client.delete_records("Leads", [first["id"]])
    assert again[0]["status"] == "error"


def test_logs_never_show_tokens(
    make_sandbox: Callable[..., SandboxServer],
    connect_client: Connect,
    caplog: pytest.LogCaptureFixture,
) -> None:
    sandbox = make_sandbox(faults="token_uses=2")
    with caplog.at_level(logging.DEBUG):
        client = connect_client(sandbox)
        for _ in range(4):
            client.org()
        token = client.provider.access_token()  # type: ignore[attr-defined]
    assert token not in caplog.text
    assert client.refresh_token not in caplog.text  # type: ignore[attr-defined]
    assert sandbox.credentials["client_secret"] not in caplog.text


def test_provider_type_is_shared(sandbox: SandboxServer, connect_client: Connect) -> None:
    client = connect_client(sandbox)
    assert isinstance(client.provider, RefreshingTokenProvider)  # type: ignore[attr-defined]
