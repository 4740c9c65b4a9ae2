"""Row checks on real files: each kind of bad cell gives the expected finding, row and fix."""

from __future__ import annotations

import csv
import json
import threading
from pathlib import Path
from typing import Any

import pytest

from bulkwizard.core.errors import MappingError
from bulkwizard.core.inputs import bind_inputs
from bulkwizard.core.job import BulkWriteJob
from bulkwizard.core.metadata import MetadataSnapshot
from bulkwizard.core.rowcheck import Finding, check_rows, export_flagged_rows
from bulkwizard.core.rowcheck.check import has_errors


@pytest.fixture
def snapshot(demo_snapshot_dir: Path) -> MetadataSnapshot:
    return MetadataSnapshot.load(demo_snapshot_dir)


def write_csv(
    path: Path, rows: list[list[str]], encoding: str = "utf-8", delimiter: str = ","
) -> Path:
    with path.open("w", encoding=encoding, newline="") as stream:
        csv.writer(stream, delimiter=delimiter).writerows(rows)
    return path


def leads_job(
    mappings: list[dict[str, Any]], operation: str = "insert", **extra: Any
) -> BulkWriteJob:
    resource = {"type": "data", "module": {"api_name": "Leads"}, "file_names": ["leads.csv"],
                "field_mappings": mappings, **extra}  # fmt: skip
    return BulkWriteJob.from_json({"operation": operation, "resource": [resource]})


def run(
    job: BulkWriteJob, snapshot: MetadataSnapshot, files: dict[str | None, Path], **kw: Any
) -> list[Finding]:
    inputs = bind_inputs(job, files)
    return list(check_rows(job, snapshot, inputs, **kw))


def brief(findings: list[Finding]) -> list[tuple[int | None, str | None, str, str, str | None]]:
    return [(f.row, f.column, f.code, f.kind, f.suggestion) for f in findings]


LEAD_COLUMNS = [
    "Last Name",
    "Company",
    "Email",
    "Lead Source",
    "Employees",
    "Revenue",
    "Call Date",
    "Interests",
    "Opt Out",
    "Website",
    "Phone",
    "Last Contacted",
]
LEAD_MAPPINGS = [
    {"api_name": name, "index": index}
    for index, name in enumerate(
        [
            "Last_Name",
            "Company",
            "Email",
            "Lead_Source",
            "No_of_Employees",
            "Annual_Revenue",
            "Preferred_Call_Date",
            "Interests",
            "Email_Opt_Out",
            "Website",
            "Phone",
            "Last_Contacted_At",
        ]  # fmt: skip
    )
]
GOOD = ["Smith", "Acme", "smith@acme.com", "Trade Show", "12", "1200.50", "05/31/2024",
        "CRM;Analytics", "true", "acme.com", "+1 555 1234", "05/31/2024 14:30:00"]  # fmt: skip


def test_clean_file_has_no_findings(tmp_path: Path, snapshot: MetadataSnapshot) -> None:
    rows = [LEAD_COLUMNS] + [GOOD[:2] + [f"p{i}@acme.com"] + GOOD[3:] for i in range(50)]
    path = write_csv(tmp_path / "leads.csv", rows)
    assert run(leads_job(LEAD_MAPPINGS), snapshot, {None: path}) == []


