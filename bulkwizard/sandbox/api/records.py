"""Records API: enough to verify and undo imports (list, get, search, delete).

- ``GET /crm/v{N}/{module}?fields=&page=&per_page=&sort_by=&sort_order=``: ``fields`` is
  mandatory from v4 on (at most 50), ``per_page`` at most 200; 204 when there are no records.
- ``GET /crm/v{N}/{module}/{id}``: one record with its subform rows and multi-select lookups;
  204 when there is no such record.
- ``GET /crm/v{N}/{module}/search?criteria=|email=|phone=|word=``: 204 when nothing matches.
- ``DELETE /crm/v{N}/{module}?ids=a,b``: at most 100 ids; one result object per id.

Scopes: ``ZohoCRM.modules.{module}.READ`` / ``.DELETE`` (``custom`` for custom modules), or any
broader grant such as ``ZohoCRM.modules.ALL``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from bulkwizard.sandbox.api.metadata import missing_param, page_params, paged_response
from bulkwizard.sandbox.criteria import Condition, Criteria, CriteriaError, parse_criteria
from bulkwizard.sandbox.http import VERSION, ApiError, Request, Response, Router
from bulkwizard.sandbox.state import SandboxState

_V = rf"/crm/{VERSION}"
_MODULE = r"(?P<module>[A-Za-z][A-Za-z0-9_]*)"
MAX_FIELDS = 50
MAX_DELETE_IDS = 100
MAX_SEARCH_RESULTS = 2000
SORTABLE = ("id", "Created_Time", "Modified_Time")


def register(router: Router, state: SandboxState) -> None:
    """Add the records routes (last: their module pattern matches most paths)."""
    api = RecordsApi(state)
    router.add("GET", rf"{_V}/{_MODULE}/search", api.search)
    router.add("GET", rf"{_V}/{_MODULE}/(?P<record_id>\d+)", api.get)
    router.add("GET", rf"{_V}/{_MODULE}", api.list)
    router.add("DELETE", rf"{_V}/{_MODULE}", api.delete)


class RecordsApi:
    """Handlers of the records routes."""

    def __init__(self, state: SandboxState) -> None:
        self.state = state

    def _module(self, request: Request, operation: str) -> str:
        raw = request.params["module"]
        name = self.state.module_name(raw)
        module = self.state.metadata.module(name) if name else None
        if name is None or module is None or name not in self.state.fields_bodies:
            raise ApiError(
                400,
                "INVALID_MODULE",
                "the module name given seems to be invalid",
                {"resource_path_index": 0},
            )
        scope = self.state.module_scope(name)
        request.require_scope(f"ZohoCRM.modules.{scope}.{operation}")
        return name

    def _fields_param(self, request: Request, module: str, required: bool) -> list[str] | None:
        raw = request.query.get("fields")
        if not raw:
            if required:
                raise missing_param("fields")
            return None
        names = [part.strip() for part in raw.split(",") if part.strip()]
        if len(names) > MAX_FIELDS:
            raise ApiError(
                400,
                "LIMIT_EXCEEDED",
                f"fields given exceeds the maximum limit of {MAX_FIELDS}",
                {"limit": MAX_FIELDS},
            )
        known = self.state.metadata.fields_of(module) or {}
        for name in names:
            if name != "id" and name not in known:
                raise ApiError(
                    400,
                    "INVALID_DATA",
                    "the field name given seems to be invalid",
                    {"api_name": name},
                )
        return names

    def list(self, request: Request) -> Response:
        """``GET /{module}``."""
        module = self._module(request, "READ")
        fields = self._fields_param(request, module, required=_fields_mandatory(request))
        page, per_page = page_params(request)
        sort_by = request.query.get("sort_by", "id")
        sort_order = request.query.get("sort_order", "asc").lower()
        if sort_by not in SORTABLE:
            raise ApiError(
                400,
                "INVALID_DATA",
                "the sort_by given seems to be invalid",
                {"param_name": "sort_by", "supported_values": list(SORTABLE)},
            )
        if sort_order not in ("asc", "desc"):
            raise ApiError(
                400,
                "INVALID_DATA",
                "the sort_order given seems to be invalid",
                {"param_name": "sort_order", "supported_values": ["asc", "desc"]},
            )
        records, more = self.state.records.list(module, page, per_page, sort_by, sort_order, fields)
        if not records:
            return Response.empty()
        info = {
            "per_page": per_page,
            "count": len(records),
            "page": page,
            "sort_by": sort_by,
            "sort_order": sort_order,
            "more_records": more,
            "next_page_token": None,
            "previous_page_token": None,
            "page_token_expiry": None,
        }
        return Response.json({"data": records, "info": info})

    def get(self, request: Request) -> Response:
        """``GET /{module}/{id}``."""
        module = self._module(request, "READ")
        fields = self._fields_param(request, module, required=False)
        record = self.state.records.get(module, request.params["record_id"])
        if record is None:
            return Response.empty()
        if fields is not None:
            record = {k: v for k, v in record.items() if k in fields or k == "id"}
        return Response.json({"data": [record]})

    def search(self, request: Request) -> Response:
        """``GET /{module}/search``."""
        module = self._module(request, "READ")
        criteria = self._criteria(request, module)
        matches = self.state.records.search(module, criteria)[:MAX_SEARCH_RESULTS]
        return paged_response(request, "data", matches)

    def _criteria(self, request: Request, module: str) -> Criteria:
        query = request.query
        fields = self.state.metadata.fields_of(module) or {}
        if query.get("criteria"):
            try:
                criteria = parse_criteria(query["criteria"])
            except CriteriaError as exc:
                raise ApiError(
                    400, "INVALID_QUERY", "invalid query formed", {"reason": str(exc)}
                ) from None
            for name in criteria.fields():
                if name != "id" and name not in fields:
                    raise ApiError(
                        400,
                        "INVALID_QUERY",
                        "invalid query formed",
                        {"api_name": name, "reason": "the field is not available"},
                    )
            for condition in _conditions(criteria):
                problem = _value_problem(condition, fields)
                if problem:
                    raise ApiError(
                        400,
                        "INVALID_QUERY",
                        "invalid query formed",
                        {"api_name": condition.field, "reason": problem},
                    )
            return criteria
        if query.get("email"):
            names = [f.api_name for f in fields.values() if f.data_type == "email"]
            return _any_equals(names, query["email"])
        if query.get("phone"):
            names = [f.api_name for f in fields.values() if f.data_type == "phone"]
            return _any_equals(names, query["phone"])
        if query.get("word"):
            names = [
                f.api_name
                for f in fields.values()
                if f.data_type in ("text", "email", "phone", "website", "textarea")
            ]
            return _any_contains(names, query["word"])
        raise missing_param("criteria")

    def delete(self, request: Request) -> Response:
        """``DELETE /{module}?ids=``."""
        module = self._module(request, "DELETE")
        raw = request.query.get("ids", "")
        ids = [part.strip() for part in raw.split(",") if part.strip()]
        if not ids:
            raise missing_param("ids")
        if len(ids) > MAX_DELETE_IDS:
            raise ApiError(
                400,
                "LIMIT_EXCEEDED",
                f"the number of ids exceeds the maximum limit of {MAX_DELETE_IDS}",
                {"limit": MAX_DELETE_IDS},
            )
        valid = [record_id for record_id in ids if record_id.isdigit()]
        deleted = self.state.records.delete(module, valid)
        data: list[dict[str, Any]] = []
        for record_id in ids:
            if deleted.get(record_id):
                data.append(
                    {
                        "code": "SUCCESS",
                        "details": {"id": record_id},
                        "message": "record deleted",
                        "status": "success",
                    }
                )
            else:
                data.append(
                    {
                        "code": "INVALID_DATA",
                        "details": {"id": record_id},
                        "message": "record not deleted",
                        "status": "error",
                    }
                )
        return Response.json({"data": data})


def _fields_mandatory(request: Request) -> bool:
    """``fields`` became mandatory for listing records in API v4."""
    version = request.version or "v8"
    try:
        return float(version[1:]) >= 4
    except ValueError:
        return True


_ORDERED_OPERATORS = ("greater_than", "greater_equal", "less_than", "less_equal", "between")
_NUMERIC_TYPES = ("integer", "bigint", "double", "currency", "percent", "autonumber")


def _conditions(criteria: Criteria) -> list[Condition]:
    if criteria.condition is not None:
        return [criteria.condition]
    return [leaf for child in criteria.children for leaf in _conditions(child)]


def _value_problem(condition: Condition, fields: dict[str, Any]) -> str | None:
    """Why Zoho would reject the condition's value (empty, wrong type, bad range), or None.

    Ordering operators apply to numbers, dates and date-times only, with values of that type;
    ``between`` takes exactly two. Without this the search silently matched nothing (204).
    """
    values = [v.strip() for v in re.split(r"(?<!\\),", condition.value)]
    if not any(values):
        return "the value is empty"
    if condition.operator not in _ORDERED_OPERATORS:
        return None
    if condition.operator == "between" and len(values) != 2:
        return "between needs two values separated by a comma"
    meta = fields.get(condition.field)
    data_type = "bigint" if condition.field == "id" else getattr(meta, "data_type", None)
    parse: Callable[[str], object]
    if data_type in _NUMERIC_TYPES:
        parse = float
    elif data_type == "date":
        parse = date.fromisoformat
    elif data_type == "datetime":
        parse = datetime.fromisoformat
    else:
        return f"{condition.operator} is not supported for {data_type or 'this'} fields"
    for value in values:
        try:
            parse(value)
        except ValueError:
            return f"'{value}' is not a valid {data_type} value"
    return None


def _any_equals(names: list[str], value: str) -> Criteria:
    escaped = value.replace("(", r"\(").replace(")", r"\)").replace(",", r"\,")
    children = tuple(
        Criteria("leaf", condition=Condition(name, "equals", escaped)) for name in names
    )
    return Criteria("or", children)


@dataclass(frozen=True)
class WordCriteria(Criteria):
    """Matches records where any of ``names`` contains ``word`` (``word=`` searches)."""

    names: tuple[str, ...] = ()
    word: str = ""

    def matches(self, record: dict[str, Any]) -> bool:
        """Whether any of the fields contains the word, ignoring case."""
        lowered = self.word.lower()
        return any(lowered in str(record.get(name) or "").lower() for name in self.names)

    def fields(self) -> set[str]:
        """The searched fields."""
        return set(self.names)


def _any_contains(names: list[str], word: str) -> Criteria:
    return WordCriteria("or", names=tuple(names), word=word)
