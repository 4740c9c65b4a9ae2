"""The job model against Zoho's own sample requests, and its tolerance and precision rules.

The samples in tests/data/zoho_samples are copied verbatim from create-bulk-write-job.md and
zoho-api.md (see the README there). Two of Zoho's samples are not valid JSON (comments) and one
nests a resource inside field_mappings; for those the tests check the loader's error and then use
the corrected form, which must differ from the original only by that defect.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from bulkwizard.core.errors import JobFormatError
from bulkwizard.core.job import (
    BulkWriteJob,
    Callback,
    DefaultValue,
    FieldMapping,
    ModuleRef,
    Resource,
)

SAMPLES = Path(__file__).parent.parent / "data" / "zoho_samples"


def read(name: str) -> str:
    return (SAMPLES / name).read_text(encoding="utf-8")


def canonical(data: dict[str, Any]) -> dict[str, Any]:
    """The sample as the model writes it: ``callBack`` is spelled ``callback``."""
    result = dict(data)
    if "callBack" in result:
        result["callback"] = result.pop("callBack")
    return result


def assert_round_trip(text: str) -> BulkWriteJob:
    job = BulkWriteJob.from_text(text)
    assert job.to_json() == canonical(json.loads(text))
    # and the model's own output reads back to the same model
    assert BulkWriteJob.from_json(job.to_json()) == job
    return job


# --- Zoho's samples --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    [
        "zoho_api_3_4_upsert.json",
        "zoho_api_3_5_parent_child.json",
        "subform_insert.corrected.json",
        "bulk_update.corrected.json",
        "parent_child_insert.corrected.json",
    ],
)
def test_valid_samples_load_and_reserialise_to_equivalent_json(name: str) -> None:
    assert_round_trip(read(name))


def test_single_module_upsert_sample_reads_every_key() -> None:
    job = assert_round_trip(read("zoho_api_3_4_upsert.json"))
    assert job.operation == "upsert"
    assert job.ignore_empty is True
    assert job.character_encoding == "UTF-8"
    assert job.callback == Callback(url="https://example.org/zoho/bulk-done", method="post")
    (resource,) = job.resources
    assert resource.module == ModuleRef("Contacts")
    assert (resource.type, resource.file_id, resource.find_by) == (
        "data",
        "111111000001492610",
        "Email",
    )
    assert resource.mapping("Date_of_Birth") == FieldMapping(
        "Date_of_Birth", index=2, format="dd/MM/yyyy"
    )
    assert resource.mapping("Owner") == FieldMapping("Owner", index=4, find_by="email")
    assert resource.mapping("Lead_Source") == FieldMapping(
        "Lead_Source", default_value=DefaultValue("Trade Show")
    )
    assert not job.is_parent_child


def test_parent_child_sample_has_three_linked_resources() -> None:
    job = assert_round_trip(read("zoho_api_3_5_parent_child.json"))
    assert job.is_parent_child
    assert [r.module.api_name for r in job.resources] == [
        "Leads",
        "Secondary",
        "Lead_Contact_Lookup",
    ]
    assert [r.file_names for r in job.resources] == [
        ["leads.csv"],
        ["subform.csv"],
        ["leads_x_contacts.csv"],
    ]
    assert job.resources[0].parent_link is None
    assert job.resources[1].parent_link == FieldMapping("Parent_Id", index=2, parent_column_index=0)
    assert job.resources[2].parent_link == FieldMapping("Leads", index=0, parent_column_index=0)


def test_subform_sample_is_not_json_because_of_a_line_comment() -> None:
    """Zoho's subform sample has ``//The CSV must contain ...`` after a value (line 17)."""
    text = read("subform_insert.jsonc")
    with pytest.raises(JobFormatError) as caught:
        BulkWriteJob.from_text(text, source="subform_insert.jsonc")
    error = caught.value
    assert (error.line, error.column) == (17, 30)
    assert text.splitlines()[16][29:].startswith("//The CSV must contain")
    assert "comments are not allowed" in error.message
    assert str(error).startswith("subform_insert.jsonc, line 17, column 30: ")

    corrected = read("subform_insert.corrected.json")
    comment = "//The CSV must contain the parent record ID of the contact "
    assert text.replace(comment, "") == corrected  # only the comment was removed
    job = assert_round_trip(corrected)
    (resource,) = job.resources
    assert resource.module.api_name == "Contact_Sub"
    assert resource.field_mappings is not None
    assert resource.field_mappings[0] == FieldMapping("Parent_Id", index=3, find_by="id")
    # Zoho's sample uses labels with spaces as api_names; the model keeps them, the validator
    # is the one that flags them.
    assert resource.field_mappings[1].api_name == "Secondary Phone"