def test_each_kind_of_bad_cell(tmp_path: Path, snapshot: MetadataSnapshot) -> None:
    bad = ["", "Globex", "jones@globex", "trade show", "1,000", "$1,200.50", "31/05/2024",
           "CRM;Analytix", "yes", "not a url", "call me", "2024-05-31"]  # fmt: skip
    path = write_csv(tmp_path / "leads.csv", [LEAD_COLUMNS, GOOD, bad])
    findings = run(leads_job(LEAD_MAPPINGS), snapshot, {None: path})
    assert brief(findings) == [
        (2, "Last Name", "MANDATORY_NOT_FOUND", "mandatory", None),
        (2, "Email", "INVALID_DATA", "email", None),
        (2, "Lead Source", "INVALID_DATA", "picklist", "Trade Show"),
        (2, "Employees", "INVALID_DATA", "integer", "1000"),
        (2, "Revenue", "INVALID_DATA", "number", "1200.50"),
        (2, "Call Date", "INVALID_DATA", "date", "05/31/2024"),
        (2, "Interests", "INVALID_DATA", "multiselect", "CRM;Analytics"),
        (2, "Opt Out", "INVALID_DATA", "boolean", "true"),
        (2, "Website", "INVALID_DATA", "url", None),
        (2, "Phone", "INVALID_DATA", "phone", None),
        (2, "Last Contacted", "INVALID_DATA", "datetime", "05/31/2024 00:00:00"),
    ]
    by_column = {f.column: f for f in findings}
    assert by_column["Lead Source"].severity == "warning"
    assert "only in letter case" in by_column["Lead Source"].message
    assert by_column["Phone"].severity == "warning"
    assert by_column["Email"].severity == "error"
    assert by_column["Email"].field == "Email" and by_column["Email"].column_index == 2
    assert by_column["Email"].value == "jones@globex"
    assert by_column["Call Date"].message.startswith("'31/05/2024' is not a date in the format")
    assert "dd/MM/yyyy" in by_column["Call Date"].message
    assert by_column["Last Name"].line == 3 and by_column["Last Name"].file == str(path)


def test_picklist_suggests_nearest_value(tmp_path: Path, snapshot: MetadataSnapshot) -> None:
    path = write_csv(
        tmp_path / "leads.csv",
        [["Name", "Status"], ["A", "Contacted"], ["B", "Atempted to Contact"], ["C", "Gibberish"]],
    )
    job = leads_job(
        [{"api_name": "Last_Name", "index": 0}, {"api_name": "Lead_Status", "index": 1}]
    )
    findings = run(job, snapshot, {None: path})
    assert brief(findings) == [
        (2, "Status", "INVALID_DATA", "picklist", "Attempted to Contact"),
        (3, "Status", "INVALID_DATA", "picklist", None),
    ]
    assert all(f.severity == "error" for f in findings)


def test_numbers_honour_format_length_and_decimals(
    tmp_path: Path, snapshot: MetadataSnapshot
) -> None:
    rows = [["Name", "Revenue", "Employees", "Score"],
            ["A", "1.234.567,50", "12", "1,5"],
            ["B", "12,5", "1234567890", "2,125"],
            ["C", "12345678901234567", "-7", "x"]]  # fmt: skip
    path = write_csv(tmp_path / "leads.csv", rows)
    job = leads_job(
        [
            {"api_name": "Last_Name", "index": 0},
            {"api_name": "Annual_Revenue", "index": 1, "format": "#.###,##"},
            {"api_name": "No_of_Employees", "index": 2},
            {"api_name": "Lead_Score", "index": 3, "format": "####,##"},
        ]
    )
    findings = run(job, snapshot, {None: path})
    assert brief(findings) == [
        (2, "Employees", "INVALID_DATA", "number_size", None),
        (2, "Score", "INVALID_DATA", "decimal_places", "2,13"),
        (3, "Revenue", "INVALID_DATA", "number_size", None),
        (3, "Score", "INVALID_DATA", "number", None),
    ]
    assert [f.severity for f in findings] == ["error", "warning", "error", "error"]
    assert "at most 9" in findings[0].message


def test_dates_against_declared_format_and_iso(tmp_path: Path, snapshot: MetadataSnapshot) -> None:
    rows = [["Name", "Date", "When"], ["A", "31.05.2024", "31.05.2024 23:59"],
            ["B", "2024-05-31", "2024-05-31T10:00:00+05:30"], ["C", "30.02.2024", "31.05.2024"],
            ["D", "29.02.2024", "29.02.2023 10:00"]]  # fmt: skip
    path = write_csv(tmp_path / "leads.csv", rows)
    job = leads_job(
        [
            {"api_name": "Last_Name", "index": 0},
            {"api_name": "Preferred_Call_Date", "index": 1, "format": "dd.MM.yyyy"},
            {"api_name": "Last_Contacted_At", "index": 2, "format": "dd.MM.yyyy HH:mm"},
        ]
    )
    findings = run(job, snapshot, {None: path})
    assert brief(findings) == [
        (3, "Date", "INVALID_DATA", "date", None),
        (3, "When", "INVALID_DATA", "datetime", "31.05.2024 00:00"),
        (4, "When", "INVALID_DATA", "datetime", None),
    ]
    assert "real calendar" in findings[0].message


