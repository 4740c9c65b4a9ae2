"""OAuth over loopback: every grant type, errors, expiry, revocation, limits, the browser flow."""

from __future__ import annotations

import time
from collections.abc import Callable
from urllib.parse import parse_qs, urlparse

import requests

from bulkwizard.sandbox.server import SandboxServer


def token_call(sandbox: SandboxServer, **params: str) -> requests.Response:
    return requests.post(f"{sandbox.base_url}/oauth/v2/token", data=params, timeout=10)


def client(sandbox: SandboxServer) -> dict[str, str]:
    creds = sandbox.credentials
    return {"client_id": creds["client_id"], "client_secret": creds["client_secret"]}


def refresh(sandbox: SandboxServer) -> requests.Response:
    return token_call(
        sandbox,
        grant_type="refresh_token",
        refresh_token=sandbox.credentials["refresh_token"],
        **client(sandbox),
    )


def api_get(sandbox: SandboxServer, token: str, path: str) -> requests.Response:
    headers = {"Authorization": f"Zoho-oauthtoken {token}"}
    return requests.get(f"{sandbox.base_url}{path}", headers=headers, timeout=10)


def test_refresh_grant_returns_zoho_shape(sandbox: SandboxServer) -> None:
    response = refresh(sandbox)
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/json;charset=UTF-8"
    body = response.json()
    assert body["token_type"] == "Bearer"
    assert body["expires_in"] == 3600
    assert body["api_domain"] == sandbox.base_url
    assert "refresh_token" not in body
    prefix, first, second = body["access_token"].split(".")
    assert prefix == "1000" and len(first) == 32 and len(second) == 32
    int(first + second, 16)  # hex
    assert api_get(sandbox, body["access_token"], "/crm/v8/org").status_code == 200


def test_self_client_code_is_single_use(sandbox: SandboxServer) -> None:
    code = sandbox.mint_grant_code(["ZohoCRM.org.READ", "ZohoCRM.users.READ"])
    first = token_call(sandbox, grant_type="authorization_code", code=code, **client(sandbox))
    body = first.json()
    assert body["scope"] == "ZohoCRM.org.READ ZohoCRM.users.READ"
    assert body["refresh_token"].startswith("1000.")
    second = token_call(sandbox, grant_type="authorization_code", code=code, **client(sandbox))
    assert second.json() == {"error": "invalid_code"}
    # The refresh token from the code works and keeps the code's scopes.
    renewed = token_call(
        sandbox, grant_type="refresh_token", refresh_token=body["refresh_token"], **client(sandbox)
    ).json()
    assert renewed["scope"] == "ZohoCRM.org.READ ZohoCRM.users.READ"


def test_expired_code_is_refused(sandbox: SandboxServer) -> None:
    code = sandbox.mint_grant_code(["ZohoCRM.org.READ"], ttl=0)
    response = token_call(sandbox, grant_type="authorization_code", code=code, **client(sandbox))
    assert response.json() == {"error": "invalid_code"}


def test_parameters_in_query_string_are_accepted(sandbox: SandboxServer) -> None:
    params = {"grant_type": "refresh_token", "refresh_token": sandbox.credentials["refresh_token"]}
    params.update(client(sandbox))
    response = requests.post(f"{sandbox.base_url}/oauth/v2/token", params=params, timeout=10)
    assert "access_token" in response.json()


def test_client_errors(sandbox: SandboxServer) -> None:
    refresh_token = sandbox.credentials["refresh_token"]
    unknown = token_call(
        sandbox,
        grant_type="refresh_token",
        refresh_token=refresh_token,
        client_id="1000.NOPE",
        client_secret="x",
    )
    assert unknown.json() == {"error": "invalid_client"}
    wrong_secret = token_call(
        sandbox,
        grant_type="refresh_token",
        refresh_token=refresh_token,
        client_id=sandbox.credentials["client_id"],
        client_secret="wrong",
    )
    assert wrong_secret.json() == {"error": "invalid_client_secret"}
    bad_grant = token_call(sandbox, grant_type="password", **client(sandbox))
    assert bad_grant.json() == {"error": "unsupported_grant_type"}
    bad_refresh = token_call(
        sandbox, grant_type="refresh_token", refresh_token="1000.abc.def", **client(sandbox)
    )
    assert bad_refresh.json() == {"error": "invalid_code"}