def test_update_sample_is_not_json_because_of_a_block_comment() -> None:
    """Zoho's update sample has a ``/* ... */`` comment spanning lines 20-21."""
    text = read("bulk_update.jsonc")
    with pytest.raises(JobFormatError) as caught:
        BulkWriteJob.from_text(text, source="bulk_update.jsonc")
    error = caught.value
    assert (error.line, error.column) == (20, 52)
    assert text.splitlines()[19][51:].startswith("/*Specify the unique ID")
    assert "bulk_update.jsonc, line 20, column 52" in str(error)

    corrected = read("bulk_update.corrected.json")
    comment = re.search(r"/\*.*?\*/", text, re.S)
    assert comment is not None
    assert text.replace(comment.group(0), "") == corrected  # only the comment was removed
    job = assert_round_trip(corrected)
    # The sample spells the callback "callBack"; the model reads it and writes "callback".
    assert job.callback == Callback(url="http://requestbin.fullcontact.com/1bvgfh61", method="post")
    assert "callBack" in json.loads(corrected) and "callback" in job.to_json()
    assert "callBack" not in job.to_json()
    (resource,) = job.resources
    assert resource.find_by == "id"
    assert resource.mapping("Layout") == FieldMapping(
        "Layout", default_value=DefaultValue("5725767000001022168")
    )
    assert resource.mapping("id") == FieldMapping("id", index=1)


def test_parent_child_sample_nests_a_resource_in_field_mappings() -> None:
    """Zoho's parent-child sample puts the Lead_Contact_Lookup resource (line 64) inside
    ``resource[1].field_mappings``; the loader names that path and the line of its first key."""
    text = read("parent_child_insert.json")
    json.loads(text)  # it *is* valid JSON: only the structure is wrong
    with pytest.raises(JobFormatError) as caught:
        BulkWriteJob.from_text(text, source="parent_child_insert.json")
    error = caught.value
    assert error.path == "$.resource[1].field_mappings[3].type"
    assert (error.line, error.column) == (65, 21)
    assert text.splitlines()[64].strip() == '"type": "data",'
    assert "resource placed inside field_mappings" in error.message
    assert "parent_child_insert.json, line 65" in str(error)

    original = json.loads(text)
    corrected_text = read("parent_child_insert.corrected.json")
    corrected = json.loads(corrected_text)
    misplaced = original["resource"][1]["field_mappings"].pop(3)
    original["resource"].append(misplaced)
    assert corrected == original  # only the misplaced object moved
    job = assert_round_trip(corrected_text)
    assert [r.module.api_name for r in job.resources] == [
        "Leads",
        "Secondary",
        "Lead_Contact_Lookup",
    ]
    assert job.resources[2].module.id == "3652397000000002185"
    assert job.resources[2].file_id == "425153000103247021"  # Zoho's sample differs here


# --- tolerance -------------------------------------------------------------------------------


def test_callBack_spelling_is_accepted_and_written_as_callback() -> None:
    job = BulkWriteJob.from_json(
        {"operation": "insert", "callBack": {"url": "https://x.test/cb", "method": "post"}}
    )
    assert job.callback == Callback("https://x.test/cb", "post")
    assert job.to_json()["callback"] == {"url": "https://x.test/cb", "method": "post"}


def test_both_callback_spellings_at_once_are_an_error() -> None:
    text = '{\n "callback": {"url": "a"},\n "callBack": {"url": "b"}\n}'
    with pytest.raises(JobFormatError) as caught:
        BulkWriteJob.from_text(text)
    assert caught.value.path == "$.callBack"
    assert caught.value.line == 3


