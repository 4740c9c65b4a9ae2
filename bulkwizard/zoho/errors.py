"""Typed errors of the Zoho client, built from Zoho's error bodies with secrets removed.

Every failure of a call becomes a :class:`ZohoApiError` (or a subclass) carrying Zoho's ``code``,
the HTTP status, the message, the ``details`` object and the request it came from
(``"POST /crm/bulk/v8/write"``; never a query string, never a header).

Zoho answers in three shapes, all handled by :func:`error_from_response`:

- CRM: ``{"code": "...", "details": {...}, "message": "...", "status": "error"}``
- OAuth: ``{"error": "invalid_code", "error_description": "..."}``
- file server: ``{"ERROR_CODE": 400, "ERROR_MESSAGE": "...", "x-error": "..."}``
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

import requests

from bulkwizard.core.errors import BulkWizardError
from bulkwizard.zoho.redact import redact, redact_value

AUTH_CODES = frozenset(
    {
        "INVALID_TOKEN",
        "INVALID_OAUTHTOKEN",
        "AUTHENTICATION_FAILURE",
        "OAUTH_SCOPE_MISMATCH",
        "invalid_code",
        "invalid_client",
        "invalid_client_secret",
        "invalid_grant",
        "access_denied",
        "Access Denied",
    }
)


class ZohoApiError(BulkWizardError):
    """A Zoho call that failed.

    Attributes:
        code: Zoho's error code (``INVALID_FILE_ID``, ``invalid_code`` ...) or one of ours
            (``NETWORK_ERROR``, ``TIMEOUT``, ``UNEXPECTED_RESPONSE``).
        http_status: the HTTP status, ``None`` when no response arrived.
        message: Zoho's message (redacted).
        details: Zoho's ``details`` object (redacted).
        request: method and path, e.g. ``"POST /crm/bulk/v8/write"``.
        ambiguous: True when a non-idempotent call may have been carried out despite the error.
    """

    def __init__(
        self,
        code: str,
        http_status: int | None,
        message: str,
        details: Mapping[str, Any] | None = None,
        request: str = "",
    ) -> None:
        self.code = code
        self.http_status = http_status
        self.message = redact(message)
        self.details: dict[str, Any] = redact_value(dict(details or {}))
        self.request = request
        self.ambiguous = False
        super().__init__(self._describe())

    def _describe(self) -> str:
        status = f"HTTP {self.http_status}" if self.http_status is not None else "no response"
        where = f" ({self.request})" if self.request else ""
        text = f"{self.code}: {self.message} [{status}]{where}"
        if self.details:
            text += f" details={self.details}"
        return text


class ZohoAuthError(ZohoApiError):
    """The token or the grant was refused: sign in again (``bulkwizard-cli login``)."""


class ZohoNetworkError(ZohoApiError):
    """No usable answer: connection refused, DNS failure, time-out, broken transfer."""


class ZohoRateLimitError(ZohoApiError):
    """HTTP 429 ``TOO_MANY_REQUESTS`` still returned after the allowed retries.

    Attributes:
        retry_after: seconds the server asked to wait, when it said.
    """

    def __init__(self, *args: Any, retry_after: float | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.retry_after = retry_after


class ZohoServerError(ZohoApiError):
    """HTTP 5xx from Zoho still returned after the allowed retries."""


class JobCreationUncertainError(ZohoApiError):
    """Job creation failed ambiguously and no job could be found for the uploaded file.

    The client never re-sends a create request blindly; ``file_id`` lets the user look the job up.
    """

    def __init__(self, *args: Any, file_id: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.file_id = file_id


def request_label(method: str, url: str) -> str:
    """``"GET /crm/v8/org"``: the method and the path only (a query string can hold secrets)."""
    path = urlsplit(url).path or "/"
    return f"{method.upper()} {path}"


def parse_retry_after(value: str | None) -> float | None:
    """Seconds from a ``Retry-After`` header (delta-seconds form; an HTTP date is ignored)."""
    if not value:
        return None
    try:
        seconds = float(value.strip())
    except ValueError:
        return None
    return max(0.0, seconds)


def error_from_response(response: requests.Response, request: str) -> ZohoApiError:
    """Turn an error response into the matching typed error."""
    status = response.status_code
    body: Any = None
    try:
        body = response.json()
    except ValueError:
        body = None
    code, message, details = _fields_of(body, response)
    cls: type[ZohoApiError] = ZohoApiError
    kwargs: dict[str, Any] = {}
    if status == 429 or code == "TOO_MANY_REQUESTS":
        cls = ZohoRateLimitError
        kwargs["retry_after"] = parse_retry_after(response.headers.get("Retry-After"))
    elif status == 401 or code in AUTH_CODES:
        cls = ZohoAuthError
    elif status >= 500:
        cls = ZohoServerError
    return cls(code, status, message, details, request=request, **kwargs)


def _fields_of(body: Any, response: requests.Response) -> tuple[str, str, dict[str, Any]]:
    if isinstance(body, Mapping):
        if isinstance(body.get("code"), str):
            details = body.get("details")
            return (
                body["code"],
                str(body.get("message") or ""),
                dict(details) if isinstance(details, Mapping) else {},
            )
        if isinstance(body.get("error"), str):
            return body["error"], str(body.get("error_description") or body["error"]), {}
        if "ERROR_CODE" in body or "x-error" in body:
            message = str(body.get("x-error") or body.get("ERROR_MESSAGE") or "file server error")
            extra = {k: v for k, v in body.items() if k not in ("x-error",)}
            return "FILE_SERVER_ERROR", message, extra
        # A list-shaped CRM error: {"data": [{"code": ..., "message": ...}]}
        data = body.get("data")
        if isinstance(data, list) and data and isinstance(data[0], Mapping):
            return _fields_of(data[0], response)
    reason = response.reason or "error"
    text = (response.text or "")[:200] if body is None else ""
    message = f"{reason}: {text}".strip(": ") if text else reason
    return f"HTTP_{response.status_code}", message, {}
