"""Browser sign-in against the sandbox's real consent page, with the loopback listener."""

from __future__ import annotations

import re
from html import unescape
from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from bulkwizard.sandbox.server import SandboxServer
from bulkwizard.zoho.errors import ZohoAuthError
from bulkwizard.zoho.loopback import LoopbackReceiver, SignInCancelled
from bulkwizard.zoho.oauth import SCOPES, OAuthClient, authorization_url, browser_sign_in


class ConsentBrowser:
    """Plays the user's browser: loads the consent page and presses Accept or Reject."""

    def __init__(self, approve: bool = True) -> None:
        self.approve = approve
        self.opened: list[str] = []

    def __call__(self, url: str) -> None:
        self.opened.append(url)
        page = requests.get(url, timeout=10)
        assert page.status_code == 200, page.text
        fields = dict(re.findall(r'name="([^"]+)" value="([^"]*)"', page.text))
        fields = {k: unescape(v) for k, v in fields.items() if k != "approve"}
        fields["approve"] = "1" if self.approve else "0"
        action = urlsplit(url)._replace(query="").geturl()
        requests.post(action, data=fields, timeout=10, allow_redirects=True).close()


def test_browser_sign_in_approved(sandbox: SandboxServer) -> None:
    creds = sandbox.credentials
    browser = ConsentBrowser()
    result = browser_sign_in(
        sandbox.base_url,
        creds["client_id"],
        creds["client_secret"],
        open_browser=browser,
        timeout=30,
    )
    query = parse_qs(urlsplit(browser.opened[0]).query)
    assert query["access_type"] == ["offline"] and query["prompt"] == ["consent"]
    assert query["scope"] == [",".join(SCOPES)]
    assert query["redirect_uri"][0].startswith("http://127.0.0.1:")
    assert len(query["state"][0]) >= 20
    assert result.tokens.refresh_token and result.tokens.access_token
    assert result.accounts_url == sandbox.base_url  # honoured from accounts-server
    assert result.location == "us"
    refreshed = OAuthClient(sandbox.base_url, creds["client_id"], creds["client_secret"]).refresh(
        result.tokens.refresh_token
    )
    assert refreshed.access_token != result.tokens.access_token


def test_browser_sign_in_rejected(sandbox: SandboxServer) -> None:
    creds = sandbox.credentials
    with pytest.raises(SignInCancelled, match="access_denied"):
        browser_sign_in(
            sandbox.base_url,
            creds["client_id"],
            creds["client_secret"],
            open_browser=ConsentBrowser(approve=False),
            timeout=30,
        )


def test_forged_redirect_with_wrong_state_is_refused(sandbox: SandboxServer) -> None:
    creds = sandbox.credentials

    def forger(url: str) -> None:
        redirect = parse_qs(urlsplit(url).query)["redirect_uri"][0]
        requests.get(f"{redirect}?code=1000.abc.def&state=forged", timeout=10).close()

    with pytest.raises(ZohoAuthError) as caught:
        browser_sign_in(
            sandbox.base_url, creds["client_id"], creds["client_secret"], open_browser=forger
        )
    assert caught.value.code == "STATE_MISMATCH"


def test_unknown_accounts_server_in_redirect_is_refused(sandbox: SandboxServer) -> None:
    creds = sandbox.credentials

    def redirector(url: str) -> None:
        query = parse_qs(urlsplit(url).query)
        redirect, state = query["redirect_uri"][0], query["state"][0]
        evil = "https%3A%2F%2Faccounts.evil.example"
        requests.get(
            f"{redirect}?code=1000.abc.def&state={state}&accounts-server={evil}", timeout=10
        ).close()

    with pytest.raises(ZohoAuthError) as caught:
        browser_sign_in(
            sandbox.base_url, creds["client_id"], creds["client_secret"], open_browser=redirector
        )
    assert caught.value.code == "BAD_REDIRECT"


def test_sign_in_times_out_and_cancels() -> None:
    with pytest.raises(SignInCancelled, match="no answer from the browser"):
        browser_sign_in(
            "http://127.0.0.1:9", "id", "secret", open_browser=lambda url: None, timeout=0.3
        )
    with pytest.raises(SignInCancelled, match="cancelled"):
        browser_sign_in(
            "http://127.0.0.1:9", "id", "secret", open_browser=lambda url: None, cancel=lambda: True
        )


def test_listener_is_loopback_only_and_answers_the_browser() -> None:
    with LoopbackReceiver() as receiver:
        assert receiver.redirect_uri == f"http://127.0.0.1:{receiver.port}/callback"
        assert requests.get(f"http://127.0.0.1:{receiver.port}/other", timeout=5).status_code == 404
        page = requests.get(f"{receiver.redirect_uri}?code=c1&state=s1", timeout=5)
        assert "Signed in" in page.text
        assert receiver.wait(timeout=5) == {"code": "c1", "state": "s1"}
    url = authorization_url("https://accounts.zoho.eu/", "cid", "http://127.0.0.1:1/callback", "s")
    assert url.startswith("https://accounts.zoho.eu/oauth/v2/auth?response_type=code&client_id=cid")