def test_module_as_plain_string_is_read_as_in_api_v2() -> None:
    job = BulkWriteJob.from_json({"operation": "insert", "resource": [{"module": "Leads"}]})
    assert job.resources[0].module == ModuleRef("Leads")
    assert job.to_json()["resource"][0]["module"] == {"api_name": "Leads"}


def test_numeric_ids_become_strings() -> None:
    job = BulkWriteJob.from_json(
        {
            "operation": "insert",
            "resource": [
                {
                    "type": "data",
                    "module": {"api_name": "Leads", "id": 3652397000000002181},
                    "file_id": 3652397000014524001,
                }
            ],
        }
    )
    resource = job.resources[0]
    assert resource.module.id == "3652397000000002181"
    assert resource.file_id == "3652397000014524001"
    written = job.to_json()["resource"][0]
    assert written["module"]["id"] == "3652397000000002181"
    assert written["file_id"] == "3652397000014524001"


def test_keys_appear_only_when_set() -> None:
    job = BulkWriteJob(
        operation="insert",
        resources=[
            Resource(
                module=ModuleRef("Leads"),
                file_id="1",
                field_mappings=[FieldMapping("Last_Name", index=0)],
            )
        ],
    )
    assert job.to_json() == {
        "operation": "insert",
        "resource": [
            {
                "type": "data",
                "module": {"api_name": "Leads"},
                "file_id": "1",
                "field_mappings": [{"api_name": "Last_Name", "index": 0}],
            }
        ],
    }
    # Falsy-but-set values are still written.
    mapping = FieldMapping("Email_Opt_Out", index=0, default_value=DefaultValue(False))
    assert mapping.to_json() == {
        "api_name": "Email_Opt_Out",
        "index": 0,
        "default_value": {"value": False},
    }
    assert Resource(ModuleRef("Leads"), ignore_empty=False, find_by="Email").to_json() == {
        "type": "data",
        "module": {"api_name": "Leads"},
        "find_by": "Email",
        "ignore_empty": False,
    }


def test_missing_mandatory_keys_load_as_none_for_the_validator() -> None:
    job = BulkWriteJob.from_json({"resource": [{"module": {"api_name": "Leads"}}]})
    assert job.operation is None
    assert job.resources[0].type is None
    assert job.resources[0].file_id is None
    assert job.resources[0].field_mappings is None  # auto-mapping
    assert job.to_json() == {"resource": [{"module": {"api_name": "Leads"}}]}


def test_every_documented_mapping_key_round_trips() -> None:
    data = {
        "operation": "upsert",
        "ignore_empty": False,
        "character_encoding": "windows-1252",
        "callback": {"url": "https://x.test/cb", "method": "post"},
        "resource": [
            {
                "type": "data",
                "module": {"api_name": "Leads", "id": "1"},
                "file_id": "9",
                "file_names": ["leads.csv"],
                "find_by": "Email",
                "ignore_empty": True,
                "field_mappings": [
                    {
                        "api_name": "Referred_By",
                        "index": 3,
                        "find_by": "Email",
                        "format": "dd/MM/yyyy",
                        "default_value": {"value": 7, "name": "n", "module": "Contacts"},
                        "parent_column_index": 1,
                        "module": "Contacts",
                    }
                ],
            }
        ],
    }
    job = BulkWriteJob.from_json(data)
    assert job.to_json() == data
    copy = job.copy()
    assert copy == job
    assert copy.resources[0].field_mappings is not None
    copy.resources[0].field_mappings[0].index = 5
    assert job.resources[0].field_mappings is not None
    assert job.resources[0].field_mappings[0].index == 3  # deep copy


# --- precise errors --------------------------------------------------------------------------

