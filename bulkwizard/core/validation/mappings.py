"""Pre-flight checks of field mappings: field names, columns, duplicates and unused columns.

A resource either lists ``field_mappings`` (only those columns are imported) or leaves them out,
in which case Zoho reads the CSV header row as field API names (auto-mapping; lookups may use
``Field.id`` / ``Field.Other_Field`` headers; see :mod:`bulkwizard.core.validation.automap`).
Lookups, formats, defaults and mandatory fields have their own ``validation_*`` modules.
"""

from __future__ import annotations

from collections.abc import Mapping

from bulkwizard.core.job import FieldMapping, Resource
from bulkwizard.core.metadata import FieldMeta
from bulkwizard.core.validation.defaults import check_default_value, check_layout_default
from bulkwizard.core.validation.fields import check_mandatory, not_importable_reason, suggest_field
from bulkwizard.core.validation.formats import check_format
from bulkwizard.core.validation.lookups import check_lookup
from bulkwizard.core.validation.model import (
    MAX_MAPPINGS,
    Context,
    CsvShape,
    capitalise,
    describe_api_name,
    describe_field,
    mapping_path,
    resource_path,
)


def check_mappings(context: Context, index: int, resource: Resource) -> None:
    """Check a resource's mappings (or, without mappings, its CSV header row)."""
    if resource.field_mappings is None:
        return  # auto-mapped: see validation_automap
    problems = context.problems
    mappings = resource.field_mappings
    module = resource.module.api_name
    fields = context.snapshot.fields_of(module)
    if len(mappings) > MAX_MAPPINGS:
        problems.error(
            "HEADER_LIMIT_EXCEEDED",
            f"Resource {index + 1} ({module}) maps {len(mappings)} fields; Zoho allows at most "
            f"{MAX_MAPPINGS}. Split the columns over two jobs (e.g. insert, then update by id).",
            f"{resource_path(index)}.field_mappings",
            resource=index,
        )
    if fields is None and context.snapshot.module(module) is not None:
        problems.warning(
            "NO_FIELD_METADATA",
            f"The metadata has no field list for {module}, so its mappings cannot be checked. "
            "Refresh the metadata.",
            f"{resource_path(index)}.field_mappings",
            resource=index,
        )
    for position, mapping in enumerate(mappings):
        meta = _check_api_name(context, index, position, resource, mapping, fields)
        _check_index(context, index, position, mapping)
        if mapping.api_name == "Layout":
            check_layout_default(context, index, position, mapping)
        if meta is not None:
            check_lookup(context, index, position, mapping, meta)
            check_format(context, index, position, mapping, meta)
            check_default_value(context, index, position, mapping, meta)
        if mapping.parent_column_index is not None and index == 0:
            problems.error(
                "INVALID_DATA",
                f"parent_column_index only belongs on the linking column of a child resource; "
                f"{mapping.api_name} in the first (parent) resource links to nothing. Remove it.",
                f"{mapping_path(index, position)}.parent_column_index",
                resource=index,
                field=mapping.api_name,
            )
    _check_duplicates(context, index, mappings)
    if fields is not None:
        mapped = {
            m.api_name
            for m in mappings
            if m.index is not None
            or m.default_value is not None
            or m.parent_column_index is not None
        }
        check_mandatory(context, index, resource, fields, mapped)
    _check_unused_columns(context, index, mappings)


def _check_api_name(
    context: Context,
    index: int,
    position: int,
    resource: Resource,
    mapping: FieldMapping,
    fields: Mapping[str, FieldMeta] | None,
) -> FieldMeta | None:
    """Report an unknown or unwritable field; return its metadata when checks should go on."""
    problems, path = context.problems, f"{mapping_path(index, position)}.api_name"
    name = mapping.api_name
    module_meta = context.snapshot.module(resource.module.api_name)
    if name == "id":
        if resource.find_by != "id":
            problems.error(
                "INVALID_FIELD",
                "The record id (api_name id) can only be mapped when records are matched by id: "
                'set the resource\'s find_by to "id" (for update or upsert), or remove this '
                "mapping; new records get their ids from Zoho.",
                path,
                resource=index,
                field=name,
            )
        return None
    if name == "Layout":
        return None
    if fields is None:
        return None
    meta = fields.get(name)
    if meta is None:
        if (
            name == "Parent_Id"
            and module_meta is not None
            and module_meta.generated_type == "subform"
        ):
            return None  # the subform's link to its parent record, not always in field metadata
        guess = suggest_field(fields, name)
        hint = (
            f" Did you mean {describe_field(guess)}?"
            if guess
            else " Pick a field from the module's field list (Setup > Modules and Fields)."
        )
        problems.error(
            "INVALID_FIELD",
            f'{resource.module.api_name} has no field with the API name "{name}".{hint}',
            path,
            resource=index,
            field=name,
        )
        return None
    if module_meta is not None and module_meta.generated_type == "linking" and not meta.is_lookup:
        problems.error(
            "INVALID_FIELD",
            f"{describe_field(meta)} cannot be mapped: in the linking module "
            f"{resource.module.api_name} only its two lookup fields can be imported.",
            path,
            resource=index,
            field=name,
        )
        return None
    reason = not_importable_reason(context, meta)
    if reason:
        problems.error(
            "INVALID_FIELD",
            f"{describe_field(meta)} cannot be imported: {reason}. Remove this mapping.",
            path,
            resource=index,
            field=name,
        )
        return None
    return meta


