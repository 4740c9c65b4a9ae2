"""Row semantics of the bulk-write engine, over the real record store (SQLite in tmp_path)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from bulkwizard.core.job import BulkWriteJob
from bulkwizard.core.metadata import MetadataSnapshot
from bulkwizard.sandbox.bulk.model import CsvFile, ResourceResult
from bulkwizard.sandbox.bulk.processing import JobRun, process_job
from bulkwizard.sandbox.bulk.results import build_result_zip, result_csv_text
from bulkwizard.sandbox.db import Database
from bulkwizard.sandbox.demo import demo_snapshot
from bulkwizard.sandbox.record_store import SCHEMA as STORE_SCHEMA
from bulkwizard.sandbox.record_store import IdSequence, RecordStore

USER = {"id": "4876876000000411001", "full_name": "Patricia Boyle", "email": "patricia@zylker.com"}
OTHER = {"id": "4876876000000411002", "full_name": "Sam Lee", "email": "sam@zylker.com"}
LOS_ANGELES = dt.timezone(dt.timedelta(hours=-8))


@pytest.fixture(scope="module")
def snapshot() -> MetadataSnapshot:
    return demo_snapshot()


@pytest.fixture
def store(tmp_path: Path, snapshot: MetadataSnapshot) -> RecordStore:
    db = Database(tmp_path / "sandbox.sqlite3")
    db.executescript(STORE_SCHEMA)  # IdSequence reads the kv table before the store creates it
    return RecordStore(db, snapshot, [USER, OTHER], IdSequence(db))


def run(
    store: RecordStore, snapshot: MetadataSnapshot, job: dict[str, Any], *csvs: CsvFile
) -> list[ResourceResult]:
    with store.transaction():
        return process_job(
            BulkWriteJob.from_json(job), snapshot, list(csvs), store, user=USER, tz=LOS_ANGELES
        )


def leads_job(operation: str = "insert", **resource: Any) -> dict[str, Any]:
    return {
        "operation": operation,
        "resource": [{"type": "data", "module": {"api_name": "Leads"}, "file_id": "1", **resource}],
    }


def csv(name: str, header: str, *rows: str) -> CsvFile:
    return CsvFile(name, header.split(","), [row.split(",") for row in rows])


def test_insert_converts_values_and_reports_row_errors(
    store: RecordStore, snapshot: MetadataSnapshot
) -> None:
    data = csv(
        "leads.csv",
        "Last_Name,Company,Email,Lead_Source,No_of_Employees,Preferred_Call_Date,Interests,"
        "Email_Opt_Out,Last_Contacted_At",
        "Ada,Acme,ada@acme.test,Trade Show,1200,07/04/2023,CRM;Mobile,true,07/04/2023 13:05:00",
        ",Acme,bad-email,Radio,12.5,31/12/2023,CRM;Nope,maybe,2023-07-04T13:05:00+02:00",
    )
    [result] = run(store, snapshot, leads_job(), data)
    first, second = result.rows
    assert (first.status, second.status) == ("ADDED", "SKIPPED")
    assert second.record_id is None
    assert second.errors_text == (
        "MANDATORY_NOT_FOUND-Last_Name:INVALID_DATA-Email,Lead_Source,No_of_Employees,"
        "Preferred_Call_Date,Interests,Email_Opt_Out"
    )
    record = store.get("Leads", first.record_id or "")
    assert record is not None
    assert record["Email"] == "ada@acme.test"
    assert record["No_of_Employees"] == 1200
    assert record["Preferred_Call_Date"] == "2023-07-04"
    assert record["Interests"] == ["CRM", "Mobile"]
    assert record["Email_Opt_Out"] is True
    assert record["Last_Contacted_At"] == "2023-07-04T13:05:00-08:00"
    assert record["Owner"]["id"] == USER["id"]
    assert result.counters() == {
        "added_count": 1,
        "skipped_count": 1,
        "updated_count": 0,
        "total_count": 2,
    }


def test_formats_defaults_and_duplicates_within_the_file(
    store: RecordStore, snapshot: MetadataSnapshot
) -> None:
    job = leads_job(
        field_mappings=[
            {"api_name": "Last_Name", "index": 0},
            {"api_name": "Company", "index": 1, "default_value": {"value": "Unknown Ltd"}},
            {"api_name": "Email", "index": 2},
            {"api_name": "Preferred_Call_Date", "index": 3, "format": "dd.MM.yyyy"},
            {"api_name": "Annual_Revenue", "index": 4, "format": "#.###,##"},
            {"api_name": "Lead_Source", "default_value": {"value": "Partner"}},
        ]
    )
    data = CsvFile(
        "leads.csv",
        ["Name", "Firm", "Mail", "Call", "Revenue"],
        [
            ["Ada", "", "ada@x.test", "31.12.2023", "1.234,50"],
            ["Bob", "B Co", "ADA@x.test", "2024-01-02", "12"],
        ],
    )
    [result] = run(store, snapshot, job, data)
    assert [r.status for r in result.rows] == ["ADDED", "SKIPPED"]
    assert result.rows[1].errors_text == "DUPLICATE_DATA-Mail"
    assert result.preview_headers == ["Name", "Firm", "Mail"]
    record = store.get("Leads", result.rows[0].record_id or "")
    assert record is not None
    assert (record["Company"], record["Lead_Source"]) == ("Unknown Ltd", "Partner")
    assert record["Preferred_Call_Date"] == "2023-12-31"
    assert record["Annual_Revenue"] == 1234.5


def test_update_upsert_and_insert_with_find_by(
    store: RecordStore, snapshot: MetadataSnapshot
) -> None:
    existing = store.insert(
        "Leads", {"Last_Name": "Old", "Company": "Keep", "Email": "old@x.test", "Phone": "555"}
    )
    header = "Email,Last_Name,Company,Phone"
    rows = ("old@x.test,New,,", "new@x.test,Fresh,F Co,")
    [update] = run(
        store,
        snapshot,
        {**leads_job("update", find_by="Email"), "ignore_empty": True},
        csv("u.csv", header, *rows),
    )
    assert [r.status for r in update.rows] == ["UPDATED", "SKIPPED"]
    assert update.rows[0].record_id == existing
    assert update.rows[1].errors_text == "RESOURCE_NOT_FOUND-Email"
    record = store.get("Leads", existing)
    assert record is not None
    assert (record["Last_Name"], record["Company"], record["Phone"]) == ("New", "Keep", "555")

    upsert_rows = (*rows, "old@x.test,Newer,Co,")
    [upsert] = run(
        store, snapshot, leads_job("upsert", find_by="Email"), csv("u.csv", header, *upsert_rows)
    )
    assert [r.status for r in upsert.rows] == ["SKIPPED", "ADDED", "UPDATED"]
    # ignore_empty off: an empty cell clears the field, which a mandatory field refuses
    assert upsert.rows[0].errors_text == "MANDATORY_NOT_FOUND-Company"
    record = store.get("Leads", existing)
    assert record is not None
    assert (record["Last_Name"], record.get("Phone")) == ("Newer", None)

    [insert] = run(
        store, snapshot, leads_job("insert", find_by="Email"), csv("u.csv", header, *rows)
    )
    assert [r.status for r in insert.rows] == ["SKIPPED", "SKIPPED"]
    assert insert.rows[0].errors_text == "DUPLICATE_DATA-Email"


def test_lookups_by_find_by_and_by_header_convention(
    store: RecordStore, snapshot: MetadataSnapshot
) -> None:
    account = store.insert("Accounts", {"Account_Name": "Zylker", "Account_Number": 77})
    contact = store.insert("Contacts", {"Last_Name": "Ray", "Email": "ray@x.test"})
    deals = {
        "operation": "insert",
        "resource": [
            {
                "type": "data",
                "module": {"api_name": "Deals"},
                "file_id": "1",
                "field_mappings": [
                    {"api_name": "Deal_Name", "index": 0},
                    {"api_name": "Stage", "index": 1},
                    {"api_name": "Closing_Date", "index": 2},
                    {"api_name": "Account_Name", "index": 3, "find_by": "Account_Name"},
                    {"api_name": "Contact_Name", "index": 4, "find_by": "Email"},
                    {"api_name": "Owner", "index": 5, "find_by": "email"},
                ],
            }
        ],
    }
    data = csv(
        "deals.csv",
        "Deal,Stage,Close,Account,Contact,Owner",
        "D1,Qualification,01/31/2024,zylker,RAY@x.test,sam@zylker.com",
        "D2,Won it,01/31/2024,Nobody,ray@x.test,nobody@zylker.com",
    )
    [result] = run(store, snapshot, deals, data)
    assert result.rows[0].status == "ADDED"
    assert result.rows[1].errors_text == ("INVALID_DATA-Stage:RESOURCE_NOT_FOUND-Account,Owner")
    deal = store.get("Deals", result.rows[0].record_id or "")
    assert deal is not None
    assert deal["Account_Name"] == {"id": account, "name": "Zylker"}
    assert deal["Contact_Name"]["id"] == contact
    assert deal["Owner"]["id"] == OTHER["id"]

    auto = {
        "operation": "insert",
        "resource": [{"type": "data", "module": {"api_name": "Contacts"}, "file_id": "1"}],
    }
    data = csv(
        "contacts.csv",
        "Last_Name,Account_Name.id,Email,Unknown_Column",
        f"Kim,{account},kim@x.test,ignored",
        "Lee,999,lee@x.test,ignored",
    )
    [result] = run(store, snapshot, auto, data)
    assert result.rows[0].status == "ADDED"
    assert result.rows[1].errors_text == "RESOURCE_NOT_FOUND-Account_Name.id"
    kim = store.get("Contacts", result.rows[0].record_id or "")
    assert kim is not None and kim["Account_Name"]["id"] == account


def test_parent_child_job_attaches_subform_and_linking_rows(
    store: RecordStore, snapshot: MetadataSnapshot
) -> None:
    contact = store.insert("Contacts", {"Last_Name": "Ray", "Email": "ray@x.test"})
    job = {
        "operation": "insert",
        "resource": [
            {
                "type": "data",
                "module": {"api_name": "Leads"},
                "file_id": "1",
                "file_names": ["leads.csv"],
                "field_mappings": [
                    {"api_name": "Last_Name", "index": 0},
                    {"api_name": "Company", "index": 1},
                ],
            },
            {
                "type": "data",
                "module": {"api_name": "Secondary"},
                "file_id": "1",
                "file_names": ["sub.csv"],
                "field_mappings": [
                    {"api_name": "Secondary_Email", "index": 0},
                    {"api_name": "Parent_Id", "index": 1, "parent_column_index": 0},
                ],
            },
            {
                "type": "data",
                "module": {"api_name": "Lead_Contact_Lookup"},
                "file_id": "1",
                "file_names": ["links.csv"],
                "field_mappings": [
                    {"api_name": "Leads", "index": 0, "parent_column_index": 0},
                    {"api_name": "Contacts", "index": 1, "find_by": "id"},
                ],
            },
        ],
    }
    leads = csv("leads.csv", "Last_Name,Company", "Ada,A", "Bob,B")
    sub = csv("sub.csv", "Email,Lead", "a1@x.test,Ada", "a2@x.test,Ada", "z@x.test,Zed")
    links = csv("links.csv", "Lead,Contact", f"Bob,{contact}", f"Bob,{contact}", "Ada,123")
    parent, subform, linking = run(store, snapshot, job, leads, sub, links)
    assert [r.status for r in subform.rows] == ["ADDED", "ADDED", "SKIPPED"]
    assert subform.rows[2].errors_text == "RESOURCE_NOT_FOUND-Lead"
    assert [r.status for r in linking.rows] == ["ADDED", "SKIPPED", "SKIPPED"]
    assert linking.rows[1].errors_text == "DUPLICATE_DATA-Contacts"
    assert linking.rows[2].errors_text == "RESOURCE_NOT_FOUND-Contact"
    ada = store.get("Leads", parent.rows[0].record_id or "")
    bob = store.get("Leads", parent.rows[1].record_id or "")
    assert ada is not None and bob is not None
    assert [row["Secondary_Email"] for row in ada["Secondary_Contacts"]] == [
        "a1@x.test",
        "a2@x.test",
    ]
    assert [link["Contacts"]["id"] for link in bob["Related_Contacts"]] == [contact]


def test_quotes_with_line_items(store: RecordStore, snapshot: MetadataSnapshot) -> None:
    store.insert("Accounts", {"Account_Name": "Zylker"})
    product = store.insert("Products", {"Product_Name": "Widget", "Product_Code": "W-1"})
    job = {
        "operation": "insert",
        "resource": [
            {
                "type": "data",
                "module": {"api_name": "Quotes"},
                "file_id": "1",
                "file_names": ["quotes.csv"],
                "field_mappings": [
                    {"api_name": "Subject", "index": 0},
                    {"api_name": "Account_Name", "index": 1, "find_by": "Account_Name"},
                ],
            },
            {
                "type": "data",
                "module": {"api_name": "Quoted_Items"},
                "file_id": "1",
                "file_names": ["items.csv"],
                "field_mappings": [
                    {"api_name": "Parent_Id", "index": 0, "parent_column_index": 0},
                    {"api_name": "Product_Name", "index": 1, "find_by": "Product_Code"},
                    {"api_name": "Quantity", "index": 2},
                ],
            },
        ],
    }
    quotes = csv("quotes.csv", "Subject,Account", "Q1,Zylker")
    items = csv("items.csv", "Quote,Code,Qty", "Q1,W-1,3", "Q1,W-1,", "Q1,NOPE,1")
    quote_result, items_result = run(store, snapshot, job, quotes, items)
    assert [r.status for r in items_result.rows] == ["ADDED", "SKIPPED", "SKIPPED"]
    assert items_result.rows[1].errors_text == "MANDATORY_NOT_FOUND-Qty"
    assert items_result.rows[2].errors_text == "RESOURCE_NOT_FOUND-Code"
    quote = store.get("Quotes", quote_result.rows[0].record_id or "")
    assert quote is not None
    [item] = quote["Quoted_Items"]
    assert (item["Product_Name"]["id"], item["Quantity"]) == (product, 3.0)


def test_resume_skips_rows_already_committed(
    store: RecordStore, snapshot: MetadataSnapshot
) -> None:
    data = csv("leads.csv", "Last_Name,Company", *(f"L{i},C" for i in range(5)))
    job = BulkWriteJob.from_json(leads_job())
    first = JobRun(job, snapshot, [data], store, user=USER)
    chunks = first.chunks(size=2)
    with store.transaction():
        position, start, rows = next(chunks)
    assert (position, start, len(rows)) == (0, 0, 2)
    # A new run (after a restart) is handed the committed rows and does only the rest.
    resumed = JobRun(job, snapshot, [data], store, user=USER, done=[rows])
    with store.transaction():
        [result] = resumed.run()
    assert [r.status for r in result.rows] == ["ADDED"] * 5
    assert store.count("Leads") == 5
    assert result.rows[0].preview == ["L0", "C"]


def test_result_csv_layout(store: RecordStore, snapshot: MetadataSnapshot) -> None:
    data = csv("leads.csv", "Last_Name,Company,Email,Phone", "Ada,A,a@x.test,1", ",,b@x.test,2")
    [result] = run(store, snapshot, leads_job(), data)
    lines = result_csv_text(result).splitlines()
    assert lines[0] == "Last_Name,Company,Email,STATUS,RECORD_ID,ERRORS"
    assert lines[1] == f"Ada,A,a@x.test,ADDED,{result.rows[0].record_id},"
    assert lines[2] == ',,b@x.test,SKIPPED,,"MANDATORY_NOT_FOUND-Last_Name,Company"'
    assert build_result_zip([result])[:2] == b"PK"


def test_multi_user_lookup_and_layout_by_name(
    store: RecordStore, snapshot: MetadataSnapshot
) -> None:
    layouts = {"Vehicles": [{"id": "11", "name": "Standard"}, {"id": "12", "name": "Fleet"}]}
    job = {
        "operation": "insert",
        "resource": [
            {
                "type": "data",
                "module": {"api_name": "Vehicles"},
                "file_id": "1",
                "file_names": ["v.csv"],
                "field_mappings": [
                    {"api_name": "Name", "index": 0},
                    {"api_name": "Layout", "index": 1},
                    {"api_name": "Inspector", "index": 2, "find_by": "email"},
                ],
            },
            {
                "type": "data",
                "module": {"api_name": "Vehicles_X_Users"},
                "file_id": "1",
                "file_names": ["u.csv"],
                "field_mappings": [
                    {"api_name": "Vehicles", "index": 0, "parent_column_index": 0},
                    {"api_name": "Users", "index": 1, "find_by": "email"},
                ],
            },
        ],
    }
    vehicles = csv("v.csv", "Name,Layout,Inspector", "Van,Fleet,sam@zylker.com", "Car,Nope,")
    users = csv("u.csv", "Vehicle,User", "Van,sam@zylker.com", "Van,SAM@zylker.com", "Car,x@y.z")
    with store.transaction():
        parent, links = process_job(
            BulkWriteJob.from_json(job),
            snapshot,
            [vehicles, users],
            store,
            user=USER,
            layouts=layouts,
        )
    assert [r.status for r in parent.rows] == ["ADDED", "ADDED"]
    assert [r.errors_text for r in links.rows] == [
        "",
        "DUPLICATE_DATA-Users",
        "RESOURCE_NOT_FOUND-User",
    ]
    van = store.get("Vehicles", parent.rows[0].record_id or "")
    car = store.get("Vehicles", parent.rows[1].record_id or "")
    assert van is not None and car is not None
    assert van["Layout"] == {"id": "12", "name": "Fleet"}
    assert car["Layout"] == {"id": "11", "name": "Standard"}  # unknown name: default layout
    assert van["Inspector"]["id"] == OTHER["id"]
    assert [link["Users"]["id"] for link in van["Assigned_Users"]] == [OTHER["id"]]


def test_subform_rows_per_parent_are_limited(
    store: RecordStore, snapshot: MetadataSnapshot
) -> None:
    lead = store.insert("Leads", {"Last_Name": "Host", "Company": "H"})
    job = {
        "operation": "insert",
        "resource": [
            {
                "type": "data",
                "module": {"api_name": "Secondary"},
                "file_id": "1",
                "field_mappings": [
                    {"api_name": "Secondary_Email", "index": 0},
                    {"api_name": "Parent_Id", "index": 1, "find_by": "id"},
                ],
            }
        ],
    }
    rows = [f"s{n}@x.test,{lead}" for n in range(201)]
    [result] = run(store, snapshot, job, csv("sub.csv", "Email,Parent", *rows))
    assert result.added_count == 200
    assert result.rows[200].errors_text == "LIMIT_EXCEEDED-Parent"


def test_a_row_of_empty_cells_is_reported_not_dropped(
    store: RecordStore, snapshot: MetadataSnapshot
) -> None:
    from bulkwizard.sandbox.bulk.files import parse_csv

    # The data engine counts a line of only delimiters as a row, so the sandbox must too:
    # otherwise the job's total_count disagrees with the rows the user submitted.
    data = parse_csv("leads.csv", "Last_Name,Company\r\nAda,Acme\r\n,\r\n\r\nBo,Kiosk\r\n")
    assert data.rows == [["Ada", "Acme"], ["", ""], ["Bo", "Kiosk"]]
    job = leads_job(
        field_mappings=[{"api_name": "Last_Name", "index": 0}, {"api_name": "Company", "index": 1}]
    )
    [result] = run(store, snapshot, job, data)
    assert [row.status for row in result.rows] == ["ADDED", "SKIPPED", "ADDED"]
    assert result.rows[1].errors_text == "MANDATORY_NOT_FOUND-Last_Name,Company"
