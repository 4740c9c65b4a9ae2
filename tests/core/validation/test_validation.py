"""The pre-flight validator, case by case against the demo org's metadata snapshot.

This file holds the shared helpers (also used by test_validation_mappings.py), the clean jobs that
must pass, and the job-, resource- and parent-child-level checks. Field-mapping checks and the
sample-based warnings are in test_validation_mappings.py.
"""

from __future__ import annotations

import copy
import dataclasses
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from bulkwizard.core.errors import JobFormatError
from bulkwizard.core.job import BulkWriteJob
from bulkwizard.core.metadata import MetadataSnapshot
from bulkwizard.core.validation import CsvShape, Problem, validate_job

DATA = Path(__file__).parents[2] / "data"
SNAPSHOT = MetadataSnapshot.load(DATA / "demo_snapshot")
JOBS = DATA / "jobs"

LAST_NAME = {"api_name": "Last_Name", "index": 0}
COMPANY = {"api_name": "Company", "index": 1}


def leads_job(
    *mappings: dict[str, Any], operation: str = "insert", **resource: Any
) -> dict[str, Any]:
    """A one-resource Leads job; mappings default to the two mandatory fields."""
    body: dict[str, Any] = {
        "type": "data",
        "module": {"api_name": "Leads"},
        "file_id": "4876876000000900001",
        "field_mappings": list(mappings) if mappings else [LAST_NAME, COMPANY],
    }
    body.update(resource)
    return {"operation": operation, "resource": [body]}


def module_job(
    module: str, *mappings: dict[str, Any], operation: str = "insert", **resource: Any
) -> dict[str, Any]:
    job = leads_job(*mappings, operation=operation, **resource)
    job["resource"][0]["module"] = {"api_name": module}
    return job


def parent_child_job() -> dict[str, Any]:
    """Leads + Secondary subform + Lead_Contact_Lookup linking module (a fresh copy)."""
    return copy.deepcopy(_PARENT_CHILD)


_PARENT_CHILD: dict[str, Any] = {
    "operation": "insert",
    "resource": [
        {
            "type": "data",
            "module": {"api_name": "Leads"},
            "file_id": "7",
            "file_names": ["leads.csv"],
            "field_mappings": [
                {"api_name": "Last_Name", "index": 1},
                {"api_name": "Company", "index": 2},
            ],
        },
        {
            "type": "data",
            "module": {"api_name": "Secondary"},
            "file_id": "7",
            "file_names": ["secondary.csv"],
            "field_mappings": [
                {"api_name": "Parent_Id", "index": 0, "parent_column_index": 0},
                {"api_name": "Secondary_Email", "index": 1},
            ],
        },
        {
            "type": "data",
            "module": {"api_name": "Lead_Contact_Lookup"},
            "file_id": "7",
            "file_names": ["leads_x_contacts.csv"],
            "field_mappings": [
                {"api_name": "Leads", "index": 0, "parent_column_index": 0},
                {"api_name": "Contacts", "index": 1, "find_by": "id"},
            ],
        },
    ],
}


def shape(headers: list[str], *rows: list[str], name: str = "data.csv") -> CsvShape:
    return CsvShape(name=name, headers=headers, sample_rows=[list(r) for r in rows])


def check(
    data: dict[str, Any],
    csvs: Mapping[int, CsvShape] | None = None,
    snapshot: MetadataSnapshot = SNAPSHOT,
    **options: Any,
) -> list[Problem]:
    return validate_job(BulkWriteJob.from_json(data), snapshot, csvs, **options)


def codes(problems: list[Problem]) -> list[tuple[str, str, str]]:
    return [(p.severity, p.code, p.path) for p in problems]


def only(problems: list[Problem], code: str) -> Problem:
    """The one problem with ``code`` (fails when there are none or several)."""
    found = [p for p in problems if p.code == code]
    assert len(found) == 1, f"expected one {code}, got {codes(problems)}"
    return found[0]


