"""The pre-flight validator's field-mapping checks and sample-based warnings (demo snapshot)."""

from __future__ import annotations

from typing import Any

import pytest
from test_validation import (
    COMPANY,
    LAST_NAME,
    SNAPSHOT,
    check,
    codes,
    errors,
    leads_job,
    module_job,
    only,
    shape,
)

from bulkwizard.core.metadata import MetadataSnapshot

# --- field names -----------------------------------------------------------------------------


def test_unknown_field_suggests_the_api_name_from_its_label() -> None:
    data = module_job(
        "Secondary",
        {"api_name": "Parent_Id", "index": 0, "find_by": "id"},
        {"api_name": "Secondary Phone", "index": 1},
    )
    problem = only(check(data), "INVALID_FIELD")
    assert problem.path == "$.resource[0].field_mappings[1].api_name"
    assert problem.field == "Secondary Phone"
    assert 'Did you mean "Secondary Phone" (Secondary_Phone)?' in problem.message


@pytest.mark.parametrize(
    ("module", "api_name", "words"),
    [
        ("Leads", "Full_Name", "read-only"),
        ("Leads", "Lead_Number", "auto-number field"),
        ("Deals", "Expected_Revenue", "formula field"),
        ("Leads", "Created_Time", "read-only"),
        ("Leads", "Secondary_Contacts", "child resource for the Secondary module"),
        ("Leads", "Related_Contacts", "linking module Lead_Contact_Lookup"),
    ],
)
def test_fields_that_cannot_be_imported(module: str, api_name: str, words: str) -> None:
    data = module_job(module, {"api_name": api_name, "index": 0})
    problem = [p for p in check(data) if p.code == "INVALID_FIELD"][0]
    assert problem.path == "$.resource[0].field_mappings[0].api_name"
    assert words in problem.message
    label = SNAPSHOT.field(module, api_name).label  # type: ignore[union-attr]
    assert f'"{label}" ({api_name})' in problem.message


def test_id_is_only_mapped_when_finding_by_id() -> None:
    data = leads_job(LAST_NAME, COMPANY, {"api_name": "id", "index": 2})
    problem = only(check(data), "INVALID_FIELD")
    assert problem.path == "$.resource[0].field_mappings[2].api_name"
    data = leads_job(
        {"api_name": "id", "index": 0}, operation="update", find_by="id", ignore_empty=True
    )
    assert check(data) == []


def test_layout_default_must_be_an_id_and_a_column_of_names_is_fine() -> None:
    data = leads_job(LAST_NAME, COMPANY, {"api_name": "Layout", "default_value": {"value": "Std"}})
    problem = only(check(data), "INVALID_DEFAULT_VALUE")
    assert (problem.severity, problem.path) == (
        "warning",
        "$.resource[0].field_mappings[2].default_value.value",
    )
    assert check(leads_job(LAST_NAME, COMPANY, {"api_name": "Layout", "index": 2})) == []


# --- columns ---------------------------------------------------------------------------------


def test_mapping_needs_a_column_or_a_default() -> None:
    problem = only(check(leads_job(LAST_NAME, {"api_name": "Company"})), "MANDATORY_NOT_FOUND")
    assert problem.path == "$.resource[0].field_mappings[1].index"
    assert (
        check(leads_job(LAST_NAME, {"api_name": "Company", "default_value": {"value": "-"}})) == []
    )


def test_negative_column_index() -> None:
    problem = only(
        check(leads_job(LAST_NAME, {"api_name": "Company", "index": -1})), "COLUMN_INDEX_NOT_FOUND"
    )
    assert problem.path == "$.resource[0].field_mappings[1].index"
    assert "cannot be negative" in problem.message


def test_column_index_beyond_the_csv_names_the_headers() -> None:
    data = leads_job(LAST_NAME, {"api_name": "Company", "index": 2})
    csv = shape(["Last Name", "Company"], ["Smith", "Zylker"], name="leads.csv")
    problem = only(check(data, {0: csv}), "COLUMN_INDEX_NOT_FOUND")
    assert problem.path == "$.resource[0].field_mappings[1].index"
    assert 'leads.csv has only 2 columns (indexes 0 to 1: 0 "Last Name", 1 "Company")' in (
        problem.message
    )
    assert problem.message.startswith("Company is mapped to column index 2")
    assert check(data) == []  # without the CSV this cannot be known