def test_duplicates_on_unique_field_and_find_by(tmp_path: Path, snapshot: MetadataSnapshot) -> None:
    rows = [["id", "Name", "Email"], ["4876876000000123456", "A", "a@x.com"],
            ["zcrm_4876876000000123457", "B", "A@X.com"], ["4.87688E+18", "C", "c@x.com"],
            ["4876876000000123456", "D", ""], ["", "E", ""]]  # fmt: skip
    path = write_csv(tmp_path / "leads.csv", rows)
    job = leads_job(
        [{"api_name": "id", "index": 0}, {"api_name": "Last_Name", "index": 1},
         {"api_name": "Email", "index": 2}], operation="update", find_by="id",
    )  # fmt: skip
    findings = run(job, snapshot, {None: path})
    assert brief(findings) == [
        (2, "id", "INVALID_DATA", "id", "4876876000000123457"),
        (2, "Email", "DUPLICATE_DATA", "unique", None),
        (3, "id", "INVALID_DATA", "id", None),
        (4, "id", "DUPLICATE_DATA", "find_by", None),
        (5, "id", "MANDATORY_NOT_FOUND", "mandatory", None),
    ]
    assert "row 1 already has" in findings[1].message
    assert "scientific notation" in findings[2].message


def test_default_value_fills_mandatory_cells(tmp_path: Path, snapshot: MetadataSnapshot) -> None:
    path = write_csv(tmp_path / "leads.csv", [["Name", "Company"], ["A", ""], ["", "X"]])
    job = leads_job(
        [
            {"api_name": "Last_Name", "index": 0},
            {"api_name": "Company", "index": 1, "default_value": {"value": "Unknown"}},
        ]
    )
    assert brief(run(job, snapshot, {None: path})) == [
        (2, "Name", "MANDATORY_NOT_FOUND", "mandatory", None)
    ]
    update = leads_job([{"api_name": "Last_Name", "index": 0}], operation="update", find_by="Email")
    assert run(update, snapshot, {None: path}) == []


def test_length_ragged_rows_and_other_encodings(tmp_path: Path, snapshot: MetadataSnapshot) -> None:
    rows = [["Nom", "Société"], ["Müller", "A" * 201], ["Zoë"], ["Ünal", "Öl"]]
    path = write_csv(tmp_path / "leads.csv", rows, encoding="cp1252", delimiter=";")
    job = leads_job([{"api_name": "Last_Name", "index": 0}, {"api_name": "Company", "index": 1}])
    findings = run(job, snapshot, {None: path})
    assert brief(findings) == [
        (1, "Société", "INVALID_DATA", "length", "A" * 200),
        (2, None, "INVALID_DATA", "ragged", None),
        (2, "Société", "MANDATORY_NOT_FOUND", "mandatory", None),
    ]
    assert findings[1].message == "this row has 1 cell but the header has 2 columns"
    assert "201 characters" in findings[0].message


LINK_JOB = {
    "operation": "insert",
    "resource": [
        {"type": "data", "module": {"api_name": "Leads"}, "file_names": ["leads.csv"],
         "field_mappings": [{"api_name": "Last_Name", "index": 0},
                            {"api_name": "Company", "index": 1}]},
        {"type": "data", "module": {"api_name": "Secondary"}, "file_names": ["subform.csv"],
         "field_mappings": [{"api_name": "Secondary_Email", "index": 0},
                            {"api_name": "Parent_Id", "index": 1, "parent_column_index": 0}]},
    ],
}  # fmt: skip


