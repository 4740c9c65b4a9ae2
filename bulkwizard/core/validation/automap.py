"""Pre-flight checks of a resource without ``field_mappings``: Zoho maps the CSV by its header row.

Each header must then be a field API name (``Last_Name``), a lookup written as
``Account_Name.id`` or ``Account_Name.Account_Name`` (the looked-up module's field), or one of the
special names ``id``, ``Layout`` and (subforms) ``Parent_Id``. Without the CSV nothing can be
checked, so the checks are skipped.
"""

from __future__ import annotations

from bulkwizard.core.job import Resource
from bulkwizard.core.validation.fields import check_mandatory, not_importable_reason, suggest_field
from bulkwizard.core.validation.model import (
    MAX_MAPPINGS,
    Context,
    capitalise,
    describe_field,
    resource_path,
)


def check_auto_mapped(context: Context, index: int, resource: Resource) -> None:
    """Check the header row of an auto-mapped resource's CSV."""
    csv = context.csv(index)
    module = resource.module.api_name
    fields = context.snapshot.fields_of(module)
    if resource.field_mappings is not None or csv is None or fields is None:
        return
    problems, path = context.problems, resource_path(index)
    module_meta = context.snapshot.module(module)
    if csv.column_count > MAX_MAPPINGS:
        problems.error(
            "HEADER_LIMIT_EXCEEDED",
            f"{csv.name} has {csv.column_count} columns and, without field_mappings, every "
            f"column is imported; Zoho allows at most {MAX_MAPPINGS}. Map only the columns you "
            "need, or split the file.",
            path,
            resource=index,
        )
    mapped: set[str] = set()
    seen: dict[str, int] = {}
    for column, raw in enumerate(csv.headers):
        header = raw.strip()
        where = capitalise(csv.describe_column(column))
        if not header:
            problems.warning(
                "EMPTY_HEADER",
                f"{where} has no header. Without field_mappings Zoho needs a field API name on "
                "every column: name it or delete the column.",
                path,
                resource=index,
            )
            continue
        if header in seen:
            problems.warning(
                "DUPLICATE_COLUMN",
                f"{where} repeats the header of column {seen[header] + 1}; Zoho will import "
                "only one of them.",
                path,
                resource=index,
                field=header,
            )
        seen.setdefault(header, column)
        base, _, sub = header.partition(".")
        mapped.add(base)
        if base == "id":
            if resource.find_by != "id":
                problems.error(
                    "INVALID_FIELD",
                    f"{where} holds record ids, which are only used when records are matched "
                    'by id: set find_by to "id", or delete the column.',
                    path,
                    resource=index,
                    field="id",
                )
            continue
        if base == "Layout" or (
            base == "Parent_Id"
            and module_meta is not None
            and module_meta.generated_type == "subform"
            and base not in fields
        ):
            continue
        meta = fields.get(base)
        if meta is None:
            guess = suggest_field(fields, header)
            hint = (
                f'Rename the header to {guess.api_name} (the API name of "{guess.label}")'
                if guess
                else "Rename it to the field's API name"
            )
            problems.error(
                "INVALID_FIELD",
                f"{where} is not a field of {module}. Without field_mappings, Zoho reads each "
                f"header as a field API name. {hint}, or add field_mappings.",
                path,
                resource=index,
                field=header,
            )
            continue
        reason = not_importable_reason(context, meta)
        if reason:
            problems.error(
                "INVALID_FIELD",
                f"{where} maps to {describe_field(meta)}, which cannot be imported: {reason}. "
                "Delete the column or add field_mappings without it.",
                path,
                resource=index,
                field=meta.api_name,
            )
            continue
        if sub:
            _check_lookup_header(context, index, where, meta.api_name, sub)
    check_mandatory(context, index, resource, fields, mapped)


def _check_lookup_header(context: Context, index: int, where: str, api_name: str, sub: str) -> None:
    """``Account_Name.id`` / ``Account_Name.Account_Name``: the part after the dot."""
    module = context.job.resources[index].module.api_name
    meta = context.snapshot.field(module, api_name)
    assert meta is not None
    path = resource_path(index)
    if not meta.is_lookup:
        context.problems.error(
            "INVALID_FIELD",
            f'{where}: "{api_name}.{sub}" only works for lookup fields, and '
            f"{describe_field(meta)} is not one. Use the header {api_name}.",
            path,
            resource=index,
            field=api_name,
        )
        return
    target = meta.lookup_module or ""
    if sub == "id" or (meta.is_user_lookup and sub.lower() == "email"):
        return
    target_fields = context.snapshot.fields_of(target)
    if target_fields is not None and sub not in target_fields:
        context.problems.error(
            "INVALID_FIELD",
            f'{where}: {target} has no field "{sub}" to look records up by. Use '
            f"{api_name}.id (record ids) or {api_name}.<a unique field of {target}>.",
            path,
            resource=index,
            field=api_name,
        )
