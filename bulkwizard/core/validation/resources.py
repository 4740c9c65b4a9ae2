"""Pre-flight checks of each ``resource[]`` entry and of the parent-child rules between them.

Parent-child rules (zoho-api.md section 3.5): the parent module is ``resource[0]``; every other
resource is one of its children (a subform / line items module, or the linking module of a
multi-select or multi-user lookup); one CSV per module, each module once, all in one zip with one
``file_id``; every child links its rows to parent rows with ``parent_column_index`` on its linking
field (``Parent_Id`` for subforms, the parent-side lookup for linking modules).
"""

from __future__ import annotations

import difflib

from bulkwizard.core.job import Resource
from bulkwizard.core.metadata import PARENT_MODULE_TYPES, FieldMeta
from bulkwizard.core.validation.model import Context, describe_field, describe_module, resource_path

CHILD_MODULE_TYPES = frozenset({"subform", "linking"})


def check_resource(context: Context, index: int, resource: Resource) -> None:
    """Check one resource on its own: type, module, file id and the record-matching find_by."""
    problems, path = context.problems, resource_path(index)
    if resource.type is None:
        problems.error(
            "MANDATORY_NOT_FOUND",
            f'Resource {index + 1} has no type. Add "type": "data".',
            f"{path}.type",
            resource=index,
        )
    elif resource.type != "data":
        problems.error(
            "INVALID_DATA",
            f'Resource {index + 1} has type "{resource.type}"; the only type Zoho accepts is '
            '"data".',
            f"{path}.type",
            resource=index,
        )
    _check_module(context, index, resource)
    if resource.file_id is None and context.require_file_id:
        problems.error(
            "MANDATORY_NOT_FOUND",
            f"Resource {index + 1} ({resource.module.api_name}) has no file_id. Upload the zip "
            "first and put the file_id Zoho returned in every resource.",
            f"{path}.file_id",
            resource=index,
        )
    _check_find_by(context, index, resource)


def _check_module(context: Context, index: int, resource: Resource) -> None:
    snapshot, problems = context.snapshot, context.problems
    name = resource.module.api_name
    path = f"{resource_path(index)}.module"
    module = snapshot.module(name)
    if module is None:
        known = {m.api_name: m for m in snapshot.modules.values()}
        labels = {m.label.lower(): m.api_name for m in known.values()}
        guess = labels.get(name.lower()) or next(
            iter(difflib.get_close_matches(name, list(known), n=1, cutoff=0.6)), None
        )
        hint = f' Did you mean "{guess}"?' if guess else " Check the module's API name in Setup."
        problems.error(
            "MODULE_NOT_AVAILABLE",
            f'There is no module with the API name "{name}" in this CRM.{hint}',
            path,
            resource=index,
        )
        return
    label = describe_module(snapshot, name)
    reason = None
    if name == "Users":
        reason = "users cannot be imported with Bulk Write; add them in Setup > Users"
    elif not module.api_supported:
        reason = "Zoho does not allow this module to be written through the API"
    elif module.generated_type not in PARENT_MODULE_TYPES | CHILD_MODULE_TYPES:
        reason = f"it is a {module.generated_type} module, which holds no importable records"
    elif module.generated_type == "linking" and index == 0:
        reason = (
            "it is the linking module of a multi-select or multi-user lookup, so it cannot be "
            "the parent: import it as a child resource after its parent module"
        )
    elif context.operation in ("insert", "upsert") and not module.creatable:
        reason = "your user is not allowed to create records in it"
    elif context.operation in ("update", "upsert") and not module.editable:
        reason = "your user is not allowed to edit records in it"
    if reason:
        problems.error(
            "MODULE_NOT_AVAILABLE",
            f"Module {label} cannot be used in a bulk write: {reason}.",
            path,
            resource=index,
        )
    if resource.module.id is not None and module.id is not None and resource.module.id != module.id:
        problems.warning(
            "MODULE_ID_MISMATCH",
            f"The module id {resource.module.id} does not match {label} (id {module.id}) in "
            "this CRM's metadata. Remove the id or refresh the metadata; Zoho may pick the "
            "wrong module or reject the job.",
            f"{path}.id",
            resource=index,
        )