def _check_index(context: Context, index: int, position: int, mapping: FieldMapping) -> None:
    problems, path = context.problems, mapping_path(index, position)
    name = describe_api_name(context, index, mapping.api_name)
    if mapping.index is None:
        if mapping.default_value is None:
            problems.error(
                "MANDATORY_NOT_FOUND",
                f"{name} has neither a column (index) nor a default_value. Map it to "
                "a column of the CSV, give a default value, or remove the mapping.",
                f"{path}.index",
                resource=index,
                field=mapping.api_name,
            )
        return
    csv = context.csv(index)
    if mapping.index < 0:
        problems.error(
            "COLUMN_INDEX_NOT_FOUND",
            f"{name} is mapped to column index {mapping.index}; indexes count the "
            "CSV's columns from 0, so they cannot be negative.",
            f"{path}.index",
            resource=index,
            field=mapping.api_name,
        )
    elif csv is not None and mapping.index >= csv.column_count:
        problems.error(
            "COLUMN_INDEX_NOT_FOUND",
            f"{name} is mapped to column index {mapping.index}, but {csv.name} has "
            f"only {csv.column_count} column{'s' if csv.column_count != 1 else ''} (indexes 0 "
            f"to {csv.column_count - 1}: "
            f"{_headers_preview(csv)}). Pick one of its columns.",
            f"{path}.index",
            resource=index,
            field=mapping.api_name,
        )


def _headers_preview(csv: CsvShape, limit: int = 8) -> str:
    shown = [f'{i} "{h}"' for i, h in enumerate(csv.headers[:limit])]
    more = f", … {csv.column_count - limit} more" if csv.column_count > limit else ""
    return ", ".join(shown) + more


def _check_duplicates(context: Context, index: int, mappings: list[FieldMapping]) -> None:
    problems, csv = context.problems, context.csv(index)
    by_column: dict[int, int] = {}
    by_name: dict[str, int] = {}
    for position, mapping in enumerate(mappings):
        path = mapping_path(index, position)
        if mapping.api_name in by_name:
            problems.warning(
                "DUPLICATE_FIELD",
                f"{mapping.api_name} is mapped twice (mappings {by_name[mapping.api_name] + 1} "
                f"and {position + 1}); Zoho uses only one of them. Remove one.",
                f"{path}.api_name",
                resource=index,
                field=mapping.api_name,
            )
        by_name.setdefault(mapping.api_name, position)
        if mapping.index is None or mapping.index < 0:
            continue
        if mapping.index in by_column:
            first = mappings[by_column[mapping.index]].api_name
            column = csv.describe_column(mapping.index) if csv else f"column index {mapping.index}"
            problems.warning(
                "DUPLICATE_COLUMN",
                f"{capitalise(column)} is mapped to both {first} and {mapping.api_name}. If "
                "that is not on purpose, one of them should use another column.",
                f"{path}.index",
                resource=index,
                field=mapping.api_name,
            )
        by_column.setdefault(mapping.index, position)


def _check_unused_columns(context: Context, index: int, mappings: list[FieldMapping]) -> None:
    csv = context.csv(index)
    if csv is not None and csv.column_count > MAX_MAPPINGS:
        context.problems.warning(
            "CSV_TOO_WIDE",
            f"{csv.name} has {csv.column_count} columns; Zoho's limits say a CSV may have at "
            f"most {MAX_MAPPINGS} and may refuse the file. Delete the columns you do not import.",
            f"{resource_path(index)}.field_mappings",
            resource=index,
        )
    if csv is None or csv.column_count < 4:
        return
    used = {m.index for m in mappings if m.index is not None}
    unused = [i for i in range(csv.column_count) if i not in used and csv.headers[i].strip()]
    if len(unused) * 2 > csv.column_count:
        names = ", ".join(f'"{csv.headers[i].strip()}"' for i in unused[:5])
        more = f" and {len(unused) - 5} more" if len(unused) > 5 else ""
        context.problems.warning(
            "COLUMNS_NOT_IMPORTED",
            f"Only {len(used & set(range(csv.column_count)))} of {csv.column_count} columns of "
            f"{csv.name} are mapped; {names}{more} will not be imported. Map them if they hold "
            "data you want in the CRM.",
            f"{resource_path(index)}.field_mappings",
            resource=index,
        )
