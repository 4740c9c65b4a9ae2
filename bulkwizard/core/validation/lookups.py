"""Pre-flight checks of a lookup mapping's ``find_by``: how Zoho finds the looked-up record.

A lookup column is resolved through ``find_by``: ``id``, a unique field of the target module, a
lookup field, or the target's display field (``Account_Name`` for Accounts); user lookups take
``id`` or ``email``. A child's linking mapping uses ``parent_column_index`` instead.
"""

from __future__ import annotations

from bulkwizard.core.job import FieldMapping
from bulkwizard.core.metadata import FieldMeta
from bulkwizard.core.validation.model import Context, describe_field, mapping_path


def lookup_find_by_choices(context: Context, meta: FieldMeta) -> list[str]:
    """What a lookup mapping may use as find_by: id, target's unique fields and display field."""
    target = meta.lookup_module or ""
    if meta.is_user_lookup or target == "Users":
        return ["id", "email"]
    choices = ["id"]
    module = context.snapshot.module(target)
    if module is not None and module.display_field:
        choices.append(module.display_field)
    for unique in context.snapshot.unique_fields(target):
        if unique.api_name not in choices:
            choices.append(unique.api_name)
    return choices


def check_lookup(
    context: Context, index: int, position: int, mapping: FieldMapping, meta: FieldMeta
) -> None:
    """Check (or warn about) the find_by of one mapping."""
    problems, path = context.problems, f"{mapping_path(index, position)}.find_by"
    if not meta.is_lookup:
        if mapping.find_by is not None:
            problems.warning(
                "FIND_BY_IGNORED",
                f"{describe_field(meta)} is not a lookup, so its find_by "
                f'"{mapping.find_by}" is ignored by Zoho. Remove it (to match existing records, '
                "set find_by on the resource instead).",
                path,
                resource=index,
                field=meta.api_name,
            )
        return
    if mapping.parent_column_index is not None:
        return  # linked to the parent row, no lookup needed
    target = meta.lookup_module or "the looked-up module"
    choices = lookup_find_by_choices(context, meta)
    if mapping.find_by is None:
        problems.error(
            "MANDATORY_NOT_FOUND",
            f"{describe_field(meta)} is a lookup to {target}: say how Zoho should find the "
            f"{target} record from the cell value with find_by, one of: {', '.join(choices)} "
            '("id" when the column holds record ids).',
            path,
            resource=index,
            field=meta.api_name,
        )
        return
    find_by = mapping.find_by
    if meta.is_user_lookup or target == "Users":
        if find_by.lower() not in ("id", "email"):
            problems.error(
                "INVALID_DATA",
                f'{describe_field(meta)} is a user lookup: find_by "{find_by}" cannot find a '
                'user. Use "id" (user ids) or "email" (users\' email addresses).',
                path,
                resource=index,
                field=meta.api_name,
            )
        return
    target_fields = context.snapshot.fields_of(target)
    if find_by == "id" or target_fields is None:
        return
    target_meta = target_fields.get(find_by)
    if target_meta is None:
        problems.error(
            "INVALID_FIELD",
            f'{describe_field(meta)} looks up {target} by "{find_by}", which is not a field of '
            f"{target}. Use one of: {', '.join(choices)}.",
            path,
            resource=index,
            field=meta.api_name,
        )
    elif find_by not in choices and not target_meta.is_lookup:
        problems.error(
            "INVALID_DATA",
            f"{describe_field(meta)} looks up {target} by {describe_field(target_meta)}, which "
            f"is neither unique nor {target}'s display field, so a value may match several "
            f"records. Use one of: {', '.join(choices)}.",
            path,
            resource=index,
            field=meta.api_name,
        )
