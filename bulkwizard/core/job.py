"""The Bulk Write job model: the request body of Zoho's Create Bulk Write Job API.

One :class:`BulkWriteJob` is what the wizard edits, what a template saves and what the client sends.
``to_json()`` gives exactly the API's JSON (keys only when set, ids as strings); ``from_json()``
reads it back, tolerant where Zoho is (``callBack`` spelling, ``module`` as a plain string as in
v2, numeric ids) and precise otherwise: every error names the JSON path and, when the job came
from text, the line.

Missing *mandatory* keys (``operation``, ``find_by`` ...) are not load errors: the model keeps them
as ``None`` so that the pre-flight validator can report them with Zoho's error codes.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from bulkwizard.core.errors import JobFormatError
from bulkwizard.core.jsonpos import Positions, child_path, loads_with_positions

OPERATIONS = ("insert", "update", "upsert")
RESOURCE_TYPE_DATA = "data"
CALLBACK_METHODS = ("post",)

JsonObject = dict[str, Any]
DefaultScalar = str | int | float | bool | None


@dataclass
class ModuleRef:
    """A module named in a resource: ``{"api_name": "Leads", "id": "3652397000000002181"}``."""

    api_name: str
    id: str | None = None

    def to_json(self) -> JsonObject:
        data: JsonObject = {"api_name": self.api_name}
        if self.id is not None:
            data["id"] = self.id
        return data


@dataclass
class DefaultValue:
    """``default_value`` of a mapping: used when the cell is empty or the mapping has no index.

    ``name`` and ``module`` appear in Zoho's OpenAPI schema (undocumented); kept when given.
    """

    value: DefaultScalar
    name: str | None = None
    module: str | None = None

    def to_json(self) -> JsonObject:
        data: JsonObject = {"value": self.value}
        if self.name is not None:
            data["name"] = self.name
        if self.module is not None:
            data["module"] = self.module
        return data


@dataclass
class FieldMapping:
    """One ``field_mappings[]`` entry: which CSV column (or default) feeds which CRM field."""

    api_name: str
    index: int | None = None
    find_by: str | None = None
    format: str | None = None
    default_value: DefaultValue | None = None
    parent_column_index: int | None = None
    module: str | None = None

    def to_json(self) -> JsonObject:
        data: JsonObject = {"api_name": self.api_name}
        if self.index is not None:
            data["index"] = self.index
        if self.find_by is not None:
            data["find_by"] = self.find_by
        if self.format is not None:
            data["format"] = self.format
        if self.default_value is not None:
            data["default_value"] = self.default_value.to_json()
        if self.parent_column_index is not None:
            data["parent_column_index"] = self.parent_column_index
        if self.module is not None:
            data["module"] = self.module
        return data


@dataclass
class Resource:
    """One ``resource[]`` entry: a module, the uploaded file and how its columns map.

    ``field_mappings`` is ``None`` when the CSV header row holds field API names (auto-mapping).
    """

    module: ModuleRef
    type: str | None = RESOURCE_TYPE_DATA
    file_id: str | None = None
    file_names: list[str] | None = None
    find_by: str | None = None
    ignore_empty: bool | None = None
    field_mappings: list[FieldMapping] | None = None

    def to_json(self) -> JsonObject:
        data: JsonObject = {}
        if self.type is not None:
            data["type"] = self.type
        data["module"] = self.module.to_json()
        if self.file_id is not None:
            data["file_id"] = self.file_id
        if self.file_names is not None:
            data["file_names"] = list(self.file_names)
        if self.find_by is not None:
            data["find_by"] = self.find_by
        if self.ignore_empty is not None:
            data["ignore_empty"] = self.ignore_empty
        if self.field_mappings is not None:
            data["field_mappings"] = [mapping.to_json() for mapping in self.field_mappings]
        return data

    def mapping(self, api_name: str) -> FieldMapping | None:
        """Return the first mapping of ``api_name``, if any."""
        for candidate in self.field_mappings or ():
            if candidate.api_name == api_name:
                return candidate
        return None

    @property
    def parent_link(self) -> FieldMapping | None:
        """The mapping that links this (child) resource's rows to parent rows, if any."""
        for candidate in self.field_mappings or ():
            if candidate.parent_column_index is not None:
                return candidate
        return None


@dataclass
class Callback:
    """``callback``: where Zoho POSTs the job details when the job ends."""

    url: str | None = None
    method: str | None = None

    def to_json(self) -> JsonObject:
        data: JsonObject = {}
        if self.url is not None:
            data["url"] = self.url
        if self.method is not None:
            data["method"] = self.method
        return data