def test_more_than_200_mappings_exceed_the_header_limit() -> None:
    mappings = [LAST_NAME, COMPANY] + [
        {"api_name": "Description", "index": i} for i in range(2, 202)
    ]
    problems = check(leads_job(*mappings))
    problem = only(problems, "HEADER_LIMIT_EXCEEDED")
    assert problem.path == "$.resource[0].field_mappings"
    assert "maps 202 fields" in problem.message


def test_same_column_twice_and_same_field_twice_are_warnings() -> None:
    data = leads_job(LAST_NAME, COMPANY, {"api_name": "Description", "index": 1})
    problem = only(check(data), "DUPLICATE_COLUMN")
    assert (problem.severity, problem.path) == ("warning", "$.resource[0].field_mappings[2].index")
    assert "both Company and Description" in problem.message
    data = leads_job(LAST_NAME, COMPANY, {"api_name": "Company", "index": 2})
    assert only(check(data), "DUPLICATE_FIELD").path == "$.resource[0].field_mappings[2].api_name"


def test_wide_csv_and_mostly_unused_columns_are_warnings() -> None:
    headers = ["Last", "Company"] + [f"Col {i}" for i in range(2, 210)]
    problems = check(leads_job(), {0: shape(headers, name="wide.csv")})
    assert {p.code for p in problems} == {"CSV_TOO_WIDE", "COLUMNS_NOT_IMPORTED"}
    assert all(p.severity == "warning" for p in problems)
    unused = only(problems, "COLUMNS_NOT_IMPORTED")
    assert 'Only 2 of 210 columns of wide.csv are mapped; "Col 2"' in unused.message


# --- mandatory fields ------------------------------------------------------------------------


@pytest.mark.parametrize("operation", ["insert", "upsert"])
def test_mandatory_fields_must_be_mapped_on_insert_and_upsert(operation: str) -> None:
    extra: dict[str, Any] = {"find_by": "id"} if operation == "upsert" else {}
    mappings = [LAST_NAME] + ([{"api_name": "id", "index": 3}] if extra else [])
    data = leads_job(*mappings, operation=operation, ignore_empty=True, **extra)
    csv = shape(["Name", "Firm", "Company", "Id"], name="leads.csv")
    problem = only(check(data, {0: csv}), "MANDATORY_FIELDS_NOT_MAPPED")
    assert (problem.path, problem.field) == ("$.resource[0].field_mappings", "Company")
    assert "Company is required to create Leads records" in problem.message
    assert problem.message.endswith('It may be column 3 "Company" (index 2) of leads.csv.')


def test_mandatory_fields_are_not_needed_on_update_and_a_default_counts() -> None:
    data = leads_job(
        {"api_name": "id", "index": 0}, operation="update", find_by="id", ignore_empty=True
    )
    assert check(data) == []
    data = leads_job(LAST_NAME, {"api_name": "Company", "default_value": {"value": "Unknown"}})
    assert check(data) == []


# --- lookups ---------------------------------------------------------------------------------


def test_lookup_needs_find_by_and_lists_the_choices() -> None:
    data = leads_job(LAST_NAME, COMPANY, {"api_name": "Referred_By", "index": 2})
    problem = only(check(data), "MANDATORY_NOT_FOUND")
    assert problem.path == "$.resource[0].field_mappings[2].find_by"
    assert '"Referred By" (Referred_By) is a lookup to Contacts' in problem.message
    assert "id, Full_Name, Email" in problem.message


@pytest.mark.parametrize(
    ("module", "field", "find_by", "code"),
    [
        ("Leads", "Referred_By", "Phone", "INVALID_DATA"),  # exists, not unique
        ("Leads", "Referred_By", "Twitter", "INVALID_FIELD"),  # no such field in Contacts
        ("Leads", "Owner", "Full_Name", "INVALID_DATA"),  # users: id or email
        ("Vehicles", "Inspector", "name", "INVALID_DATA"),
    ],
)
def test_lookup_find_by_must_identify_one_record(
    module: str, field: str, find_by: str, code: str
) -> None:
    data = module_job(module, {"api_name": field, "index": 0, "find_by": find_by})
    problem = [p for p in errors(check(data)) if p.path.endswith(".find_by")][0]
    assert problem.code == code
    assert problem.path == "$.resource[0].field_mappings[0].find_by"


