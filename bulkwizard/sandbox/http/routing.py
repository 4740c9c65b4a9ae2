"""Request, response and router of the sandbox: the small HTTP toolkit every endpoint builds on.

Handlers are plain functions ``handler(request: Request) -> Response``. They either return a
:class:`Response` or raise :class:`HttpError` (``ApiError`` for Zoho's CRM error shape); the router
turns the exception into its response. Routes are regular expressions matched against the whole
path; named groups become ``request.params``. Use :data:`VERSION` for the API version segment::

    router.add("GET", rf"/crm/{VERSION}/org", get_org, scopes=("ZohoCRM.org.READ",))
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from email.parser import BytesParser
from email.policy import HTTP
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl

from requests.structures import CaseInsensitiveDict

from bulkwizard.sandbox.http.scopes import grants_any

if TYPE_CHECKING:
    from bulkwizard.sandbox.token_store import AccessToken

# Any Zoho API version segment: v2, v2.1, v8 ...; a named group would clash when used twice.
VERSION = r"v\d+(?:\.\d+)?"
JSON_CONTENT_TYPE = "application/json;charset=UTF-8"


@dataclass
class Response:
    """An HTTP response: status, headers, body bytes."""

    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)

    @classmethod
    def json(
        cls, data: Any, status: int = 200, headers: Mapping[str, str] | None = None
    ) -> Response:
        """A JSON body with Zoho's content type (``application/json;charset=UTF-8``)."""
        body = json.dumps(data, ensure_ascii=False).encode("utf-8")
        all_headers = {"Content-Type": JSON_CONTENT_TYPE, **(headers or {})}
        return cls(status, body, all_headers)

    @classmethod
    def error(
        cls,
        status: int,
        code: str,
        message: str,
        details: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> Response:
        """Zoho's CRM error shape: ``{"code", "details", "message", "status": "error"}``."""
        data = {"code": code, "details": dict(details or {}), "message": message, "status": "error"}
        return cls.json(data, status, headers)

    @classmethod
    def file(
        cls, data: bytes, filename: str, content_type: str = "application/zip", status: int = 200
    ) -> Response:
        """A download: file content type plus ``Content-Disposition: attachment``."""
        headers = {
            "Content-Type": content_type,
            "Content-Disposition": f'attachment; filename="{filename}"',
        }
        return cls(status, data, headers)

    @classmethod
    def empty(cls, status: int = 204) -> Response:
        """No body (Zoho answers 204 when a list or search has no records)."""
        return cls(status, b"", {})

    @classmethod
    def html(cls, text: str, status: int = 200) -> Response:
        """An HTML page (the consent page of the browser sign-in)."""
        return cls(status, text.encode("utf-8"), {"Content-Type": "text/html;charset=UTF-8"})

    @classmethod
    def redirect(cls, location: str) -> Response:
        """A 302 redirect."""
        return cls(302, b"", {"Location": location})


class HttpError(Exception):
    """Raised by a handler to answer with ``response`` (any shape, e.g. the file-server one)."""

    def __init__(self, response: Response) -> None:
        super().__init__(f"HTTP {response.status}")
        self.response = response


class ApiError(HttpError):
    """Raised by a handler to answer with Zoho's CRM error shape."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        details: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(Response.error(status, code, message, details, headers))
        self.code = code
        self.message = message


@dataclass(frozen=True)
class UploadedFile:
    """One part of a multipart/form-data body."""

    name: str
    filename: str | None
    content_type: str
    data: bytes


@dataclass
class Request:
    """One HTTP request as handlers see it.

    Attributes:
        method: upper-case HTTP method.
        path: the path without the query string (percent-decoding is not applied).
        params: named groups of the matched route.
        query: query-string parameters (first value of each; ``query_all`` has every value).
        headers: case-insensitive request headers.
        body: the raw request body.
        token: the authenticated access token (``None`` on routes with ``auth=False``).
        user: the authenticated user's Users-API object (``None`` without auth).
        scopes: the token's scopes (empty without auth).
    """

    method: str
    path: str
    query_string: str = ""
    headers: CaseInsensitiveDict[str] = field(default_factory=CaseInsensitiveDict)
    body: bytes = b""
    params: dict[str, str] = field(default_factory=dict)
    client_address: str = "127.0.0.1"
    token: AccessToken | None = None
    user: dict[str, Any] | None = None
    scopes: tuple[str, ...] = ()

    @property
    def query_all(self) -> list[tuple[str, str]]:
        """Every query parameter in order, repeated names included."""
        return parse_qsl(self.query_string, keep_blank_values=True)

    @property
    def query(self) -> dict[str, str]:
        """Query parameters, the first value of each name."""
        result: dict[str, str] = {}
        for name, value in self.query_all:
            result.setdefault(name, value)
        return result

    @property
    def version(self) -> str | None:
        """The API version segment of the path (``v8``), if any."""
        match = re.search(rf"/({VERSION})(?:/|$)", self.path)
        return match.group(1) if match else None

    def json(self) -> Any:
        """The body parsed as JSON; raises :class:`ApiError` 400 ``INVALID_DATA`` if it is not."""
        try:
            return json.loads(self.body.decode("utf-8-sig") or "null")
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise ApiError(
                400, "INVALID_DATA", "body is not valid JSON", {"reason": str(exc)}
            ) from None

    def form(self) -> dict[str, str]:
        """An ``application/x-www-form-urlencoded`` body (first value of each name)."""
        result: dict[str, str] = {}
        for name, value in parse_qsl(self.body.decode("utf-8", "replace"), keep_blank_values=True):
            result.setdefault(name, value)
        return result

    def files(self) -> dict[str, UploadedFile]:
        """The parts of a ``multipart/form-data`` body by field name (empty if not multipart)."""
        content_type = self.headers.get("Content-Type", "")
        if not content_type.lower().startswith("multipart/"):
            return {}
        head = BytesParser(policy=HTTP).parsebytes(f"Content-Type: {content_type}\r\n\r\n".encode())
        boundary = head.get_param("boundary")
        if not isinstance(boundary, str) or not boundary:
            return {}
        # Split on the boundary with bytes.find: linear and fast for a 25 MB upload, where
        # the email package's line-based parser takes most of a second.
        delimiter = b"\r\n--" + boundary.encode("latin-1")
        data = b"\r\n" + self.body
        result: dict[str, UploadedFile] = {}
        position = data.find(delimiter)
        while position != -1:
            start = position + len(delimiter)
            if data[start : start + 2] == b"--":
                break  # the closing delimiter
            end = data.find(delimiter, start)
            if end == -1:
                break  # truncated body: ignore the unterminated part
            part = data[start:end]
            header_end = part.find(b"\r\n\r\n")
            if header_end != -1:
                headers = BytesParser(policy=HTTP).parsebytes(
                    part[:header_end].lstrip(b"\r\n") + b"\r\n\r\n"
                )
                name = headers.get_param("name", header="content-disposition")
                if isinstance(name, str):
                    result[name] = UploadedFile(
                        name=name,
                        filename=headers.get_filename(),
                        content_type=headers.get_content_type(),
                        data=part[header_end + 4 :],
                    )
            position = end
        return result

    def require_scope(self, *alternatives: str) -> None:
        """Raise 401 ``OAUTH_SCOPE_MISMATCH`` unless the token grants one of ``alternatives``."""
        if not grants_any(self.scopes, alternatives):
            raise ApiError(
                401, "OAUTH_SCOPE_MISMATCH", "invalid oauth scope to access this URL", {}
            )


Handler = Callable[[Request], Response]


@dataclass(frozen=True)
class Route:
    """One registered route; see :meth:`Router.add`."""

    method: str
    pattern: re.Pattern[str]
    handler: Handler
    scopes: tuple[str, ...]
    credits: int
    auth: bool
    faults: bool


class Router:
    """Maps (method, path) to handlers, first registered match wins."""

    def __init__(self) -> None:
        self.routes: list[Route] = []

    def add(
        self,
        method: str,
        path_regex: str,
        handler: Handler,
        scopes: Iterable[str] = (),
        credits: int = 1,
        auth: bool = True,
        faults: bool | None = None,
    ) -> None:
        """Register ``handler`` for ``method`` and a path regex matched against the whole path.

        Args:
            method: HTTP method (``GET``, ``POST``, ...).
            path_regex: e.g. ``rf"/crm/bulk/{VERSION}/write/(?P<job_id>\\d+)"``.
            handler: called with the :class:`Request`; returns a :class:`Response`.
            scopes: each entry is one required scope; an entry may list alternatives separated
                by ``|`` (``"ZohoCRM.bulk.CREATE|ZohoCRM.bulk.READ"``). ``ALL`` and parent
                scopes imply narrower ones (see :mod:`bulkwizard.sandbox.http.scopes`).
            credits: API credits charged when the call passes auth (500 for a bulk job).
            auth: require ``Authorization: Zoho-oauthtoken <token>``.
            faults: subject to injected faults (default: same as ``auth``).
        """
        self.routes.append(
            Route(
                method.upper(),
                re.compile(path_regex),
                handler,
                tuple(scopes),
                credits,
                auth,
                auth if faults is None else faults,
            )
        )

    def match(self, method: str, path: str) -> tuple[Route | None, dict[str, str], bool]:
        """Return (route, path params, path_known) for a request."""
        path_known = False
        for route in self.routes:
            found = route.pattern.fullmatch(path)
            if found is None:
                continue
            path_known = True
            if route.method == method.upper():
                params = {k: v for k, v in found.groupdict().items() if v is not None}
                return route, params, True
        return None, {}, path_known