def test_orphans_and_ambiguous_parent_keys(tmp_path: Path, snapshot: MetadataSnapshot) -> None:
    leads = write_csv(
        tmp_path / "leads.csv",
        [["Name", "Company"], ["Smith", "A"], ["Jones", "B"], ["Smith", "C"]],
    )
    sub = write_csv(
        tmp_path / "sub.csv",
        [["Email", "Lead"], ["a@x.com", "Smith"], ["b@x.com", "Nobody"], ["bad", ""]],
    )
    job = BulkWriteJob.from_json(LINK_JOB)
    findings = run(job, snapshot, {"leads.csv": leads, "subform.csv": sub})
    assert [(Path(f.file).name, f.row, f.code, f.kind) for f in findings] == [
        ("leads.csv", 3, "DUPLICATE_DATA", "parent_key"),
        ("sub.csv", 2, "RESOURCE_NOT_FOUND", "orphan"),
        ("sub.csv", 3, "INVALID_DATA", "email"),
        ("sub.csv", 3, "MANDATORY_NOT_FOUND", "orphan"),
    ]
    assert "row 1 already has the parent key 'Smith'" in findings[0].message
    assert findings[1].field == "Parent_Id" and findings[1].value == "Nobody"


def test_streams_progress_and_cancel(tmp_path: Path, snapshot: MetadataSnapshot) -> None:
    rows = [["Name", "Company"]] + [["", "X"] for _ in range(100)]
    path = write_csv(tmp_path / "leads.csv", rows)
    job = leads_job([{"api_name": "Last_Name", "index": 0}, {"api_name": "Company", "index": 1}])
    seen: list[tuple[str, int]] = []
    stop = threading.Event()
    stream = check_rows(job, snapshot, bind_inputs(job, {None: path}), batch_rows=10,
                        progress=lambda label, done: seen.append((Path(label).name, done)),
                        cancel=stop.is_set)  # fmt: skip
    first = [next(stream) for _ in range(10)]
    assert [f.row for f in first] == list(range(1, 11))
    stop.set()
    assert list(stream) == []
    assert seen == [("leads.csv", 10)]
    assert has_errors(first)


def test_bad_column_index_is_a_mapping_error(tmp_path: Path, snapshot: MetadataSnapshot) -> None:
    path = write_csv(tmp_path / "leads.csv", [["Name"], ["A"]])
    job = leads_job([{"api_name": "Last_Name", "index": 3}])
    with pytest.raises(MappingError, match="column index 3, but the file has 1 columns"):
        run(job, snapshot, {None: path})


def test_export_flagged_rows(tmp_path: Path, snapshot: MetadataSnapshot) -> None:
    path = write_csv(
        tmp_path / "leads.csv",
        [["Name", "Email"], ["A", "ok@x.com"], ["", "bad"], ["C", "c@x.com"]],
    )
    job = leads_job([{"api_name": "Last_Name", "index": 0}, {"api_name": "Email", "index": 1}])
    inputs = bind_inputs(job, {None: path})
    findings = list(check_rows(job, snapshot, inputs))
    out = tmp_path / "flagged.csv"
    assert export_flagged_rows(inputs[0].table, findings, out) == 1
    with out.open(encoding="utf-8-sig", newline="") as stream:
        exported = list(csv.reader(stream))
    assert exported[0] == ["Name", "Email", "Problems"]
    assert exported[1][:2] == ["", "bad"]
    assert exported[1][2].splitlines() == [
        "error: Name: Last Name is mandatory but this cell is empty",
        "error: Email: 'bad' is not an email address",
    ]
    assert len(exported) == 2


def test_finding_json_has_the_cli_keys(tmp_path: Path, snapshot: MetadataSnapshot) -> None:
    path = write_csv(tmp_path / "leads.csv", [["Name"], [""]])
    finding = run(leads_job([{"api_name": "Last_Name", "index": 0}]), snapshot, {None: path})[0]
    data = json.loads(json.dumps(finding.to_json()))
    assert {"file", "row", "column", "value", "field", "code", "message"} <= set(data)
    assert data["severity"] == "error" and data["field_label"] == "Last Name"


def test_header_mapping_when_job_has_no_field_mappings(
    tmp_path: Path, snapshot: MetadataSnapshot
) -> None:
    path = write_csv(
        tmp_path / "contacts.csv",
        [["Last_Name", "Email", "Account_Name.id", "Notes"], ["A", "a@x.com", "12ab", "x"]],
    )
    job = BulkWriteJob.from_json(
        {"operation": "insert", "resource": [{"type": "data", "module": {"api_name": "Contacts"}}]}
    )
    assert brief(run(job, snapshot, {None: path})) == [
        (1, "Account_Name.id", "INVALID_DATA", "id", None)
    ]