_BAD_JOBS = [
    # (text, path, line, words in the message)
    ('{\n  "operation": 1\n}', "$.operation", 2, "operation must be a string"),
    ('{\n  "ignore_empty": "yes"\n}', "$.ignore_empty", 2, "true or false"),
    ('{\n  "resource": {}\n}', "$.resource", 2, "resource must be a JSON array"),
    ('{\n  "operaton": "insert"\n}', "$.operaton", 2, "unknown key 'operaton' in the job"),
    (
        '{"resource": [\n {"module": "Leads",\n  "fileid": "1"}]}',
        "$.resource[0].fileid",
        3,
        "unknown key 'fileid' in a resource",
    ),
    (
        '{"resource": [\n {"module": "Leads", "field_mappings": [\n'
        '   {"api_name": "Email", "index": "2"}]}]}',
        "$.resource[0].field_mappings[0].index",
        3,
        "index must be a whole number",
    ),
    (
        '{"resource": [\n {"module": "Leads", "field_mappings": [\n   {"api_name": "Email",\n'
        '    "indx": 2}]}]}',
        "$.resource[0].field_mappings[0].indx",
        4,
        "unknown key 'indx' in a field mapping",
    ),
    (
        '{"resource": [\n {"module": "Leads",\n  "file_names": ["a.csv", 3]}]}',
        "$.resource[0].file_names[1]",
        3,
        "file names must be strings",
    ),
    (
        '{"resource": [\n {"module": "Leads",\n  "field_mappings": {}}]}',
        "$.resource[0].field_mappings",
        3,
        "field_mappings must be an array",
    ),
    (
        '{"resource": [\n {"module": {"id": "1"}}]}',
        "$.resource[0].module",
        2,
        "module needs an api_name",
    ),
    (
        '{"resource": [\n {"module": "Leads", "field_mappings": [\n'
        '   {"api_name": "Lead_Source", "default_value": {"valu": "x"}}]}]}',
        "$.resource[0].field_mappings[0].default_value.valu",
        3,
        "unknown key 'valu' in default_value",
    ),
    (
        '{"resource": [\n {"module": "Leads", "field_mappings": [\n'
        '   {"api_name": "Lead_Source", "default_value": {"value": [1]}}]}]}',
        "$.resource[0].field_mappings[0].default_value.value",
        3,
        "must be text, a number or true/false",
    ),
    (
        '{"callback":\n  {"url": "https://x.test", "methd": "post"}}',
        "$.callback.methd",
        2,
        "unknown key 'methd' in callback",
    ),
    ('{"resource": [\n  "Leads"]}', "$.resource[0]", 2, "a resource must be a JSON object"),
]


@pytest.mark.parametrize(("text", "path", "line", "words"), _BAD_JOBS)
def test_errors_name_path_and_line(text: str, path: str, line: int, words: str) -> None:
    with pytest.raises(JobFormatError) as caught:
        BulkWriteJob.from_text(text, source="job.json")
    error = caught.value
    assert error.path == path
    assert error.line == line
    assert words in error.message
    assert str(error).startswith(f"job.json, line {line}, column ")
    assert f"(at {path})" in str(error)


@pytest.mark.parametrize(
    ("text", "line", "column", "words"),
    [
        ('{\n  "operation": "insert",\n}', 3, 1, "expected a key in double quotes"),
        ('{\n  "operation" "insert"\n}', 2, 15, "expected ':'"),
        ('{\n  "operation": insert\n}', 2, 16, "unexpected character 'i'"),
        ('{"operation": "insert"} x', 1, 25, "unexpected text after the end"),
        ('{\n  "operation": "a",\n  "operation": "b"\n}', 3, 3, "appears twice"),
        ("", 1, 1, "ends too early"),
    ],
)
def test_syntax_errors_name_line_and_column(text: str, line: int, column: int, words: str) -> None:
    with pytest.raises(JobFormatError) as caught:
        BulkWriteJob.from_text(text, source="job.json")
    assert (caught.value.line, caught.value.column) == (line, column)
    assert words in caught.value.message


def test_from_json_without_positions_still_names_the_path() -> None:
    with pytest.raises(JobFormatError) as caught:
        BulkWriteJob.from_json({"resource": [{"module": "Leads", "find_by": 3}]})
    assert caught.value.path == "$.resource[0].find_by"
    assert caught.value.line is None
    assert (
        str(caught.value) == "find_by must be a string, not the number 3 (at $.resource[0].find_by)"
    )


def test_a_byte_order_mark_is_ignored() -> None:
    job = BulkWriteJob.from_text('\ufeff{"operation": "insert"}')
    assert job.operation == "insert"
