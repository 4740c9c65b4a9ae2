"""Metadata endpoints: org, users, modules, fields, layouts (zoho-api.md §7).

The bodies are the demo org's (:mod:`bulkwizard.sandbox.demo.metadata`, served as they are, and
:mod:`bulkwizard.sandbox.demo.org`). Errors follow §7: ``REQUIRED_PARAM_MISSING`` when ``module``
is missing, ``INVALID_MODULE`` for an unknown module, 204 for an empty list.
"""

from __future__ import annotations

import copy
from typing import Any

from bulkwizard.sandbox.demo import org as demo_org
from bulkwizard.sandbox.http import VERSION, ApiError, Request, Response, Router
from bulkwizard.sandbox.state import SandboxState

JsonObject = dict[str, Any]
_V = rf"/crm/{VERSION}"


def register(router: Router, state: SandboxState) -> None:
    """Add the metadata routes."""
    api = MetadataApi(state)
    router.add("GET", rf"{_V}/org", api.org, scopes=("ZohoCRM.org.READ",))
    router.add("GET", rf"{_V}/users", api.users, scopes=("ZohoCRM.users.READ",))
    router.add("GET", rf"{_V}/users/(?P<user_id>\d+)", api.user, scopes=("ZohoCRM.users.READ",))
    router.add(
        "GET", rf"{_V}/settings/modules", api.modules, scopes=("ZohoCRM.settings.modules.READ",)
    )
    router.add(
        "GET",
        rf"{_V}/settings/modules/(?P<module>[^/]+)",
        api.module,
        scopes=("ZohoCRM.settings.modules.READ",),
    )
    router.add(
        "GET", rf"{_V}/settings/fields", api.fields, scopes=("ZohoCRM.settings.fields.READ",)
    )
    router.add(
        "GET",
        rf"{_V}/settings/fields/(?P<field_id>\d+)",
        api.field,
        scopes=("ZohoCRM.settings.fields.READ",),
    )
    router.add(
        "GET", rf"{_V}/settings/layouts", api.layouts, scopes=("ZohoCRM.settings.layouts.READ",)
    )
    router.add(
        "GET",
        rf"{_V}/settings/layouts/(?P<layout_id>\d+)",
        api.layout,
        scopes=("ZohoCRM.settings.layouts.READ",),
    )


def missing_param(name: str) -> ApiError:
    """400 ``REQUIRED_PARAM_MISSING`` for a missing query parameter."""
    return ApiError(
        400,
        "REQUIRED_PARAM_MISSING",
        "One of the expected parameter is missing",
        {"param": name},
    )


def invalid_module(name: str | None = None) -> ApiError:
    """400 ``INVALID_MODULE``."""
    details = {"param_name": "module"} if name is None else {"module_name": name}
    return ApiError(400, "INVALID_MODULE", "the module name given seems to be invalid", details)