def test_orphan_that_differs_only_in_spaces_or_case_suggests_the_parent_key(
    tmp_path: Path, snapshot: MetadataSnapshot
) -> None:
    leads = write_csv(tmp_path / "leads.csv", [["Name", "Company"], ["L2", "A"], ["McKay", "B"]])
    sub = write_csv(
        tmp_path / "sub.csv",
        [["Email", "Lead"], ["a@x.com", " l2 "], ["b@x.com", "MCKAY"], ["c@x.com", "L9"]],
    )
    findings = run(BulkWriteJob.from_json(LINK_JOB), snapshot, {"leads.csv": leads,
                                                                "subform.csv": sub})  # fmt: skip
    assert [(f.row, f.value, f.kind, f.suggestion) for f in findings] == [
        (1, " l2 ", "orphan", "L2"),
        (2, "MCKAY", "orphan", None),  # mixed case: only hashes are kept, no fuzzy search
        (3, "L9", "orphan", None),
    ]
    assert findings[0].message == (
        "no parent row has ' l2 ' in the parent file's column 'Name' (index 0), so this child "
        "row cannot be linked; a parent row has 'L2', which differs only in spaces or letter case"
    )


def test_length_message_names_the_field(tmp_path: Path, snapshot: MetadataSnapshot) -> None:
    path = write_csv(tmp_path / "leads.csv", [["Last Name", "Company"], ["x" * 81, "Acme"]])
    job = leads_job([{"api_name": "Last_Name", "index": 0}, {"api_name": "Company", "index": 1}])
    [finding] = run(job, snapshot, {"leads.csv": path})
    assert (finding.kind, finding.suggestion) == ("length", "x" * 80)
    assert finding.message == (
        "this value is 81 characters long, but Last Name holds at most 80; shorten it "
        "(the suggestion keeps the first 80)"
    )


def test_describe_gives_the_line_a_spreadsheet_or_editor_shows(
    tmp_path: Path, snapshot: MetadataSnapshot
) -> None:
    """Title lines, a blank line and a quoted newline push the row down the file."""
    path = tmp_path / "leads.csv"
    path.write_text(
        "Export from SystemX\r\n\r\nLast Name,Company,Email\r\n"
        'Smith,"Two\r\nlines",s@a.com\r\n\r\nJones,Globex,j@g\r\n',
        encoding="utf-8",
    )
    job = leads_job([{"api_name": "Last_Name", "index": 0}, {"api_name": "Company", "index": 1},
                     {"api_name": "Email", "index": 2}])  # fmt: skip
    [finding] = run(job, snapshot, {"leads.csv": path})
    assert (finding.row, finding.line) == (2, 7)
    assert finding.describe() == (
        f"{path} row 2 (line 7), Email: error: 'j@g' is not an email address [INVALID_DATA/email]"
    )


def test_integer_with_a_thousands_separator_is_a_warning(
    tmp_path: Path, snapshot: MetadataSnapshot
) -> None:
    """'1.000' in a European export means 1000; under the default format it would read as 1."""
    rows = [["Last Name", "Company", "Employees"], ["A", "B", "1.000"], ["C", "D", "12.345.678"],
            ["E", "F", "2.0"], ["G", "H", "7"]]  # fmt: skip
    path = write_csv(tmp_path / "leads.csv", rows, delimiter=";")
    job = leads_job([{"api_name": "Last_Name", "index": 0}, {"api_name": "Company", "index": 1},
                     {"api_name": "No_of_Employees", "index": 2}])  # fmt: skip
    findings = run(job, snapshot, {"leads.csv": path})
    assert [(f.row, f.value, f.severity, f.kind, f.suggestion) for f in findings] == [
        (1, "1.000", "warning", "integer", "1000"),
        (2, "12.345.678", "error", "integer", "12345678"),  # not a number at all
    ]
    assert findings[0].message == (
        "'1.000' reads as 1 with the column's format; if the '.' separates thousands, write 1000 "
        "(or set the column's format)"
    )