def errors(problems: list[Problem]) -> list[Problem]:
    return [p for p in problems if p.severity == "error"]


def read_shape(path: Path) -> CsvShape:
    from bulkwizard.commands.common import read_csv_shape

    return read_csv_shape(path)


# --- clean jobs ------------------------------------------------------------------------------

CLEAN_JOBS = {
    "leads_insert.json": ["leads_insert.csv"],
    "contacts_update_by_id.json": ["contacts_update_by_id.csv"],
    "contacts_upsert_by_email.json": ["contacts_upsert_by_email.csv"],
    "leads_parent_child.json": ["leads.csv", "secondary.csv", "leads_x_contacts.csv"],
    "quotes_line_items.json": ["quotes.csv", "quoted_items.csv"],
    "vehicles_insert.json": ["vehicles_insert.csv"],
}


@pytest.mark.parametrize("name", sorted(CLEAN_JOBS))
def test_clean_jobs_pass_with_and_without_their_csvs(name: str) -> None:
    job = BulkWriteJob.from_text((JOBS / name).read_text(encoding="utf-8"), source=name)
    assert validate_job(job, SNAPSHOT) == []
    csvs = {i: read_shape(JOBS / csv_name) for i, csv_name in enumerate(CLEAN_JOBS[name])}
    assert validate_job(job, SNAPSHOT, csvs) == []


def test_zoho_parent_child_example_passes() -> None:
    job = BulkWriteJob.from_text(
        (DATA / "zoho_samples" / "zoho_api_3_5_parent_child.json").read_text(encoding="utf-8")
    )
    assert validate_job(job, SNAPSHOT) == []


def test_zohos_own_parent_child_sample_fails_against_the_demo_org() -> None:
    """Zoho's published sample maps a field "User" that Leads does not have and gives the
    linking resource another file_id; and it puts find_by on Email, which is not a lookup."""
    job = BulkWriteJob.from_text(
        (DATA / "zoho_samples" / "parent_child_insert.corrected.json").read_text(encoding="utf-8")
    )
    problems = validate_job(job, SNAPSHOT)
    assert [(p.code, p.path) for p in errors(problems)] == [
        ("INVALID_FIELD", "$.resource[0].field_mappings[3].api_name"),
        ("INVALID_FILE_ID", "$.resource[2].file_id"),
    ]
    assert only(problems, "FIND_BY_IGNORED").path == "$.resource[0].field_mappings[2].find_by"


def test_vehicles_with_multi_user_lookup_child_passes() -> None:
    data = module_job(
        "Vehicles", {"api_name": "Name", "index": 0}, file_names=["vehicles.csv"], file_id="7"
    )
    data["resource"].append(
        {
            "type": "data",
            "module": {"api_name": "Vehicles_X_Users"},
            "file_id": "7",
            "file_names": ["vehicles_x_users.csv"],
            "field_mappings": [
                {"api_name": "Vehicles", "index": 0, "parent_column_index": 0},
                {"api_name": "Users", "index": 1, "find_by": "email"},
            ],
        }
    )
    assert check(data) == []


def test_problem_to_json_has_the_four_keys_and_extras() -> None:
    problem = only(check(leads_job(LAST_NAME)), "MANDATORY_FIELDS_NOT_MAPPED")
    assert problem.to_json() == {
        "severity": "error",
        "code": "MANDATORY_FIELDS_NOT_MAPPED",
        "message": problem.message,
        "path": "$.resource[0].field_mappings",
        "resource_index": 0,
        "field": "Company",
    }
    assert problem.to_zoho_error() == {
        "code": "MANDATORY_FIELDS_NOT_MAPPED",
        "details": {"json_path": "$.resource[0].field_mappings", "api_name": "Company"},
        "message": problem.message,
        "status": "error",
    }
    assert CsvShape("a.csv", ["x", "y"]).column_count == 2


# --- the job as a whole ----------------------------------------------------------------------


