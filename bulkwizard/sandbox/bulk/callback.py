"""Job-end callbacks: POST the job details JSON to ``callback.url`` (zoho-api.md section 6.3).

The sandbox is a local tool, so it only calls back to loopback hosts; any other URL is refused
(and logged, without the URL's query string, which may carry secrets), never contacted.
"""

from __future__ import annotations

import ipaddress
import json
import logging
from typing import Any
from urllib.parse import urlsplit

import requests

log = logging.getLogger(__name__)

CALLBACK_TIMEOUT_S = 10.0
_LOOPBACK_NAMES = frozenset({"localhost", "localhost.localdomain", "ip6-localhost"})


def is_loopback_url(url: str) -> bool:
    """True for ``http(s)://`` URLs whose host is a loopback name or address."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return False
    host = parts.hostname.lower()
    if host in _LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def send_callback(url: str, details: dict[str, Any]) -> bool:
    """POST ``details`` as JSON to ``url`` if it is a loopback URL; return True when delivered.

    Failures are logged and swallowed: Zoho does not retry a callback, and a receiver that is down
    must not fail the job.
    """
    parts = urlsplit(url)
    safe = f"{parts.scheme}://{parts.netloc}{parts.path}"
    if not is_loopback_url(url):
        log.warning("callback to %s refused: the sandbox only calls back to loopback hosts", safe)
        return False
    try:
        # No redirects and no proxies from the environment: either could carry the job's
        # details from the loopback receiver to another host.
        with requests.Session() as session:
            session.trust_env = False
            response = session.post(
                url,
                data=json.dumps(details).encode("utf-8"),
                headers={"Content-Type": "application/json;charset=UTF-8"},
                timeout=CALLBACK_TIMEOUT_S,
                allow_redirects=False,
            )
    except requests.RequestException as exc:
        log.warning("callback to %s failed: %s", safe, exc)
        return False
    if response.status_code >= 300:
        log.warning("callback to %s answered HTTP %s", safe, response.status_code)
        return False
    return True