@pytest.mark.parametrize(
    ("field", "find_by"),
    [
        ("Referred_By", "id"),
        ("Referred_By", "Email"),
        ("Referred_By", "Full_Name"),
        ("Owner", "email"),
    ],
)
def test_good_lookup_find_by(field: str, find_by: str) -> None:
    assert (
        check(leads_job(LAST_NAME, COMPANY, {"api_name": field, "index": 2, "find_by": find_by}))
        == []
    )


def test_find_by_on_a_plain_field_is_ignored_with_a_warning() -> None:
    data = leads_job(LAST_NAME, COMPANY, {"api_name": "Email", "index": 2, "find_by": "email"})
    problem = only(check(data), "FIND_BY_IGNORED")
    assert (problem.severity, problem.path) == (
        "warning",
        "$.resource[0].field_mappings[2].find_by",
    )


# --- formats ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "pattern"),
    [
        ("Preferred_Call_Date", "dd/mm/yyyy"),  # mm is minutes
        ("Preferred_Call_Date", "dd/MM/yyyy HH:mm:ss"),  # a date-time pattern for a date
        ("Last_Contacted_At", "dd/MM/yyyy"),  # a date pattern for a date-time
        ("Annual_Revenue", "#,##0.00"),
    ],
)
def test_format_not_allowed_for_the_field_type(field: str, pattern: str) -> None:
    data = leads_job(LAST_NAME, COMPANY, {"api_name": field, "index": 2, "format": pattern})
    problem = only(check(data), "INVALID_FORMAT")
    assert (problem.severity, problem.path) == ("error", "$.resource[0].field_mappings[2].format")
    assert f'"{pattern}" is not a' in problem.message


def test_invalid_format_suggests_what_the_column_fits() -> None:
    data = leads_job(
        LAST_NAME, COMPANY, {"api_name": "Preferred_Call_Date", "index": 2, "format": "DD.MM.YYYY"}
    )
    csv = shape(["Last", "Company", "Call"], ["A", "B", "31.12.2026"], ["C", "D", "01.02.2027"])
    problem = only(check(data, {0: csv}), "INVALID_FORMAT")
    assert 'fit "dd.MM.yyyy"' in problem.message


def test_format_on_a_text_field_is_ignored_with_a_warning() -> None:
    data = leads_job(LAST_NAME, COMPANY, {"api_name": "Email", "index": 2, "format": "dd/MM/yyyy"})
    assert codes(check(data)) == [
        ("warning", "FORMAT_IGNORED", "$.resource[0].field_mappings[2].format")
    ]


# --- auto-mapped resources (no field_mappings) -----------------------------------------------


def auto_job(**resource: Any) -> dict[str, Any]:
    data = leads_job(**resource)
    del data["resource"][0]["field_mappings"]
    return data


def test_auto_mapped_headers_must_be_api_names() -> None:
    csv = shape(
        ["Last_Name", "Company", "Lead Source", "Referred_By.Email", "Owner.email"], name="l.csv"
    )
    problems = check(auto_job(), {0: csv})
    problem = only(problems, "INVALID_FIELD")
    assert problem.path == "$.resource[0]"
    assert problem.message.startswith('Column 3 "Lead Source" (index 2) of l.csv is not a field')
    assert 'Rename the header to Lead_Source (the API name of "Lead Source")' in problem.message
    assert check(auto_job()) == []  # nothing to check without the CSV


def test_auto_mapped_csv_must_hold_mandatory_fields_and_valid_lookups() -> None:
    csv = shape(["Last_Name", "Referred_By.Twitter", "Email.id", "Full_Name"])
    problems = check(auto_job(), {0: csv})
    assert [(p.code, p.field) for p in errors(problems)] == [
        ("INVALID_FIELD", "Referred_By"),
        ("INVALID_FIELD", "Email"),
        ("INVALID_FIELD", "Full_Name"),
        ("MANDATORY_FIELDS_NOT_MAPPED", "Company"),
    ]