def test_missing_operation_is_mandatory_not_found() -> None:
    data = leads_job()
    del data["operation"]
    problem = only(check(data), "MANDATORY_NOT_FOUND")
    assert (problem.severity, problem.path) == ("error", "$.operation")
    assert "insert" in problem.message and "upsert" in problem.message


def test_unknown_operation_is_invalid_data() -> None:
    problem = only(check(leads_job(operation="Insert")), "INVALID_DATA")
    assert problem.path == "$.operation"
    assert '"Insert"' in problem.message and "lower case" in problem.message


def test_job_without_resources_is_mandatory_not_found() -> None:
    problem = only(check({"operation": "insert", "resource": []}), "MANDATORY_NOT_FOUND")
    assert problem.path == "$.resource"


@pytest.mark.parametrize(
    ("callback", "code", "path"),
    [
        (
            {"url": "https://x.test/cb", "method": "get"},
            "INVALID_CALLBACK_METHOD",
            "$.callback.method",
        ),
        (
            {"url": "https://x.test/cb", "method": "POST"},
            "INVALID_CALLBACK_METHOD",
            "$.callback.method",
        ),
        ({"url": "ftp://x.test/cb", "method": "post"}, "INVALID_CALLBACK_METHOD", "$.callback.url"),
        (
            {"url": "hooks.zylker.test", "method": "post"},
            "INVALID_CALLBACK_METHOD",
            "$.callback.url",
        ),
        ({"method": "post"}, "MANDATORY_NOT_FOUND", "$.callback.url"),
        ({"url": "https://x.test/cb"}, "MANDATORY_NOT_FOUND", "$.callback.method"),
    ],
)
def test_callback_problems(callback: dict[str, str], code: str, path: str) -> None:
    data = leads_job()
    data["callback"] = callback
    problems = check(data)
    assert codes(problems) == [("error", code, path)]


def test_unknown_character_encoding_is_a_warning() -> None:
    data = leads_job()
    data["character_encoding"] = "UTF-9"
    assert codes(check(data)) == [("warning", "UNKNOWN_ENCODING", "$.character_encoding")]
    data["character_encoding"] = "windows-1252"
    assert check(data) == []


# --- each resource ---------------------------------------------------------------------------


def test_missing_type_and_wrong_type() -> None:
    data = leads_job()
    del data["resource"][0]["type"]
    assert codes(check(data)) == [("error", "MANDATORY_NOT_FOUND", "$.resource[0].type")]
    data["resource"][0]["type"] = "records"
    problem = only(check(data), "INVALID_DATA")
    assert problem.path == "$.resource[0].type" and '"data"' in problem.message


def test_missing_file_id_unless_before_upload() -> None:
    data = leads_job()
    del data["resource"][0]["file_id"]
    assert codes(check(data)) == [("error", "MANDATORY_NOT_FOUND", "$.resource[0].file_id")]
    assert check(data, require_file_id=False) == []


@pytest.mark.parametrize(
    ("module", "words"),
    [
        ("Lead", 'Did you mean "Leads"?'),
        ("Users", "Setup > Users"),
        ("Home", "does not allow this module"),
        ("Lead_Contact_Lookup", "linking module"),
    ],
)
def test_module_not_available(module: str, words: str) -> None:
    problem = only(
        check(module_job(module, {"api_name": "Leads", "index": 0})), "MODULE_NOT_AVAILABLE"
    )
    assert problem.path == "$.resource[0].module"
    assert words in problem.message


def test_module_id_that_does_not_match_is_a_warning() -> None:
    data = leads_job()
    data["resource"][0]["module"]["id"] = "111"
    assert codes(check(data)) == [("warning", "MODULE_ID_MISMATCH", "$.resource[0].module.id")]
    data["resource"][0]["module"]["id"] = SNAPSHOT.modules["Leads"].id
    assert check(data) == []