def test_client_credentials_grant(sandbox: SandboxServer) -> None:
    zgid = sandbox.credentials["zgid"]
    ok = token_call(
        sandbox,
        grant_type="client_credentials",
        scope="ZohoCRM.org.READ",
        soid=f"ZohoCRM.{zgid}",
        **client(sandbox),
    ).json()
    assert "refresh_token" not in ok
    assert api_get(sandbox, ok["access_token"], "/crm/v8/org").json()["org"][0]["zgid"] == zgid
    wrong_org = token_call(
        sandbox,
        grant_type="client_credentials",
        scope="ZohoCRM.org.READ",
        soid="ZohoCRM.1",
        **client(sandbox),
    )
    assert wrong_org.json() == {"error": "invalid_soid"}
    no_scope = token_call(
        sandbox, grant_type="client_credentials", soid=f"ZohoCRM.{zgid}", **client(sandbox)
    )
    assert no_scope.json() == {"error": "invalid_scope"}


def test_access_token_expires(make_sandbox: Callable[..., SandboxServer]) -> None:
    sandbox = make_sandbox(token_ttl=1)
    body = refresh(sandbox).json()
    assert body["expires_in"] == 1
    assert api_get(sandbox, body["access_token"], "/crm/v8/org").status_code == 200
    assert sandbox.state is not None
    sandbox.state.tokens.clock = lambda: time.time() + 1.5  # 1.5 s later, without sleeping
    expired = api_get(sandbox, body["access_token"], "/crm/v8/org")
    assert expired.status_code == 401
    assert expired.json() == {
        "code": "INVALID_TOKEN",
        "details": {},
        "message": "invalid oauth token",
        "status": "error",
    }


def test_missing_or_wrong_authorization_header(sandbox: SandboxServer) -> None:
    token = refresh(sandbox).json()["access_token"]
    none = requests.get(f"{sandbox.base_url}/crm/v8/org", timeout=10)
    bearer = requests.get(
        f"{sandbox.base_url}/crm/v8/org", headers={"Authorization": f"Bearer {token}"}, timeout=10
    )
    for response in (none, bearer):
        assert response.status_code == 401
        assert response.json()["code"] == "INVALID_TOKEN"


def test_revoking_refresh_token_kills_its_access_tokens(sandbox: SandboxServer) -> None:
    token = refresh(sandbox).json()["access_token"]
    refresh_token = sandbox.credentials["refresh_token"]
    revoke = requests.post(
        f"{sandbox.base_url}/oauth/v2/token/revoke", params={"token": refresh_token}, timeout=10
    )
    assert revoke.status_code == 200 and revoke.json() == {"status": "success"}
    assert api_get(sandbox, token, "/crm/v8/org").status_code == 401
    assert refresh(sandbox).json() == {"error": "invalid_code"}
    again = requests.post(
        f"{sandbox.base_url}/oauth/v2/token/revoke", params={"token": refresh_token}, timeout=10
    )
    assert again.status_code == 400


def test_scope_mismatch_and_implication(sandbox: SandboxServer) -> None:
    code = sandbox.mint_grant_code(["ZohoCRM.org.READ", "ZohoCRM.modules.leads.READ"])
    token = token_call(
        sandbox, grant_type="authorization_code", code=code, **client(sandbox)
    ).json()["access_token"]
    assert api_get(sandbox, token, "/crm/v8/org").status_code == 200
    assert api_get(sandbox, token, "/crm/v8/Leads?fields=Last_Name").status_code == 200
    for path in ("/crm/v8/settings/fields?module=Leads", "/crm/v8/Contacts?fields=Last_Name"):
        response = api_get(sandbox, token, path)
        assert response.status_code == 401
        assert response.json()["code"] == "OAUTH_SCOPE_MISMATCH"
    broad = sandbox.mint_grant_code(["zohocrm.settings.all"])
    token = token_call(
        sandbox, grant_type="authorization_code", code=broad, **client(sandbox)
    ).json()["access_token"]
    assert api_get(sandbox, token, "/crm/v8/settings/fields?module=Leads").status_code == 200
    assert api_get(sandbox, token, "/crm/v8/settings/layouts?module=Leads").status_code == 200


def test_sixteenth_token_retires_the_oldest(make_sandbox: Callable[..., SandboxServer]) -> None:
    sandbox = make_sandbox(token_mint_limit=None)
    tokens = [refresh(sandbox).json()["access_token"] for _ in range(16)]
    assert api_get(sandbox, tokens[0], "/crm/v8/org").status_code == 401
    assert api_get(sandbox, tokens[1], "/crm/v8/org").status_code == 200
    assert api_get(sandbox, tokens[15], "/crm/v8/org").status_code == 200


def test_mint_throttle(make_sandbox: Callable[..., SandboxServer]) -> None:
    sandbox = make_sandbox(token_mint_limit=3)
    for _ in range(3):
        assert "access_token" in refresh(sandbox).json()
    refused = refresh(sandbox)
    assert refused.status_code == 400
    assert refused.json()["error"] == "Access Denied"