class MetadataApi:
    """Handlers of the metadata routes."""

    def __init__(self, state: SandboxState) -> None:
        self.state = state

    def org(self, request: Request) -> Response:
        """``GET /org``."""
        return Response.json({"org": [copy.deepcopy(self.state.org)]})

    def users(self, request: Request) -> Response:
        """``GET /users?type=CurrentUser|AllUsers|...&page&per_page&ids``."""
        kind = request.query.get("type", "AllUsers")
        if kind not in demo_org.USER_TYPES:
            raise ApiError(
                400,
                "INVALID_DATA",
                "the given type is not valid",
                {"param_name": "type", "supported_values": list(demo_org.USER_TYPES)},
            )
        current = request.user["id"] if request.user else ""
        users = demo_org.users_of_type(self.state.records.users(), kind, current)
        if "ids" in request.query:
            wanted = {part.strip() for part in request.query["ids"].split(",") if part.strip()}
            users = [user for user in users if user["id"] in wanted]
        return paged_response(request, "users", users)

    def user(self, request: Request) -> Response:
        """``GET /users/{id}``."""
        user = self.state.records.find_user("id", request.params["user_id"])
        if user is None:
            return Response.empty()
        return Response.json({"users": [user]})

    def modules(self, request: Request) -> Response:
        """``GET /settings/modules``."""
        body = copy.deepcopy(self.state.modules_body)
        status = request.query.get("status")
        if status:
            wanted = {part.strip() for part in status.split(",")}
            body["modules"] = [m for m in body["modules"] if m.get("status") in wanted]
            if not body["modules"]:
                return Response.empty()
        return Response.json(body)

    def module(self, request: Request) -> Response:
        """``GET /settings/modules/{api_name}``."""
        name = self.state.module_name(request.params["module"])
        body = self.state.module_body(name) if name else None
        if body is None:
            raise invalid_module(request.params["module"])
        if name in self.state.fields_bodies:
            body["layouts"] = [
                {"id": layout["id"], "name": layout["name"], "status": layout["status"]}
                for layout in self._layouts(name)
            ]
        return Response.json({"modules": [body]})

    def _module_param(self, request: Request) -> str:
        raw = request.query.get("module")
        if not raw:
            raise missing_param("module")
        name = self.state.module_name(raw)
        if name is None or name not in self.state.fields_bodies:
            raise invalid_module()
        return name

    def fields(self, request: Request) -> Response:
        """``GET /settings/fields?module=X[&type=all|used|unused]``."""
        name = self._module_param(request)
        kind = request.query.get("type", "used").lower()
        if kind not in ("all", "used", "unused"):
            raise ApiError(
                400,
                "INVALID_DATA",
                "the given type is not valid",
                {"param_name": "type", "supported_values": ["all", "used", "unused"]},
            )
        if kind == "unused":  # the demo org has no unused fields
            return Response.empty()
        return Response.json(copy.deepcopy(self.state.fields_bodies[name]))

    def field(self, request: Request) -> Response:
        """``GET /settings/fields/{id}?module=X``."""
        name = self._module_param(request)
        for item in self.state.fields_bodies[name]["fields"]:
            if item["id"] == request.params["field_id"]:
                return Response.json({"fields": [copy.deepcopy(item)]})
        raise ApiError(
            400, "INVALID_DATA", "the id given seems to be invalid", {"resource_path_index": 3}
        )

    def _layouts(self, module: str) -> list[JsonObject]:
        body = demo_org.layouts_body(module, self.state.fields_bodies[module])
        layouts: list[JsonObject] = body["layouts"]
        return layouts

    def layouts(self, request: Request) -> Response:
        """``GET /settings/layouts?module=X``."""
        name = self._module_param(request)
        if self.state.metadata.module(name) is None or name not in self.state.fields_bodies:
            raise invalid_module()
        module = self.state.metadata.module(name)
        if module is not None and module.generated_type in ("subform", "linking"):
            raise invalid_module()  # subform and linking modules have no layouts of their own
        return Response.json({"layouts": self._layouts(name)})

    def layout(self, request: Request) -> Response:
        """``GET /settings/layouts/{id}?module=X``."""
        name = self._module_param(request)
        for layout in self._layouts(name):
            if layout["id"] == request.params["layout_id"]:
                return Response.json({"layouts": [layout]})
        raise ApiError(
            400, "INVALID_DATA", "the id given seems to be invalid", {"resource_path_index": 3}
        )


def paged_response(request: Request, key: str, items: list[Any]) -> Response:
    """One page of ``items`` as Zoho lists answer: ``{key: [...], "info": {...}}``, 204 if empty."""
    page, per_page = page_params(request)
    chunk = items[(page - 1) * per_page : page * per_page]
    if not chunk:
        return Response.empty()
    info = {
        "per_page": per_page,
        "count": len(chunk),
        "page": page,
        "more_records": page * per_page < len(items),
    }
    return Response.json({key: chunk, "info": info})


def page_params(request: Request, max_per_page: int = 200) -> tuple[int, int]:
    """``page`` and ``per_page`` query parameters, validated (400 ``INVALID_DATA`` if bad)."""
    try:
        page = int(request.query.get("page", "1"))
        per_page = int(request.query.get("per_page", str(max_per_page)))
    except ValueError:
        raise ApiError(
            400, "INVALID_DATA", "page and per_page must be numbers", {"param_name": "page"}
        ) from None
    if page < 1:
        raise ApiError(400, "INVALID_DATA", "invalid page", {"param_name": "page"})
    if per_page < 1 or per_page > max_per_page:
        raise ApiError(
            400,
            "INVALID_DATA",
            f"per_page must be between 1 and {max_per_page}",
            {"param_name": "per_page", "maximum_length": max_per_page},
        )
    return page, per_page