@pytest.mark.parametrize("operation", ["update", "upsert"])
def test_update_and_upsert_need_find_by(operation: str) -> None:
    problems = check(leads_job(operation=operation, ignore_empty=True))
    problem = only(problems, "MANDATORY_NOT_FOUND")
    assert problem.path == "$.resource[0].find_by"
    assert "id, Email" in problem.message  # what the admin can choose from


def test_find_by_must_be_id_or_unique() -> None:
    data = leads_job(operation="upsert", find_by="Company", ignore_empty=True)
    problem = only(check(data), "INVALID_DATA")
    assert problem.path == "$.resource[0].find_by"
    assert '"Company" (Company)' not in problem.message  # label equals API name: said once
    assert "Company is not a unique field" in problem.message and "id, Email" in problem.message
    data["resource"][0]["find_by"] = "E_mail"
    assert only(check(data), "INVALID_FIELD").path == "$.resource[0].find_by"


def test_find_by_field_must_be_mapped() -> None:
    data = leads_job(operation="upsert", find_by="Email", ignore_empty=True)
    problem = only(check(data), "MANDATORY_FIELDS_NOT_MAPPED")
    assert (problem.path, problem.field) == ("$.resource[0].find_by", "Email")
    data = leads_job(operation="update", find_by="id", ignore_empty=True)
    problem = only(check(data), "MANDATORY_FIELDS_NOT_MAPPED")
    assert '"api_name": "id"' in problem.message


def test_insert_with_find_by_skips_existing_and_is_fine() -> None:
    data = leads_job(LAST_NAME, COMPANY, {"api_name": "Email", "index": 2}, find_by="Email")
    assert check(data) == []


# --- parent-child rules ----------------------------------------------------------------------


def test_parent_child_job_passes_and_its_csvs_are_checked() -> None:
    data = parent_child_job()
    assert check(data) == []
    csvs = {
        0: shape(["Ref", "Last", "Company"], name="leads.csv"),
        1: shape(["Ref", "Email"], name="secondary.csv"),
        2: shape(["Ref", "Contact"], name="leads_x_contacts.csv"),
    }
    assert check(data, csvs) == []


def test_parent_must_come_first() -> None:
    data = parent_child_job()
    data["resource"][0], data["resource"][1] = data["resource"][1], data["resource"][0]
    problems = check(data)
    problem = [p for p in problems if p.path == "$.resource[0].module"][0]
    assert problem.code == "INVALID_DATA"
    assert "Move the Leads resource to the top" in problem.message


def test_linking_module_first_is_not_available_as_a_parent() -> None:
    data = parent_child_job()
    data["resource"][0], data["resource"][2] = data["resource"][2], data["resource"][0]
    problem = only(check(data), "MODULE_NOT_AVAILABLE")
    assert problem.path == "$.resource[0].module"
    assert "cannot be the parent" in problem.message


def test_child_must_belong_to_the_parent() -> None:
    data = parent_child_job()
    data["resource"][2]["module"] = {"api_name": "Quoted_Items"}
    problem = only(check(data), "INVALID_DATA")
    assert problem.path == "$.resource[2].module"
    assert "Lead_Contact_Lookup, Secondary" in problem.message


def test_each_module_once_and_each_csv_once() -> None:
    data = parent_child_job()
    data["resource"][2] = copy.deepcopy(data["resource"][1])
    problems = check(data)
    duplicates = [p for p in problems if p.code == "DUPLICATE_DATA"]
    assert [p.path for p in duplicates] == [
        "$.resource[2].module",
        "$.resource[2].file_names[0]",
    ]


