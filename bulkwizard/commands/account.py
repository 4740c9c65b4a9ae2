"""``bulkwizard-cli login | logout | profiles``: connection profiles and sign-in.

    bulkwizard-cli login [--profile NAME] [--dc US|EU|...] --client-id ID [--code CODE]
    bulkwizard-cli login --browser --client-id ID [--redirect-port N]
    bulkwizard-cli login --sandbox [--sandbox-data DIR] [--sandbox-url URL]
    bulkwizard-cli logout [--profile NAME]
    bulkwizard-cli profiles [--json]

The client secret is read from ``BULKWIZARD_CLIENT_SECRET`` or asked for without echo; it and the
refresh token go to the OS keyring only. Exit codes: 0 ok, 2 usage, 3 network/auth/keyring.
"""

from __future__ import annotations

import argparse
import getpass
import json
import os
import sys
import webbrowser
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import requests

from bulkwizard.commands import EXIT_NETWORK, EXIT_OK
from bulkwizard.commands.common import UsageError
from bulkwizard.commands.session import add_profile_option, report_error, setup_logging
from bulkwizard.core.errors import BulkWizardError
from bulkwizard.storage import paths, secrets
from bulkwizard.storage.profiles import Profile, ProfileError, ProfileStore, validate_name
from bulkwizard.zoho import datacenters
from bulkwizard.zoho.connection import Endpoints, finish_sign_in, sign_out
from bulkwizard.zoho.errors import ZohoAuthError, ZohoNetworkError
from bulkwizard.zoho.oauth import OAuthClient, browser_sign_in

SECRET_ENV = "BULKWIZARD_CLIENT_SECRET"
SANDBOX_PROFILE = "sandbox"


# -- login ----------------------------------------------------------------------------------------


def register(subparsers: Any) -> None:
    """Add ``login``, ``logout`` and ``profiles``."""
    login = subparsers.add_parser(
        "login",
        help="sign in to Zoho CRM (Self Client, browser, or the local sandbox)",
        description=(
            "Sign in and save a connection profile. Self Client (default): give the client id, "
            f"the client secret (asked for, or from ${SECRET_ENV}) and a grant code generated "
            "in https://api-console.zoho.com. --browser: sign in through the browser with a "
            "server-based client whose redirect URI is http://127.0.0.1:PORT/callback. "
            "--sandbox: sign in to a running bulkwizard sandbox. Secrets go to the OS keyring only."
        ),
    )
    add_profile_option(login)
    login.add_argument(
        "--dc",
        metavar="CODE",
        default="US",
        help="data centre: " + ", ".join(datacenters.DATACENTRES) + " (default US)",
    )
    login.add_argument(
        "--accounts-url", metavar="URL", help="custom accounts server (with --api-url)"
    )
    login.add_argument("--api-url", metavar="URL", help="custom API base URL instead of --dc")
    login.add_argument(
        "--upload-url", metavar="URL", help="custom upload host (default: the API URL)"
    )
    login.add_argument("--client-id", metavar="ID", help="OAuth client id from the API console")
    login.add_argument(
        "--code", metavar="GRANT_CODE", help="Self Client grant code (asked for if absent)"
    )
    login.add_argument("--browser", action="store_true", help="sign in through the system browser")
    login.add_argument(
        "--redirect-port",
        type=int,
        default=0,
        metavar="N",
        help="loopback port of the browser redirect (default: any free port)",
    )
    login.add_argument(
        "--timeout",
        type=float,
        default=300.0,
        metavar="SECONDS",
        help="how long to wait for the browser (default 300)",
    )
    login.add_argument("--sandbox", action="store_true", help="sign in to a running sandbox")
    login.add_argument(
        "--sandbox-data", metavar="DIR", help="the sandbox's data folder (holds credentials.json)"
    )
    login.add_argument(
        "--sandbox-url",
        metavar="URL",
        help="the sandbox's address, if not the one in credentials.json",
    )
    login.add_argument("--default", action="store_true", help="make this the default profile")
    login.set_defaults(handler=handle_login)

    logout = subparsers.add_parser(
        "logout",
        help="revoke the sign-in and delete its secrets and profile",
        description="Revoke the profile's refresh token at Zoho, delete it and the client secret "
        "from the keyring, and remove the profile.",
    )
    add_profile_option(logout)
    logout.add_argument("--keep-profile", action="store_true", help="keep the profile settings")
    logout.set_defaults(handler=handle_logout)

    profiles = subparsers.add_parser(
        "profiles", help="list connection profiles", description="List the connection profiles."
    )
    profiles.add_argument("--json", action="store_true", help="print JSON")
    profiles.set_defaults(handler=handle_profiles)