@dataclass
class BulkWriteJob:
    """The whole Create Bulk Write Job request."""

    operation: str | None = None
    resources: list[Resource] = field(default_factory=list)
    ignore_empty: bool | None = None
    callback: Callback | None = None
    character_encoding: str | None = None

    @property
    def is_parent_child(self) -> bool:
        """True when the job writes a parent module and one or more child modules."""
        return len(self.resources) > 1

    def to_json(self) -> JsonObject:
        """Return the request body exactly as the API expects it."""
        data: JsonObject = {}
        if self.operation is not None:
            data["operation"] = self.operation
        if self.character_encoding is not None:
            data["character_encoding"] = self.character_encoding
        if self.ignore_empty is not None:
            data["ignore_empty"] = self.ignore_empty
        if self.callback is not None:
            data["callback"] = self.callback.to_json()
        if self.resources:
            data["resource"] = [resource.to_json() for resource in self.resources]
        return data

    def copy(self) -> BulkWriteJob:
        """Return a deep copy (the wizard edits copies, templates keep originals)."""
        return copy.deepcopy(self)

    @classmethod
    def from_json(cls, data: Any, positions: Positions | None = None) -> BulkWriteJob:
        """Read a request body (a parsed JSON object).

        Args:
            data: the parsed JSON.
            positions: JSON path -> (line, column), from :func:`loads_with_positions`, so errors
                can name the line.

        Raises:
            JobFormatError: the JSON is not a job; names the path (and line when known).
        """
        return _Reader(positions or {}).job(data)

    @classmethod
    def from_text(cls, text: str, source: str | None = None) -> BulkWriteJob:
        """Parse job JSON text; errors name ``source``, the line and the column."""
        try:
            data, positions = loads_with_positions(text)
            return cls.from_json(data, positions)
        except JobFormatError as exc:
            raise exc.with_source(source) if source else exc from None


# --- reading -----------------------------------------------------------------------------------

_JOB_KEYS = {"operation", "ignore_empty", "callback", "callBack", "character_encoding", "resource"}
_RESOURCE_KEYS = {
    "type",
    "module",
    "file_id",
    "file_names",
    "find_by",
    "ignore_empty",
    "field_mappings",
}
_MAPPING_KEYS = {
    "api_name",
    "index",
    "find_by",
    "format",
    "default_value",
    "parent_column_index",
    "module",
}