def test_parent_child_needs_file_names_one_file_id_and_mappings() -> None:
    data = parent_child_job()
    del data["resource"][1]["file_names"]
    data["resource"][2]["file_id"] = "8"
    data["resource"][0]["file_names"] = ["a.csv", "b.csv"]
    problems = errors(check(data))
    assert [(p.code, p.path) for p in problems] == [
        ("INVALID_DATA", "$.resource[0].file_names"),
        ("MANDATORY_NOT_FOUND", "$.resource[1].file_names"),
        ("INVALID_FILE_ID", "$.resource[2].file_id"),
    ]
    data = parent_child_job()
    del data["resource"][1]["field_mappings"]
    problem = only(check(data), "MANDATORY_NOT_FOUND")
    assert problem.path == "$.resource[1].field_mappings"


def test_child_needs_a_parent_link_on_the_right_field() -> None:
    data = parent_child_job()
    data["resource"][1]["field_mappings"][0] = {
        "api_name": "Parent_Id",
        "index": 0,
        "find_by": "id",
    }
    problem = only(check(data), "MANDATORY_NOT_FOUND")
    assert (problem.path, problem.field) == ("$.resource[1].field_mappings", "Parent_Id")
    assert "parent_column_index" in problem.message

    data = parent_child_job()
    data["resource"][2]["field_mappings"] = [
        {"api_name": "Leads", "index": 0, "find_by": "id"},
        {"api_name": "Contacts", "index": 1, "parent_column_index": 0},
    ]
    problem = only(check(data), "INVALID_DATA")
    assert problem.path == "$.resource[2].field_mappings[1].parent_column_index"
    assert "belongs on Leads" in problem.message


def test_parent_column_index_must_be_inside_the_parent_csv() -> None:
    data = parent_child_job()
    data["resource"][1]["field_mappings"][0]["parent_column_index"] = 5
    csvs = {0: shape(["Ref", "Last", "Company"], name="leads.csv")}
    problem = only(check(data, csvs), "COLUMN_INDEX_NOT_FOUND")
    assert problem.path == "$.resource[1].field_mappings[0].parent_column_index"
    assert "leads.csv, which has 3 columns" in problem.message
    assert check(data) == []  # without the parent CSV this cannot be known
    data["resource"][1]["field_mappings"][0]["parent_column_index"] = -1
    assert only(check(data), "COLUMN_INDEX_NOT_FOUND").path.endswith("parent_column_index")


def test_parent_column_index_on_the_parent_is_invalid() -> None:
    data = leads_job({**LAST_NAME, "parent_column_index": 0}, COMPANY)
    problem = only(check(data), "INVALID_DATA")
    assert problem.path == "$.resource[0].field_mappings[0].parent_column_index"


def test_linking_module_maps_only_its_lookups() -> None:
    data = parent_child_job()
    data["resource"][2]["field_mappings"].append({"api_name": "Created_Time", "index": 2})
    problem = only(check(data), "INVALID_FIELD")
    assert problem.path == "$.resource[2].field_mappings[2].api_name"
    assert "only its two lookup fields" in problem.message


def test_quotes_need_their_mandatory_line_items() -> None:
    job = BulkWriteJob.from_text((JOBS / "quotes_line_items.json").read_text(encoding="utf-8"))
    del job.resources[1]
    problem = only(validate_job(job, SNAPSHOT), "MANDATORY_FIELDS_NOT_MAPPED")
    assert problem.field == "Quoted_Items"
    assert "add a child resource for Quoted_Items" in problem.message


def test_subform_alone_needs_parent_id_by_id() -> None:
    data = module_job("Secondary", {"api_name": "Secondary_Email", "index": 0})
    problem = only(check(data), "MANDATORY_FIELDS_NOT_MAPPED")
    assert problem.field == "Parent_Id"
    data = module_job(
        "Secondary",
        {"api_name": "Secondary_Email", "index": 0},
        {"api_name": "Parent_Id", "index": 1, "find_by": "id"},
    )
    assert check(data) == []