def _ask(prompt: str, *, secret: bool = False) -> str:
    if not sys.stdin.isatty():
        raise UsageError(f"{prompt.strip(': ')} is needed; give it as an option (not interactive)")
    value = getpass.getpass(prompt) if secret else input(prompt)
    if not value.strip():
        raise UsageError(f"{prompt.strip(': ')} cannot be empty")
    return value.strip()


def _client_secret() -> str:
    value = os.environ.get(SECRET_ENV, "").strip()
    return value or _ask("Client secret: ", secret=True)


def _endpoints(args: argparse.Namespace) -> Endpoints:
    if args.api_url:
        return Endpoints(
            datacenters.custom(
                args.api_url, accounts_url=args.accounts_url, upload_url=args.upload_url
            )
        )
    if args.accounts_url or args.upload_url:
        raise UsageError("--accounts-url and --upload-url need --api-url")
    return Endpoints(datacenters.get(args.dc))


def sandbox_data_dir(given: str | None) -> Path:
    """The sandbox data folder: ``--sandbox-data`` or the sandbox command's default."""
    if given:
        return Path(given)
    return paths.sandbox_dir()


def follow_consent(url: str) -> None:
    """The sandbox's "browser": approve the consent page and follow the redirect home.

    The sandbox offers ``auto_approve`` for exactly this; the loopback listener still receives
    the code and checks ``state`` as for a real browser.
    """
    parts = urlsplit(url)
    server = f"{parts.scheme}://{parts.netloc}"
    try:
        response = requests.get(f"{url}&auto_approve=true", timeout=30, allow_redirects=True)
    except requests.RequestException:
        # The usual cause: credentials.json of a sandbox that has been stopped.
        raise ZohoNetworkError(
            "NETWORK_ERROR",
            None,
            f"cannot reach the sandbox at {server}: is it running? Start it with "
            "`bulkwizard-cli sandbox --data DIR` and sign in with --sandbox-data DIR",
            request="GET /oauth/v2/auth",
        ) from None
    with response:
        if response.status_code >= 400:
            # Without this the loopback listener would wait for a redirect that never comes.
            raise ZohoAuthError(
                f"HTTP_{response.status_code}",
                response.status_code,
                f"the sandbox at {server} refused the sign-in: {response.text[:200]}",
                request="GET /oauth/v2/auth",
            )


def _login_sandbox(args: argparse.Namespace, store: secrets.SecretStore) -> Profile:
    folder = sandbox_data_dir(args.sandbox_data)
    path = folder / "credentials.json"
    try:
        creds = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise UsageError(
            f"{path} not found: start the sandbox first (`bulkwizard-cli sandbox`) or give its "
            "data folder with --sandbox-data DIR"
        ) from None
    except (OSError, ValueError) as exc:
        raise UsageError(f"{path}: cannot be read ({exc})") from None
    base = args.sandbox_url or creds.get("api_domain") or creds.get("accounts_url")
    if not base:
        raise UsageError(f"{path}: no sandbox address in it; give --sandbox-url URL")
    centre = datacenters.custom(base)
    result = browser_sign_in(
        centre.accounts_url,
        str(creds["client_id"]),
        str(creds["client_secret"]),
        open_browser=follow_consent,
        timeout=60,
    )
    return finish_sign_in(
        args.profile or SANDBOX_PROFILE,
        Endpoints(centre, sandbox=True),
        str(creds["client_id"]),
        str(creds["client_secret"]),
        result.tokens,
        store=store,
        redirect_uri=result.redirect_uri,
        make_default=args.default,
    )