class _Reader:
    """Turns parsed JSON into the model, raising errors that carry path and line."""

    def __init__(self, positions: Positions) -> None:
        self.positions = positions

    def error(self, message: str, path: str) -> JobFormatError:
        line, column = self.positions.get(path, (None, None))
        return JobFormatError(message, path=path, line=line, column=column)

    def obj(self, value: Any, path: str, what: str) -> Mapping[str, Any]:
        if not isinstance(value, dict):
            raise self.error(f"{what} must be a JSON object, not {_kind(value)}", path)
        return value

    def unknown_keys(
        self, data: Mapping[str, Any], allowed: set[str], path: str, what: str
    ) -> None:
        for key in data:
            if key not in allowed:
                hint = ""
                if what == "a field mapping" and key in _RESOURCE_KEYS - _MAPPING_KEYS:
                    hint = (
                        "; this looks like a resource placed inside field_mappings: move it out "
                        "to the resource array"
                    )
                raise self.error(
                    f"unknown key {key!r} in {what} (allowed: {', '.join(sorted(allowed))}){hint}",
                    child_path(path, key),
                )

    def optional_str(self, data: Mapping[str, Any], key: str, path: str) -> str | None:
        value = data.get(key)
        if value is None:
            return None
        if not isinstance(value, str):
            raise self.error(f"{key} must be a string, not {_kind(value)}", child_path(path, key))
        return value

    def optional_bool(self, data: Mapping[str, Any], key: str, path: str) -> bool | None:
        value = data.get(key)
        if value is None:
            return None
        if not isinstance(value, bool):
            raise self.error(
                f"{key} must be true or false, not {_kind(value)}", child_path(path, key)
            )
        return value

    def optional_int(self, data: Mapping[str, Any], key: str, path: str) -> int | None:
        value = data.get(key)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int):
            raise self.error(
                f"{key} must be a whole number (a column index counted from 0), not {_kind(value)}",
                child_path(path, key),
            )
        return value

    def optional_id(self, data: Mapping[str, Any], key: str, path: str) -> str | None:
        """Ids are strings in the API; accept JSON numbers too (Zoho's schema types them int64)."""
        value = data.get(key)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, str | int):
            raise self.error(
                f"{key} must be an id string, not {_kind(value)}", child_path(path, key)
            )
        return str(value)

    def job(self, data: Any) -> BulkWriteJob:
        data = self.obj(data, "$", "the job")
        self.unknown_keys(data, _JOB_KEYS, "$", "the job")
        if "callback" in data and "callBack" in data:
            raise self.error("give either callback or callBack, not both", "$.callBack")
        callback_key = "callBack" if "callBack" in data else "callback"
        callback = None
        if data.get(callback_key) is not None:
            callback = self.callback(data[callback_key], child_path("$", callback_key))
        resources_data = data.get("resource")
        resources: list[Resource] = []
        if resources_data is not None:
            if not isinstance(resources_data, list):
                raise self.error(
                    f"resource must be a JSON array, not {_kind(resources_data)}", "$.resource"
                )
            resources = [
                self.resource(item, child_path("$.resource", position))
                for position, item in enumerate(resources_data)
            ]
        return BulkWriteJob(
            operation=self.optional_str(data, "operation", "$"),
            resources=resources,
            ignore_empty=self.optional_bool(data, "ignore_empty", "$"),
            callback=callback,
            character_encoding=self.optional_str(data, "character_encoding", "$"),
        )

    def callback(self, value: Any, path: str) -> Callback:
        data = self.obj(value, path, "callback")
        self.unknown_keys(data, {"url", "method"}, path, "callback")
        return Callback(
            url=self.optional_str(data, "url", path),
            method=self.optional_str(data, "method", path),
        )

    def module(self, value: Any, path: str) -> ModuleRef:
        if isinstance(value, str):  # API v2 spelling: "module": "Leads"
            if not value.strip():
                raise self.error('module needs an API name, e.g. "Leads"', path)
            return ModuleRef(api_name=value)
        data = self.obj(value, path, "module")
        self.unknown_keys(data, {"api_name", "id"}, path, "module")
        api_name = self.optional_str(data, "api_name", path)
        if not api_name:
            raise self.error('module needs an api_name, e.g. {"api_name": "Leads"}', path)
        return ModuleRef(api_name=api_name, id=self.optional_id(data, "id", path))

    def resource(self, value: Any, path: str) -> Resource:
        data = self.obj(value, path, "a resource")
        self.unknown_keys(data, _RESOURCE_KEYS, path, "a resource")
        if data.get("module") is None:
            raise self.error("a resource needs a module", path)
        file_names = data.get("file_names")
        if file_names is not None:
            names_path = child_path(path, "file_names")
            if not isinstance(file_names, list):
                raise self.error(
                    f"file_names must be an array of CSV names, not {_kind(file_names)}",
                    names_path,
                )
            for position, name in enumerate(file_names):
                if not isinstance(name, str):
                    raise self.error(
                        f"file names must be strings, not {_kind(name)}",
                        child_path(names_path, position),
                    )
        mappings_data = data.get("field_mappings")
        mappings: list[FieldMapping] | None = None
        if mappings_data is not None:
            mappings_path = child_path(path, "field_mappings")
            if not isinstance(mappings_data, list):
                raise self.error(
                    f"field_mappings must be an array, not {_kind(mappings_data)}", mappings_path
                )
            mappings = [
                self.mapping(item, child_path(mappings_path, position))
                for position, item in enumerate(mappings_data)
            ]
        return Resource(
            module=self.module(data["module"], child_path(path, "module")),
            type=self.optional_str(data, "type", path),
            file_id=self.optional_id(data, "file_id", path),
            file_names=list(file_names) if file_names is not None else None,
            find_by=self.optional_str(data, "find_by", path),
            ignore_empty=self.optional_bool(data, "ignore_empty", path),
            field_mappings=mappings,
        )

    def mapping(self, value: Any, path: str) -> FieldMapping:
        data = self.obj(value, path, "a field mapping")
        self.unknown_keys(data, _MAPPING_KEYS, path, "a field mapping")
        api_name = self.optional_str(data, "api_name", path)
        if not api_name:
            raise self.error("a field mapping needs an api_name (the CRM field's API name)", path)
        default = None
        if data.get("default_value") is not None:
            default = self.default_value(data["default_value"], child_path(path, "default_value"))
        return FieldMapping(
            api_name=api_name,
            index=self.optional_int(data, "index", path),
            find_by=self.optional_str(data, "find_by", path),
            format=self.optional_str(data, "format", path),
            default_value=default,
            parent_column_index=self.optional_int(data, "parent_column_index", path),
            module=self.optional_str(data, "module", path),
        )

    def default_value(self, value: Any, path: str) -> DefaultValue:
        data = self.obj(value, path, "default_value")
        self.unknown_keys(data, {"value", "name", "module"}, path, "default_value")
        if "value" not in data:
            raise self.error('default_value needs a "value", e.g. {"value": "Trade Show"}', path)
        raw = data["value"]
        if isinstance(raw, dict | list):
            raise self.error(
                f"default_value.value must be text, a number or true/false, not {_kind(raw)}",
                child_path(path, "value"),
            )
        return DefaultValue(
            value=raw,
            name=self.optional_str(data, "name", path),
            module=self.optional_str(data, "module", path),
        )


def _kind(value: Any) -> str:
    """Describe a JSON value's type in words an admin understands."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, int | float):
        return f"the number {value}"
    if isinstance(value, str):
        return f"the text {value!r}"
    if isinstance(value, list):
        return "an array"
    return "an object"