def test_auto_mapped_csv_over_200_columns() -> None:
    csv = shape(["Last_Name", "Company"] + ["Description"] * 199)
    problems = check(auto_job(), {0: csv})
    assert only(problems, "HEADER_LIMIT_EXCEEDED").path == "$.resource[0]"
    assert {p.code for p in problems} == {"HEADER_LIMIT_EXCEEDED", "DUPLICATE_COLUMN"}


def test_auto_mapped_empty_header_is_a_warning() -> None:
    problems = check(auto_job(), {0: shape(["Last_Name", "", "Company"])})
    assert codes(problems) == [("warning", "EMPTY_HEADER", "$.resource[0]")]


# --- warnings from sample rows ---------------------------------------------------------------


def test_dates_in_another_format_suggest_the_matching_one() -> None:
    data = leads_job(LAST_NAME, COMPANY, {"api_name": "Preferred_Call_Date", "index": 2})
    csv = shape(
        ["Last", "Company", "Call date"],
        ["A", "B", "31/12/2026"],
        ["C", "D", "15/01/2027"],
        ["E", "F", ""],
        name="leads.csv",
    )
    problem = only(check(data, {0: csv}), "DATE_FORMAT_MISMATCH")
    assert (problem.severity, problem.path) == (
        "warning",
        "$.resource[0].field_mappings[2].format",
    )
    assert 'do not fit Zoho\'s default date format "MM/dd/yyyy"' in problem.message
    assert 'set "format": "dd/MM/yyyy"' in problem.message
    assert '2 of 2 sample values in column 3 "Call date" (index 2) of leads.csv' in problem.message


def test_datetimes_checked_against_the_chosen_format() -> None:
    mapping = {"api_name": "Last_Contacted_At", "index": 2, "format": "dd/MM/yyyy HH:mm"}
    csv = shape(["a", "b", "c"], ["A", "B", "12/31/2026 10:00"])
    problem = only(check(leads_job(LAST_NAME, COMPANY, mapping), {0: csv}), "DATE_FORMAT_MISMATCH")
    assert 'the chosen date-time format "dd/MM/yyyy HH:mm"' in problem.message
    assert 'set "format": "MM/dd/yyyy HH:mm"' in problem.message
    # ISO-8601 is accepted whatever the format (zoho-api.md 6.2)
    csv = shape(["a", "b", "c"], ["A", "B", "2026-12-31T10:00:00+01:00"])
    assert check(leads_job(LAST_NAME, COMPANY, mapping), {0: csv}) == []
    csv = shape(["a", "b", "c"], ["A", "B", "31/12/2026 10:00"])
    assert check(leads_job(LAST_NAME, COMPANY, mapping), {0: csv}) == []


@pytest.mark.parametrize(
    ("field", "value", "words"),
    [
        ("Lead_Source", "trade show", 'did you mean "Trade Show"'),
        ("Interests", "CRM;Sales", '"Sales" is not an option'),
        ("Email_Opt_Out", "yes", "true or false"),
        ("No_of_Employees", "12.5", "whole numbers"),
        ("Annual_Revenue", "lots", "not a number"),
        ("Email", "jsmith at zylker", "not an email address"),
        ("First_Name", "x" * 41, "at most 40"),
    ],
)
def test_sample_values_zoho_will_probably_refuse(field: str, value: str, words: str) -> None:
    data = leads_job(LAST_NAME, COMPANY, {"api_name": field, "index": 2})
    csv = shape(["a", "b", "c"], ["A", "B", value])
    problem = only(check(data, {0: csv}), "VALUES_NOT_ACCEPTED")
    assert problem.severity == "warning" and problem.field == field
    assert words in problem.message


def test_default_value_not_in_the_picklist() -> None:
    data = leads_job(
        LAST_NAME, COMPANY, {"api_name": "Lead_Source", "default_value": {"value": "Fair"}}
    )
    problem = only(check(data), "INVALID_DEFAULT_VALUE")
    assert problem.severity == "warning"
    assert "Trade Show" in problem.message  # lists the options


