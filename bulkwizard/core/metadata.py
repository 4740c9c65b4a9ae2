"""CRM metadata: modules and fields, parsed from Zoho's Modules and Fields API response bodies.

A **metadata snapshot** is a folder::

    modules.json               a Modules API response body  {"modules": [...]}
    fields/<Module>.json       a Fields API response body   {"fields": [...]}, one per module

It is how metadata is cached per connection profile and how tests and the offline validator get it.
Subform and linking modules have their own ``fields/`` file, as the Fields API serves them too.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bulkwizard.core.atomic import write_json_atomic
from bulkwizard.core.errors import MetadataError

__all__ = ["MetadataSnapshot", "ModuleMeta", "FieldMeta", "write_json_atomic"]

# Types whose values Zoho computes itself: never mappable in a bulk write.
NOT_IMPORTABLE_TYPES = frozenset(
    {"formula", "autonumber", "rollup_summary", "fileupload", "imageupload", "profileimage"}
)
LOOKUP_TYPES = frozenset({"lookup", "ownerlookup", "userlookup"})
USER_LOOKUP_TYPES = frozenset({"ownerlookup", "userlookup"})
DATE_TYPES = frozenset({"date"})
DATETIME_TYPES = frozenset({"datetime"})
NUMBER_TYPES = frozenset({"integer", "bigint", "double", "currency", "percent", "decimal"})
# Module kinds a user may pick as the parent of an import.
PARENT_MODULE_TYPES = frozenset({"default", "custom"})


@dataclass(frozen=True)
class PicklistValue:
    """One picklist option; imports use ``actual_value``."""

    display_value: str
    actual_value: str


@dataclass(frozen=True)
class LinkingInfo:
    """How a multi-select (or multi-user) lookup is stored: a linking module with two lookups.

    Example: Leads.Related_Contacts -> linking module ``Lead_Contact_Lookup`` whose lookup
    ``Leads`` points back at the parent and ``Contacts`` at the connected module.
    """

    linking_module: str
    connected_module: str
    lookup_api_name: str
    connected_lookup_api_name: str


@dataclass(frozen=True)
class FieldMeta:
    """One field of a module, with what import mapping and validation need."""

    api_name: str
    data_type: str
    field_label: str = ""
    display_label: str = ""
    id: str | None = None
    json_type: str | None = None
    system_mandatory: bool = False
    read_only: bool = False
    field_read_only: bool = False
    api_create: bool = True
    api_update: bool = True
    custom_field: bool = False
    unique: bool = False
    length: int | None = None
    decimal_place: int | None = None
    picklist_values: tuple[PicklistValue, ...] = ()
    lookup_module: str | None = None
    multiselectlookup: LinkingInfo | None = None
    multiuserlookup: LinkingInfo | None = None
    subform_module: str | None = None

    @property
    def label(self) -> str:
        """What to show a user: the label, or the API name when there is none."""
        return self.field_label or self.display_label or self.api_name

    @property
    def is_lookup(self) -> bool:
        return self.data_type in LOOKUP_TYPES

    @property
    def is_user_lookup(self) -> bool:
        return self.data_type in USER_LOOKUP_TYPES

    @property
    def is_child_container(self) -> bool:
        """True for subform / multi-select lookup / multi-user lookup fields (children of a job)."""
        return (
            self.subform_module is not None
            or self.multiselectlookup is not None
            or self.multiuserlookup is not None
        )

    def importable_for(self, operation: str | None) -> bool:
        """Can a bulk write set this field (for ``operation``; ``None`` means any)?"""
        if self.data_type in NOT_IMPORTABLE_TYPES or self.field_read_only or self.read_only:
            return False
        if self.is_child_container:
            return False  # written through their own child resource, never as a column
        if operation == "insert":
            return self.api_create
        if operation == "update":
            return self.api_update
        return self.api_create or self.api_update

    @property
    def allowed_values(self) -> tuple[str, ...]:
        """The ``actual_value`` of every picklist option (``-None-`` excluded)."""
        return tuple(v.actual_value for v in self.picklist_values if v.actual_value != "-None-")

    @classmethod
    def from_json(cls, data: Mapping[str, Any], where: str = "field") -> FieldMeta:
        """Parse one object of a Fields API ``fields`` array."""
        api_name = data.get("api_name")
        data_type = data.get("data_type")
        if not isinstance(api_name, str) or not isinstance(data_type, str):
            raise MetadataError(f"{where}: a field needs string 'api_name' and 'data_type'")
        operation_type = data.get("operation_type") or {}
        lookup = data.get("lookup") or {}
        lookup_module = None
        if isinstance(lookup, Mapping) and isinstance(lookup.get("module"), Mapping):
            lookup_module = lookup["module"].get("api_name")
        subform = data.get("subform") or data.get("associated_module") or {}
        subform_module = None
        if data_type == "subform" and isinstance(subform, Mapping):
            module = subform.get("module")
            subform_module = module.get("api_name") if isinstance(module, Mapping) else module
        unique = data.get("unique")
        return cls(
            api_name=api_name,
            data_type=data_type,
            field_label=str(data.get("field_label") or ""),
            display_label=str(data.get("display_label") or ""),
            id=_optional_str(data.get("id")),
            json_type=data.get("json_type"),
            system_mandatory=bool(data.get("system_mandatory")),
            read_only=bool(data.get("read_only")),
            field_read_only=bool(data.get("field_read_only")),
            api_create=bool(operation_type.get("api_create", True)),
            api_update=bool(operation_type.get("api_update", True)),
            custom_field=bool(data.get("custom_field")),
            # Zoho sends {} for "not unique" and an object with settings for unique fields.
            unique=bool(unique) if isinstance(unique, Mapping) else unique is True,
            length=_optional_int(data.get("length")),
            decimal_place=_optional_int(data.get("decimal_place")),
            picklist_values=tuple(
                PicklistValue(
                    display_value=str(item.get("display_value", item.get("actual_value", ""))),
                    actual_value=str(item.get("actual_value", item.get("display_value", ""))),
                )
                for item in data.get("pick_list_values") or ()
                if isinstance(item, Mapping) and item.get("type", "used") != "unused"
            ),
            lookup_module=lookup_module,
            multiselectlookup=_linking(data.get("multiselectlookup")),
            multiuserlookup=_linking(data.get("multiuserlookup")),
            subform_module=subform_module,
        )


@dataclass(frozen=True)
class ModuleMeta:
    """One module from the Modules API."""

    api_name: str
    id: str | None = None
    module_name: str = ""
    singular_label: str = ""
    plural_label: str = ""
    api_supported: bool = True
    creatable: bool = True
    editable: bool = True
    generated_type: str = "default"
    visible: bool = True
    parent_module: str | None = None
    display_field: str | None = None

    @property
    def label(self) -> str:
        return self.plural_label or self.module_name or self.api_name

    @property
    def can_be_parent(self) -> bool:
        """Should this module be offered in the module picker?"""
        return self.api_supported and self.creatable and self.generated_type in PARENT_MODULE_TYPES

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> ModuleMeta:
        """Parse one object of a Modules API ``modules`` array."""
        api_name = data.get("api_name")
        if not isinstance(api_name, str):
            raise MetadataError("modules.json: a module needs a string 'api_name'")
        parent = data.get("parent_module")
        display_field = data.get("display_field")
        return cls(
            api_name=api_name,
            id=_optional_str(data.get("id")),
            module_name=str(data.get("module_name") or ""),
            singular_label=str(data.get("singular_label") or ""),
            plural_label=str(data.get("plural_label") or ""),
            api_supported=bool(data.get("api_supported", True)),
            creatable=bool(data.get("creatable", True)),
            editable=bool(data.get("editable", True)),
            generated_type=str(data.get("generated_type") or "default"),
            visible=bool(data.get("visible", True)),
            parent_module=parent.get("api_name") if isinstance(parent, Mapping) else None,
            display_field=(
                display_field.get("api_name")
                if isinstance(display_field, Mapping)
                else _optional_str(display_field)
            ),
        )


@dataclass
class MetadataSnapshot:
    """Modules and their fields, as one org's metadata at one moment."""

    modules: dict[str, ModuleMeta] = field(default_factory=dict)
    fields: dict[str, dict[str, FieldMeta]] = field(default_factory=dict)

    # -- queries ---------------------------------------------------------------------------------

    def module(self, api_name: str) -> ModuleMeta | None:
        return self.modules.get(api_name)

    def fields_of(self, module: str) -> dict[str, FieldMeta] | None:
        """The fields of ``module`` keyed by API name, or ``None`` when not in the snapshot."""
        return self.fields.get(module)

    def field(self, module: str, api_name: str) -> FieldMeta | None:
        return (self.fields.get(module) or {}).get(api_name)

    def parent_modules(self) -> list[ModuleMeta]:
        """Modules a user can import into, by label."""
        return sorted(
            (m for m in self.modules.values() if m.can_be_parent), key=lambda m: m.label.lower()
        )

    def child_fields(self, module: str) -> list[FieldMeta]:
        """Fields of ``module`` whose data goes in a child resource (subforms, linking modules)."""
        return [f for f in (self.fields.get(module) or {}).values() if f.is_child_container]

    def child_module_names(self, module: str) -> dict[str, FieldMeta]:
        """Child module API name -> the parent's field that owns it."""
        result: dict[str, FieldMeta] = {}
        for meta in self.child_fields(module):
            if meta.subform_module:
                result[meta.subform_module] = meta
            for info in (meta.multiselectlookup, meta.multiuserlookup):
                if info is not None:
                    result[info.linking_module] = meta
        return result

    def unique_fields(self, module: str) -> list[FieldMeta]:
        return [f for f in (self.fields.get(module) or {}).values() if f.unique]

    # -- construction ----------------------------------------------------------------------------

    @classmethod
    def from_responses(
        cls, modules_body: Mapping[str, Any], fields_bodies: Mapping[str, Mapping[str, Any]]
    ) -> MetadataSnapshot:
        """Build a snapshot from a Modules API body and one Fields API body per module."""
        modules_list = modules_body.get("modules")
        if not isinstance(modules_list, list):
            raise MetadataError("modules.json: expected an object with a 'modules' array")
        snapshot = cls()
        for item in modules_list:
            if isinstance(item, Mapping):
                module = ModuleMeta.from_json(item)
                snapshot.modules[module.api_name] = module
        for module_name, body in fields_bodies.items():
            snapshot.fields[module_name] = _parse_fields(body, module_name)
        return snapshot

    @classmethod
    def load(cls, folder: str | os.PathLike[str]) -> MetadataSnapshot:
        """Read a snapshot folder.

        Raises:
            MetadataError: the folder, ``modules.json`` or a fields file is missing or unreadable;
                the message names the file.
        """
        root = Path(folder)
        if not root.is_dir():
            raise MetadataError(f"{root}: metadata snapshot folder not found")
        modules_body = _read_json(root / "modules.json")
        fields_bodies: dict[str, Any] = {}
        fields_dir = root / "fields"
        if fields_dir.is_dir():
            for path in sorted(fields_dir.glob("*.json")):
                fields_bodies[path.stem] = _read_json(path)
        return cls.from_responses(modules_body, fields_bodies)

    @staticmethod
    def save_responses(
        folder: str | os.PathLike[str],
        modules_body: Mapping[str, Any],
        fields_bodies: Mapping[str, Mapping[str, Any]],
    ) -> None:
        """Write raw API bodies as a snapshot folder (each file written atomically)."""
        root = Path(folder)
        (root / "fields").mkdir(parents=True, exist_ok=True)
        write_json_atomic(root / "modules.json", modules_body)
        for module_name, body in fields_bodies.items():
            write_json_atomic(root / "fields" / f"{module_name}.json", body)