def _login_browser(args: argparse.Namespace, store: secrets.SecretStore) -> Profile:
    endpoints = _endpoints(args)
    client_id = args.client_id or _ask("Client id: ")
    secret = _client_secret()

    def open_browser(url: str) -> None:
        print(
            f"Opening your browser to sign in. If it does not open, visit:\n  {url}",
            file=sys.stderr,
        )
        webbrowser.open(url)

    result = browser_sign_in(
        endpoints.centre.accounts_url,
        client_id,
        secret,
        open_browser=open_browser,
        port=args.redirect_port,
        timeout=args.timeout,
    )
    centre = endpoints.centre
    if centre.code != datacenters.CUSTOM:
        # Multi-DC: the accounts server that issued the code tells where the user lives.
        centre = datacenters.from_location(result.location, result.accounts_url) or centre
    return finish_sign_in(
        args.profile or "default",
        Endpoints(centre),
        client_id,
        secret,
        result.tokens,
        store=store,
        redirect_uri=result.redirect_uri,
        make_default=args.default,
    )


def _login_self_client(args: argparse.Namespace, store: secrets.SecretStore) -> Profile:
    endpoints = _endpoints(args)
    client_id = args.client_id or _ask("Client id: ")
    secret = _client_secret()
    code = args.code or _ask("Grant code (from the API console, valid a few minutes): ")
    tokens = OAuthClient(endpoints.centre.accounts_url, client_id, secret).exchange_code(code)
    return finish_sign_in(
        args.profile or "default",
        endpoints,
        client_id,
        secret,
        tokens,
        store=store,
        make_default=args.default,
    )


def handle_login(args: argparse.Namespace) -> int:
    """Run ``login``."""
    setup_logging()
    try:
        if args.sandbox and args.browser:
            raise UsageError("choose one of --sandbox and --browser")
        if args.profile:
            validate_name(args.profile)
        store = secrets.default_store()
        if args.sandbox:
            profile = _login_sandbox(args, store)
        elif args.browser:
            profile = _login_browser(args, store)
        else:
            profile = _login_self_client(args, store)
    except secrets.KeyringUnavailableError as exc:
        print(f"bulkwizard-cli login: {exc.reason} ({exc.backend}).\n{exc.help}", file=sys.stderr)
        print(
            "The command line cannot keep a sign-in between runs without a keyring; the desktop "
            "app offers the session-only option.",
            file=sys.stderr,
        )
        return EXIT_NETWORK
    except (BulkWizardError, ValueError) as exc:
        return report_error("login", exc)
    who = profile.user_email or profile.user_name or "?"
    print(
        f"Signed in as {who} to org {profile.org_name or profile.org_zgid} "
        f"({profile.datacentre}, {profile.api_url}); profile {profile.name!r} saved."
    )
    return EXIT_OK


def handle_logout(args: argparse.Namespace) -> int:
    """Run ``logout``."""
    setup_logging()
    try:
        store = secrets.default_store()
        profile = ProfileStore().get(args.profile)
        problem = sign_out(profile, store, keep_profile=args.keep_profile)
    except (BulkWizardError, ValueError) as exc:
        return report_error("logout", exc)
    if problem is not None:
        print(
            f"Signed out locally, but Zoho could not be told to revoke the sign-in ({problem}). "
            "Revoke it under Connected Apps at your Zoho accounts page.",
            file=sys.stderr,
        )
        return EXIT_NETWORK
    print(f"Signed out of profile {profile.name!r}; its secrets were deleted from the keyring.")
    return EXIT_OK


def handle_profiles(args: argparse.Namespace) -> int:
    """Run ``profiles``."""
    try:
        store = ProfileStore()
        profiles = store.list()
        default = store.default_name()
    except ProfileError as exc:
        return report_error("profiles", exc)
    if args.json:
        data = {"default": default, "profiles": [p.to_json() for p in profiles]}
        print(json.dumps(data, indent=2))
        return EXIT_OK
    if not profiles:
        print("No profiles yet. Sign in with `bulkwizard-cli login` (or `login --sandbox`).")
        return EXIT_OK
    for profile in profiles:
        marker = "*" if profile.name == default else " "
        print(
            f"{marker} {profile.name:<16} {profile.datacentre:<7} {profile.api_url:<32} "
            f"{profile.user_email or profile.user_name}  org {profile.org_name or profile.org_zgid}"
        )
    return EXIT_OK