def test_module_the_user_may_not_write_is_not_available() -> None:
    modules = dict(SNAPSHOT.modules)
    modules["Leads"] = dataclasses.replace(modules["Leads"], creatable=False)
    snapshot = MetadataSnapshot(modules=modules, fields=SNAPSHOT.fields)
    problem = only(check(leads_job(), snapshot=snapshot), "MODULE_NOT_AVAILABLE")
    assert "not allowed to create records" in problem.message
    update = leads_job(
        {"api_name": "id", "index": 0}, operation="update", find_by="id", ignore_empty=True
    )
    assert check(update, snapshot=snapshot) == []  # updating is still allowed


# --- robustness ------------------------------------------------------------------------------

_MODULES = [
    "Leads",
    "Secondary",
    "Lead_Contact_Lookup",
    "Quotes",
    "Quoted_Items",
    "Vehicles",
    "Vehicles_X_Users",
    "Users",
    "Home",
    "Nope",
    "",
]
_NAMES = [
    "Last_Name",
    "Company",
    "Email",
    "Owner",
    "Referred_By",
    "Parent_Id",
    "Leads",
    "Users",
    "id",
    "Layout",
    "Preferred_Call_Date",
    "Last_Contacted_At",
    "Annual_Revenue",
    "Lead_Source",
    "Interests",
    "Secondary_Contacts",
    "Full_Name",
    "Quantity",
    "x.y",
]
_TEXT = st.sampled_from(["", "x", "12/31/2026", "2026-12-31", "1,5", "true", "CRM;Nope", "4876"])
_MAPPING = st.fixed_dictionaries(
    {"api_name": st.sampled_from(_NAMES)},
    optional={
        "index": st.integers(-2, 6),
        "find_by": st.sampled_from(["id", "email", "Email", "Full_Name", "Phone", "x"]),
        "format": st.sampled_from(["dd/MM/yyyy", "yyyy-MM-dd HH:mm:ss", "#,###.##", "bad"]),
        "default_value": st.fixed_dictionaries({"value": _TEXT | st.booleans() | st.none()}),
        "parent_column_index": st.integers(-1, 6),
    },
)
_RESOURCE = st.fixed_dictionaries(
    {"module": st.sampled_from(_MODULES)},
    optional={
        "type": st.sampled_from(["data", "other"]),
        "file_id": st.sampled_from(["1", "2"]),
        "file_names": st.lists(st.sampled_from(["a.csv", "b.csv"]), max_size=2),
        "find_by": st.sampled_from(["id", "Email", "Company", "Nope"]),
        "ignore_empty": st.booleans(),
        "field_mappings": st.lists(_MAPPING, max_size=6),
    },
)
_JOB = st.fixed_dictionaries(
    {"resource": st.lists(_RESOURCE, max_size=3)},
    optional={
        "operation": st.sampled_from(["insert", "update", "upsert", "delete"]),
        "ignore_empty": st.booleans(),
        "callback": st.fixed_dictionaries(
            {}, optional={"url": st.sampled_from(["https://a.test", "x"]), "method": _TEXT}
        ),
        "character_encoding": st.sampled_from(["UTF-8", "nope"]),
    },
)
_SHAPE = st.builds(
    lambda headers, rows: CsvShape("f.csv", headers, rows),
    st.lists(st.sampled_from(_NAMES + ["Referred_By.id", "Owner.email"]), max_size=5),
    st.lists(st.lists(_TEXT, max_size=6), max_size=3),
)


@settings(max_examples=300, deadline=None)
@given(data=_JOB, shapes=st.dictionaries(st.integers(0, 3), _SHAPE, max_size=3))
def test_any_loadable_job_is_validated_without_crashing(
    data: dict[str, Any], shapes: dict[int, CsvShape]
) -> None:
    try:
        job = BulkWriteJob.from_json(data)
    except JobFormatError:  # not a job at all: the loader's business, tested in test_job.py
        assume(False)
        return
    problems = validate_job(job, SNAPSHOT, shapes)
    for problem in problems:
        assert problem.severity in ("error", "warning")
        assert problem.code.isupper() and problem.message and problem.path.startswith("$")
