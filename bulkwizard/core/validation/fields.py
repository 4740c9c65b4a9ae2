"""What the validator knows about CRM fields: which can be imported, which are mandatory, and
which field a mistyped name most likely meant."""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping

from bulkwizard.core.job import Resource
from bulkwizard.core.metadata import FieldMeta
from bulkwizard.core.validation.model import Context, describe_field, resource_path

_TYPE_WORDS = {
    "formula": "formula",
    "autonumber": "auto-number",
    "rollup_summary": "roll-up summary",
    "fileupload": "file upload",
    "imageupload": "image upload",
    "profileimage": "profile image",
}


def _normalise(text: str) -> str:
    return re.sub(r"[\s_.\-]+", "", text).lower()


def suggest_field(fields: Mapping[str, FieldMeta], name: str) -> FieldMeta | None:
    """The field a mistyped name most likely meant: same label or name ignoring case, spaces and
    underscores, else the closest importable API name."""
    wanted = _normalise(name)
    for meta in fields.values():
        if wanted in (_normalise(meta.api_name), _normalise(meta.label)):
            return meta
    importable = [api for api, meta in fields.items() if meta.importable_for(None)]
    close = difflib.get_close_matches(name, importable, n=1, cutoff=0.75)
    return fields[close[0]] if close else None


def not_importable_reason(context: Context, meta: FieldMeta) -> str | None:
    """Why a bulk write cannot set this field (None when it can)."""
    operation = context.operation
    if meta.importable_for(operation):
        return None
    if meta.data_type in _TYPE_WORDS:
        return f"it is a {_TYPE_WORDS[meta.data_type]} field, which Zoho fills in itself"
    if meta.subform_module:
        return (
            f"it is a subform: its rows come from their own CSV, imported as a child resource "
            f"for the {meta.subform_module} module"
        )
    for info in (meta.multiselectlookup, meta.multiuserlookup):
        if info is not None:
            return (
                "it is a multi-select lookup: its links come from their own CSV, imported as a "
                f"child resource for the linking module {info.linking_module}"
            )
    if meta.field_read_only:
        return "it is read-only (Zoho sets it)"
    if meta.read_only:
        return "it is read-only for your user"
    if operation == "insert":
        return "it cannot be set when creating records through the API"
    if operation == "update":
        return "it cannot be changed through the API"
    return "it cannot be set through the API"


def check_mandatory(
    context: Context,
    index: int,
    resource: Resource,
    fields: Mapping[str, FieldMeta],
    mapped: set[str],
) -> None:
    """System-mandatory fields must be mapped (or defaulted) when records may be created."""
    if context.operation not in ("insert", "upsert"):
        return
    problems, csv = context.problems, context.csv(index)
    module = resource.module.api_name
    path = f"{resource_path(index)}.field_mappings"
    in_job = {r.module.api_name for r in context.job.resources}
    for meta in fields.values():
        if not meta.system_mandatory or meta.api_name in mapped:
            continue
        if meta.is_child_container:
            child = meta.subform_module or next(
                info.linking_module
                for info in (meta.multiselectlookup, meta.multiuserlookup)
                if info is not None
            )
            if child in in_job:
                continue
            problems.error(
                "MANDATORY_FIELDS_NOT_MAPPED",
                f"Every {module} record needs {describe_field(meta)}, whose rows come from a "
                f"separate CSV: add a child resource for {child} after this one.",
                path,
                resource=index,
                field=meta.api_name,
            )
            continue
        if not meta.importable_for(context.operation):
            continue
        hint = ""
        if csv is not None:
            for column, header in enumerate(csv.headers):
                if header.strip().lower() in (meta.api_name.lower(), meta.label.lower()):
                    hint = f" It may be {csv.describe_column(column)}."
                    break
        problems.error(
            "MANDATORY_FIELDS_NOT_MAPPED",
            f"{describe_field(meta)} is required to create {module} records, but no column is "
            f"mapped to it and it has no default value. Map the column that holds it, or give "
            f"a default value.{hint}",
            path,
            resource=index,
            field=meta.api_name,
        )
    module_meta = context.snapshot.module(module)
    if (
        module_meta is not None
        and module_meta.generated_type == "subform"
        and len(context.job.resources) == 1
        and "Parent_Id" not in mapped
    ):
        problems.error(
            "MANDATORY_FIELDS_NOT_MAPPED",
            f"Rows of the subform {module} must name their parent record: map Parent_Id with "
            'find_by "id" to the column holding the parent record ids.',
            path,
            resource=index,
            field="Parent_Id",
        )
