"""The HTTP framework the sandbox's endpoints are written on: requests, responses, routes, scopes.

Entry points: :class:`Router` and :class:`Route` (path patterns with the OAuth scopes a route
needs), :class:`Request` / :class:`Response`, and :class:`ApiError` (an error in Zoho's JSON shape).
"""

from bulkwizard.sandbox.http.routing import (
    VERSION,
    ApiError,
    HttpError,
    Request,
    Response,
    Route,
    Router,
    UploadedFile,
)
from bulkwizard.sandbox.http.scopes import FULL_SCOPES, grants_any, is_valid_scope, parse_scope_list

__all__ = [
    "ApiError",
    "FULL_SCOPES",
    "HttpError",
    "Request",
    "Response",
    "Route",
    "Router",
    "UploadedFile",
    "VERSION",
    "grants_any",
    "is_valid_scope",
    "parse_scope_list",
]