def test_browser_flow_auto_approve(sandbox: SandboxServer) -> None:
    redirect_uri = "http://127.0.0.1:53682/callback"
    params = {
        "response_type": "code",
        "client_id": sandbox.credentials["client_id"],
        "scope": "ZohoCRM.org.READ,ZohoCRM.users.READ",
        "redirect_uri": redirect_uri,
        "access_type": "offline",
        "state": "xyz",
        "auto_approve": "true",
    }
    response = requests.get(
        f"{sandbox.base_url}/oauth/v2/auth", params=params, allow_redirects=False, timeout=10
    )
    assert response.status_code == 302
    location = urlparse(response.headers["Location"])
    assert f"{location.scheme}://{location.netloc}{location.path}" == redirect_uri
    query = {k: v[0] for k, v in parse_qs(location.query).items()}
    assert query["state"] == "xyz"
    assert query["location"] == "us"
    assert query["accounts-server"] == sandbox.base_url
    wrong_uri = token_call(
        sandbox,
        grant_type="authorization_code",
        code=query["code"],
        redirect_uri="http://127.0.0.1:1/other",
        **client(sandbox),
    )
    assert wrong_uri.json() == {"error": "invalid_redirect_uri"}
    body = token_call(
        sandbox,
        grant_type="authorization_code",
        code=query["code"],
        redirect_uri=redirect_uri,
        **client(sandbox),
    ).json()
    assert body["refresh_token"].startswith("1000.")


def test_browser_flow_consent_page(sandbox: SandboxServer) -> None:
    params = {
        "client_id": sandbox.credentials["client_id"],
        "scope": "ZohoCRM.org.READ",
        "redirect_uri": "http://localhost:9999/cb",
        "response_type": "code",
    }
    page = requests.get(f"{sandbox.base_url}/oauth/v2/auth", params=params, timeout=10)
    assert page.status_code == 200
    assert "ZohoCRM.org.READ" in page.text and "Accept" in page.text
    assert page.headers["X-Frame-Options"] == "DENY"  # no clickjacking of Accept
    approved = requests.post(
        f"{sandbox.base_url}/oauth/v2/auth",
        data={**params, "approve": "1"},
        allow_redirects=False,
        timeout=10,
    )
    code = parse_qs(urlparse(approved.headers["Location"]).query)["code"][0]
    # A browser code is bound to its redirect URI: the exchange must repeat it (RFC 6749 4.1.3).
    omitted = token_call(sandbox, grant_type="authorization_code", code=code, **client(sandbox))
    assert omitted.json() == {"error": "invalid_redirect_uri"}
    body = token_call(
        sandbox,
        grant_type="authorization_code",
        code=code,
        redirect_uri=params["redirect_uri"],
        **client(sandbox),
    ).json()
    assert "access_token" in body
    assert "refresh_token" not in body  # access_type defaults to online
    rejected = requests.post(
        f"{sandbox.base_url}/oauth/v2/auth",
        data={**params, "approve": "0"},
        allow_redirects=False,
        timeout=10,
    )
    assert parse_qs(urlparse(rejected.headers["Location"]).query)["error"] == ["access_denied"]


def test_browser_flow_refuses_foreign_redirects_and_clients(sandbox: SandboxServer) -> None:
    base = {"client_id": sandbox.credentials["client_id"], "scope": "ZohoCRM.org.READ"}
    foreign = requests.get(
        f"{sandbox.base_url}/oauth/v2/auth",
        params={**base, "redirect_uri": "https://evil.example/cb"},
        timeout=10,
    )
    assert foreign.status_code == 400
    # Look-alikes of loopback: userinfo, subdomains, other schemes; GET and the consent POST.
    for uri in (
        "http://127.0.0.1@evil.example/cb",
        "http://localhost.evil.example/cb",
        "http://127.0.0.1.evil.example/cb",
        "javascript://127.0.0.1/%0aalert(1)",
        "//127.0.0.1/cb",
        "",
    ):
        for method in ("GET", "POST"):
            refused = requests.request(
                method,
                f"{sandbox.base_url}/oauth/v2/auth",
                params={**base, "redirect_uri": uri, "approve": "1"},
                allow_redirects=False,
                timeout=10,
            )
            assert refused.status_code == 400, (method, uri)
            assert "Location" not in refused.headers
    unknown = requests.get(
        f"{sandbox.base_url}/oauth/v2/auth",
        params={**base, "client_id": "1000.X", "redirect_uri": "http://127.0.0.1/cb"},
        timeout=10,
    )
    assert unknown.status_code == 400