def _check_find_by(context: Context, index: int, resource: Resource) -> None:
    """The resource-level find_by: how existing records are matched (update/upsert)."""
    problems, path = context.problems, f"{resource_path(index)}.find_by"
    module = resource.module.api_name
    fields = context.snapshot.fields_of(module)
    unique = [f.api_name for f in context.snapshot.unique_fields(module)]
    choices = ", ".join(["id", *unique])
    if resource.find_by is None:
        # Children follow their parent rows through parent_column_index; only the parent (or a
        # single resource) needs to say how to match existing records.
        if context.operation in ("update", "upsert") and index == 0:
            problems.error(
                "MANDATORY_NOT_FOUND",
                f"An {context.operation} needs find_by: how Zoho finds the existing "
                f"{module} record for each row. Set find_by to one of: {choices}, and map the "
                "column that holds it.",
                path,
                resource=index,
            )
        return
    find_by = resource.find_by
    if find_by != "id" and fields is not None:
        meta = fields.get(find_by)
        if meta is None:
            problems.error(
                "INVALID_FIELD",
                f'find_by "{find_by}" is not a field of {module}. Use one of: {choices}.',
                path,
                resource=index,
            )
            return
        if not meta.unique:
            problems.error(
                "INVALID_DATA",
                f"find_by {describe_field(meta)} is not a unique field, so Zoho cannot tell "
                f"which {module} record a row means. Use one of: {choices}.",
                path,
                resource=index,
                field=find_by,
            )
            return
    _check_find_by_is_mapped(context, index, resource, find_by)


def _check_find_by_is_mapped(
    context: Context, index: int, resource: Resource, find_by: str
) -> None:
    """Rows can only be matched on a value the CSV provides."""
    if resource.field_mappings is None:
        csv = context.csv(index)
        if csv is None or find_by in {h.strip() for h in csv.headers}:
            return
        where = f"{csv.name} has no column headed {find_by}"
    else:
        mapping = resource.mapping(find_by)
        if mapping is not None and mapping.index is not None:
            return
        where = f"no column is mapped to {find_by}"
    name = "the record id" if find_by == "id" else find_by
    problems = context.problems
    problems.error(
        "MANDATORY_FIELDS_NOT_MAPPED",
        f"Records are matched by {name} (find_by), but {where}. Map the column holding "
        f"{name}" + (' as {"api_name": "id", "index": N}.' if find_by == "id" else "."),
        f"{resource_path(index)}.find_by",
        resource=index,
        field=find_by,
    )


def check_parent_child(context: Context) -> None:
    """The rules that tie the resources of a parent-child job together."""
    resources = context.job.resources
    if len(resources) < 2:
        return
    problems, snapshot = context.problems, context.snapshot
    parent_name = resources[0].module.api_name
    children = snapshot.child_module_names(parent_name)
    parent_meta = snapshot.module(parent_name)
    # A linking module first is already MODULE_NOT_AVAILABLE (check_resource); a subform first
    # is a valid single-resource job, so only here, with other resources, is it out of place.
    if parent_meta is not None and parent_meta.generated_type == "subform":
        owner = next(
            (r.module.api_name for r in resources[1:] if parent_name in _children(context, r)),
            None,
        )
        hint = f" Move the {owner} resource to the top." if owner else ""
        problems.error(
            "INVALID_DATA",
            f"The first resource must be the parent module, but {parent_name} is a "
            f"{'subform' if parent_meta.generated_type == 'subform' else 'linking'} module." + hint,
            f"{resource_path(0)}.module",
            resource=0,
        )
    seen_modules: dict[str, int] = {}
    seen_files: dict[str, int] = {}
    file_id = next((r.file_id for r in resources if r.file_id is not None), None)
    for index, resource in enumerate(resources):
        path = resource_path(index)
        name = resource.module.api_name
        if name in seen_modules:
            problems.error(
                "DUPLICATE_DATA",
                f"{name} appears in resource {seen_modules[name] + 1} and resource {index + 1}. "
                "Each module can take only one CSV per job: merge the two files.",
                f"{path}.module",
                resource=index,
            )
        seen_modules.setdefault(name, index)
        if index > 0 and name not in children and snapshot.module(name) is not None:
            known = ", ".join(sorted(children)) or "none"
            problems.error(
                "INVALID_DATA",
                f"{describe_module(snapshot, name)} is not a child of the parent module "
                f"{parent_name} (its subforms and multi-select lookups: {known}). Import it in "
                "a separate job, or put its parent module first.",
                f"{path}.module",
                resource=index,
            )
        if not resource.file_names:
            problems.error(
                "MANDATORY_NOT_FOUND",
                f"Resource {index + 1} ({name}) needs file_names: the name of its CSV inside "
                'the zip, e.g. ["leads.csv"], so Zoho knows which file feeds which module.',
                f"{path}.file_names",
                resource=index,
            )
        else:
            if len(resource.file_names) > 1:
                problems.error(
                    "INVALID_DATA",
                    f"Resource {index + 1} ({name}) names {len(resource.file_names)} CSV files; "
                    "each module takes exactly one CSV. Merge them into one file.",
                    f"{path}.file_names",
                    resource=index,
                )
            for position, file_name in enumerate(resource.file_names):
                if file_name in seen_files:
                    problems.error(
                        "DUPLICATE_DATA",
                        f'"{file_name}" is used by resource {seen_files[file_name] + 1} and '
                        f"resource {index + 1}; each CSV feeds exactly one module.",
                        f"{path}.file_names[{position}]",
                        resource=index,
                    )
                seen_files.setdefault(file_name, index)
        if resource.file_id is not None and resource.file_id != file_id:
            problems.error(
                "INVALID_FILE_ID",
                f"Resource {index + 1} ({name}) has file_id {resource.file_id} but resource 1 "
                f"has {file_id}. All CSVs of a parent-child job go in one zip, uploaded once: "
                "use that upload's file_id everywhere.",
                f"{path}.file_id",
                resource=index,
            )
        if resource.field_mappings is None:
            problems.error(
                "MANDATORY_NOT_FOUND",
                f"Resource {index + 1} ({name}) has no field_mappings; in a parent-child job "
                "every resource must map its columns explicitly.",
                f"{path}.field_mappings",
                resource=index,
            )
        elif index > 0 and name in children:
            _check_parent_link(context, index, resource, children[name])