def _parse_fields(body: Mapping[str, Any], module_name: str) -> dict[str, FieldMeta]:
    fields_list = body.get("fields")
    if not isinstance(fields_list, list):
        raise MetadataError(f"fields/{module_name}.json: expected an object with a 'fields' array")
    result: dict[str, FieldMeta] = {}
    for position, item in enumerate(fields_list):
        if not isinstance(item, Mapping):
            raise MetadataError(f"fields/{module_name}.json: fields[{position}] is not an object")
        meta = FieldMeta.from_json(item, where=f"fields/{module_name}.json fields[{position}]")
        result[meta.api_name] = meta
    return result


def _read_json(path: Path) -> Any:
    try:
        with path.open(encoding="utf-8-sig") as stream:
            return json.load(stream)
    except FileNotFoundError:
        raise MetadataError(f"{path}: file not found") from None
    except json.JSONDecodeError as exc:
        raise MetadataError(
            f"{path}, line {exc.lineno}, column {exc.colno}: not valid JSON ({exc.msg})"
        ) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise MetadataError(f"{path}: cannot be read ({exc})") from None


def _linking(value: Any) -> LinkingInfo | None:
    if not isinstance(value, Mapping):
        return None
    linking = value.get("linking_module") or {}
    connected = value.get("connected_module") or {}
    if not isinstance(linking, Mapping) or not linking.get("api_name"):
        return None
    return LinkingInfo(
        linking_module=str(linking["api_name"]),
        connected_module=str(connected.get("api_name", ""))
        if isinstance(connected, Mapping)
        else "",
        lookup_api_name=str(value.get("lookup_apiname", "")),
        connected_lookup_api_name=str(value.get("connectedlookup_apiname", "")),
    )


def _optional_str(value: Any) -> str | None:
    return None if value is None else str(value)


def _optional_int(value: Any) -> int | None:
    if value is None or isinstance(value, bool):
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def iter_modules(snapshot: MetadataSnapshot) -> Iterable[ModuleMeta]:
    """All modules in the snapshot, in API-name order."""
    return (snapshot.modules[name] for name in sorted(snapshot.modules))