def test_empty_required_cells_are_a_warning() -> None:
    csv = shape(["Last", "Company"], ["Smith", ""], ["Doe", "Zylker"])
    problem = only(check(leads_job(), {0: csv}), "EMPTY_REQUIRED_VALUES")
    assert problem.path == "$.resource[0].field_mappings[1]"
    assert "1 of 2 sample rows" in problem.message


def test_update_without_ignore_empty_warns_that_empty_cells_erase_data() -> None:
    data = leads_job(
        {"api_name": "id", "index": 0},
        {"api_name": "Phone", "index": 1},
        operation="update",
        find_by="id",
    )
    problem = only(check(data), "EMPTY_CELLS_CLEAR_VALUES")
    assert (problem.severity, problem.path) == ("warning", "$.ignore_empty")
    csv = shape(["Id", "Phone"], ["4876876000000500001", ""])
    problem = only(check(data, {0: csv}), "EMPTY_CELLS_CLEAR_VALUES")
    assert "empty cells for Phone" in problem.message
    full = shape(["Id", "Phone"], ["4876876000000500001", "+1 555"])
    assert check(data, {0: full}) == []
    data["resource"][0]["ignore_empty"] = True
    assert check(data, {0: csv}) == []


def test_module_without_field_metadata_is_a_warning() -> None:
    snapshot = MetadataSnapshot(modules=dict(SNAPSHOT.modules), fields={})
    problems = check(leads_job(), snapshot=snapshot)
    assert codes(problems) == [("warning", "NO_FIELD_METADATA", "$.resource[0].field_mappings")]


@pytest.mark.parametrize(
    ("operation", "outcome"),
    [("update", "will fail"), ("upsert", "creates a new record")],
)
def test_empty_and_repeated_match_keys_are_warnings(operation: str, outcome: str) -> None:
    data = leads_job(
        LAST_NAME,
        COMPANY,
        {"api_name": "Email", "index": 2},
        operation=operation,
        find_by="Email",
        ignore_empty=True,
    )
    csv = shape(
        ["Last", "Company", "Email"],
        ["A", "B", "a@x.test"],
        ["C", "D", ""],
        ["E", "F", "A@x.test"],
        name="leads.csv",
    )
    problems = check(data, {0: csv})
    empty = only(problems, "EMPTY_MATCH_KEYS")
    assert (empty.severity, empty.path, empty.field) == (
        "warning",
        "$.resource[0].find_by",
        "Email",
    )
    assert "1 of 3 sample rows" in empty.message and outcome in empty.message
    repeated = only(problems, "REPEATED_MATCH_KEYS")
    assert '"a@x.test" in 2 sample rows' in repeated.message


def test_lookup_by_id_with_non_numeric_values_is_a_warning() -> None:
    data = leads_job(LAST_NAME, COMPANY, {"api_name": "Referred_By", "index": 2, "find_by": "id"})
    csv = shape(["a", "b", "c"], ["A", "B", "Jane Doe"], ["C", "D", "4876876000000500001"])
    problem = only(check(data, {0: csv}), "VALUES_NOT_ACCEPTED")
    assert '1 of 2 sample values in column 3 "c"' in problem.message
    assert "record ids are long numbers" in problem.message


def test_a_first_row_of_data_is_not_taken_for_a_header() -> None:
    email = {"api_name": "Email", "index": 2}
    headerless = shape(
        ["Ann", "Acme", "ann@example.com"],
        ["Bob", "Bco", "bob@example.com"],
        ["Cy", "Cco", "cy@example.com"],
        name="export.csv",
    )
    problem = only(
        check(leads_job(LAST_NAME, COMPANY, email), {0: headerless}), "HEADER_LOOKS_LIKE_DATA"
    )
    assert (problem.severity, problem.path) == ("warning", "$.resource[0]")
    assert 'export.csv ("Ann", "Acme", "ann@example.com")' in problem.message
    named = shape(["Last Name", "Company", "Email"], ["Bob", "Bco", "bob@example.com"])
    found = check(leads_job(LAST_NAME, COMPANY, email), {0: named})
    assert "HEADER_LOOKS_LIKE_DATA" not in {p.code for p in found}