def _children(context: Context, resource: Resource) -> set[str]:
    return set(context.snapshot.child_module_names(resource.module.api_name))


def link_field_of(child: str, container: FieldMeta) -> str:
    """The child module's field that points at the parent record."""
    for info in (container.multiselectlookup, container.multiuserlookup):
        if info is not None and info.linking_module == child:
            return info.lookup_api_name
    return "Parent_Id"


def _check_parent_link(
    context: Context, index: int, resource: Resource, container: FieldMeta
) -> None:
    """A child resource links its rows to parent rows through one mapping's parent_column_index."""
    problems, path = context.problems, resource_path(index)
    name = resource.module.api_name
    link = link_field_of(name, container)
    parent = context.job.resources[0]
    parent_csv = context.csv(0)
    linked = [
        (position, mapping)
        for position, mapping in enumerate(resource.field_mappings or ())
        if mapping.parent_column_index is not None
    ]
    if not linked:
        problems.error(
            "MANDATORY_NOT_FOUND",
            f"Rows of {describe_module(context.snapshot, name)} must say which "
            f"{parent.module.api_name} record they belong to. Map {link} with index = the "
            f"column of this CSV that identifies the parent and parent_column_index = the "
            f"column of the {parent.module.api_name} CSV holding the same values.",
            f"{path}.field_mappings",
            resource=index,
            field=link,
        )
    for position, mapping in linked:
        mpath = f"{path}.field_mappings[{position}].parent_column_index"
        if mapping.api_name != link:
            problems.error(
                "INVALID_DATA",
                f"parent_column_index belongs on {link}, the field of {name} that points at "
                f"the parent {parent.module.api_name} record, not on {mapping.api_name}.",
                mpath,
                resource=index,
                field=mapping.api_name,
            )
        column = mapping.parent_column_index
        assert column is not None
        if column < 0:
            problems.error(
                "COLUMN_INDEX_NOT_FOUND",
                f"parent_column_index {column} is negative; it is a column of the parent CSV, "
                "counted from 0.",
                mpath,
                resource=index,
                field=mapping.api_name,
            )
        elif parent_csv is not None and column >= parent_csv.column_count:
            problems.error(
                "COLUMN_INDEX_NOT_FOUND",
                f"parent_column_index {column} points past the last column of the parent CSV "
                f"{parent_csv.name}, which has {parent_csv.column_count} columns (0 to "
                f"{parent_csv.column_count - 1}). Use the column that identifies each "
                f"{parent.module.api_name} record.",
                mpath,
                resource=index,
                field=mapping.api_name,
            )
