"""Bulk-write jobs end to end: row semantics checked through the records API, parent-child jobs,
restarts and the concurrency limit. Real sandbox over loopback, plain ``requests``."""

from __future__ import annotations

import io
import threading
import time
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import requests

from bulkwizard.sandbox.bulk.api import service_of
from bulkwizard.sandbox.demo.org import layout_id
from bulkwizard.sandbox.server import SandboxServer
from bulkwizard.sandbox.testing import BulkWriteSession as Bulk
from bulkwizard.sandbox.testing import authorized_session


@pytest.fixture
def bulk(sandbox: SandboxServer, sandbox_session: requests.Session) -> Bulk:
    return Bulk(sandbox_session, sandbox)


def resource(module: str, *mappings: dict[str, Any], **extra: Any) -> dict[str, Any]:
    data: dict[str, Any] = {"type": "data", "module": {"api_name": module}, "file_id": "?", **extra}
    if mappings:
        data["field_mappings"] = list(mappings)
    return data


def counts(details: dict[str, Any], position: int = 0) -> tuple[int, int, int, int]:
    file = details["resource"][position]["file"]
    return file["added_count"], file["updated_count"], file["skipped_count"], file["total_count"]


def test_insert_update_upsert_and_skip(bulk: Bulk) -> None:
    existing = bulk.insert(
        "Contacts", {"Last_Name": "Old", "Email": "old@rows.test", "Title": "CTO"}
    )
    header = "Email,Last_Name,Title\n"
    rows = "old@rows.test,Renamed,\nnew@rows.test,Newton,VP\n"
    job: dict[str, Any] = {
        "operation": "upsert",
        "resource": [resource("Contacts", find_by="Email")],
    }
    details, tables = bulk.run(job, {"c.csv": header + rows})
    assert counts(details) == (1, 1, 0, 2)
    result = tables["Contacts-c.csv"]
    assert [r["STATUS"] for r in result] == ["UPDATED", "ADDED"]
    assert result[0]["RECORD_ID"] == existing
    old = bulk.record("Contacts", existing)
    assert (old["Last_Name"], old["Title"]) == ("Renamed", None)  # ignore_empty off clears
    new = bulk.record("Contacts", result[1]["RECORD_ID"])
    assert (new["Full_Name"], new["Title"], new["Owner"]["id"]) == (
        "Newton",
        "VP",
        "4876876000000411001",
    )

    job = {
        "operation": "update",
        "ignore_empty": True,
        "resource": [resource("Contacts", find_by="Email")],
    }
    details, tables = bulk.run(
        job, {"c.csv": header + "old@rows.test,Again,\nnone@rows.test,X,Y\n"}
    )
    assert counts(details) == (0, 1, 1, 2)
    assert tables["Contacts-c.csv"][1]["ERRORS"] == "RESOURCE_NOT_FOUND-Email"
    assert bulk.record("Contacts", existing)["Last_Name"] == "Again"

    job = {"operation": "insert", "resource": [resource("Contacts", find_by="Email")]}
    details, tables = bulk.run(
        job, {"c.csv": header + "OLD@rows.test,Dup,\nfresh@rows.test,Fresh,\n"}
    )
    assert counts(details) == (1, 0, 1, 2)
    assert tables["Contacts-c.csv"][0]["ERRORS"] == "DUPLICATE_DATA-Email"


def test_update_by_record_id_with_ignore_empty_per_resource(bulk: Bulk) -> None:
    lead = bulk.insert("Leads", {"Last_Name": "Keep", "Company": "K", "Phone": "555-1234"})
    job = {
        "operation": "update",
        "resource": [
            resource(
                "Leads",
                {"api_name": "id", "index": 0},
                {"api_name": "Phone", "index": 1},
                {"api_name": "Lead_Status", "index": 2},
                find_by="id",
                ignore_empty=True,
            )
        ],
    }
    details, tables = bulk.run(
        job, {"u.csv": f"Record,Phone,Status\n{lead},,Contacted\n999,1,Contacted\n"}
    )
    assert counts(details) == (0, 1, 1, 2)
    assert tables["Leads-u.csv"][1]["ERRORS"] == "RESOURCE_NOT_FOUND-Record"
    record = bulk.record("Leads", lead)
    assert (record["Phone"], record["Lead_Status"]) == ("555-1234", "Contacted")


def test_values_defaults_formats_picklists_unique_and_mandatory(bulk: Bulk) -> None:
    job = {
        "operation": "insert",
        "resource": [
            resource(
                "Leads",
                {"api_name": "Last_Name", "index": 0},
                {"api_name": "Company", "index": 1, "default_value": {"value": "Solo"}},
                {"api_name": "Email", "index": 2},
                {"api_name": "Lead_Source", "index": 3},
                {"api_name": "Interests", "index": 4},
                {"api_name": "Preferred_Call_Date", "index": 5, "format": "dd/MM/yyyy"},
                {"api_name": "Last_Contacted_At", "index": 6},
                {"api_name": "Annual_Revenue", "index": 7, "format": "#,###.##"},
                {"api_name": "No_of_Employees", "index": 8},
                {"api_name": "Email_Opt_Out", "index": 9},
                {"api_name": "Layout", "default_value": {"value": layout_id("Leads", 1)}},
            )
        ],
    }
    header = "Name,Firm,Mail,Source,Interests,Call,Contacted,Revenue,Staff,OptOut\n"
    rows = [
        "Ada,,ada@v.test,Web Download,CRM;Analytics,31/12/2024,"
        '2024-03-01T10:00:00+01:00,"1,234.5",42,true',
        "Bob,B,ADA@v.test,Cold Call,,,,,,",
        "Cy,C,cy@v.test,Radio,CRM;Nope,2024-12-31,13/45/2024 10:00:00,abc,4.5,perhaps",
        ",D,d@v.test,,,,,,,",
        "Ed,E,not-an-email,,,,,,1234567890,",
    ]
    details, tables = bulk.run(job, {"leads.csv": header + "\n".join(rows) + "\n"})
    assert counts(details) == (1, 0, 4, 5)
    result = tables["Leads-leads.csv"]
    assert list(result[0]) == ["Name", "Firm", "Mail", "STATUS", "RECORD_ID", "ERRORS"]
    assert [r["ERRORS"] for r in result] == [
        "",
        "DUPLICATE_DATA-Mail",
        "INVALID_DATA-Source,Interests,Contacted,Revenue,Staff,OptOut",
        "MANDATORY_NOT_FOUND-Name",
        "INVALID_DATA-Mail,Staff",
    ]
    ada = bulk.record("Leads", result[0]["RECORD_ID"])
    assert ada["Company"] == "Solo"
    assert ada["Interests"] == ["CRM", "Analytics"]
    assert ada["Preferred_Call_Date"] == "2024-12-31"
    assert ada["Last_Contacted_At"] == "2024-03-01T10:00:00+01:00"
    assert ada["Annual_Revenue"] == 1234.5
    assert (ada["No_of_Employees"], ada["Email_Opt_Out"]) == (42, True)
    assert ada["Layout"] == {"id": layout_id("Leads", 1), "name": "Partner Leads"}


def test_lookups_by_find_by_and_by_header(bulk: Bulk) -> None:
    account = bulk.insert(
        "Accounts", {"Account_Name": "Quokka Bulk Test Ltd", "Account_Number": 987654321}
    )
    contact = bulk.insert("Contacts", {"Last_Name": "Ray", "Email": "ray@look.test"})
    job = {
        "operation": "insert",
        "resource": [
            resource(
                "Deals",
                {"api_name": "Deal_Name", "index": 0},
                {"api_name": "Stage", "index": 1},
                {"api_name": "Closing_Date", "index": 2},
                {"api_name": "Account_Name", "index": 3, "find_by": "Account_Number"},
                {"api_name": "Contact_Name", "index": 4, "find_by": "id"},
                {"api_name": "Owner", "index": 5, "find_by": "email"},
            )
        ],
    }
    data = (
        "Deal,Stage,Close,Account,Contact,Owner\n"
        f"Big,Qualification,02/29/2024,987654321,{contact},patricia.boyle@zylker-demo.com\n"
        f"Lost,Closed Lost,02/30/2024,1111,{contact},\n"
    )
    details, tables = bulk.run(job, {"deals.csv": data})
    assert counts(details) == (1, 0, 1, 2)
    result = tables["Deals-deals.csv"]
    assert result[1]["ERRORS"] == "INVALID_DATA-Close:RESOURCE_NOT_FOUND-Account"
    deal = bulk.record("Deals", result[0]["RECORD_ID"])
    assert deal["Account_Name"] == {"id": account, "name": "Quokka Bulk Test Ltd"}
    assert deal["Contact_Name"] == {"id": contact, "name": "Ray"}
    assert deal["Closing_Date"] == "2024-02-29"

    auto = {"operation": "insert", "resource": [resource("Contacts")]}
    data = (
        "Last_Name,Account_Name.Account_Name\n"
        f"Kim,quokka bulk test ltd\nLee,Nobody Inc\nMo,{account}\n"
    )
    details, tables = bulk.run(auto, {"contacts.csv": data})
    result = tables["Contacts-contacts.csv"]
    assert [r["STATUS"] for r in result] == ["ADDED", "SKIPPED", "SKIPPED"]
    assert result[1]["ERRORS"] == "RESOURCE_NOT_FOUND-Account_Name.Account_Name"
    assert bulk.record("Contacts", result[0]["RECORD_ID"])["Account_Name"]["id"] == account


PARENT_CHILD_JOB: dict[str, Any] = {
    "operation": "insert",
    "resource": [
        resource(
            "Leads",
            {"api_name": "Last_Name", "index": 0},
            {"api_name": "Company", "index": 1},
            {"api_name": "Email", "index": 2},
            file_names=["leads.csv"],
        ),
        resource(
            "Secondary",
            {"api_name": "Secondary_Email", "index": 0},
            {"api_name": "Secondary_Phone", "index": 1},
            {"api_name": "Parent_Id", "index": 2, "parent_column_index": 0},
            file_names=["subform.csv"],
        ),
        resource(
            "Lead_Contact_Lookup",
            {"api_name": "Leads", "index": 0, "parent_column_index": 0},
            {"api_name": "Contacts", "index": 1, "find_by": "id"},
            file_names=["links.csv"],
        ),
    ],
}


def test_parent_child_job_with_subform_and_multi_select_lookup(bulk: Bulk) -> None:
    ray = bulk.insert("Contacts", {"Last_Name": "Ray", "Email": "ray@pc.test"})
    sue = bulk.insert("Contacts", {"Last_Name": "Sue", "Email": "sue@pc.test"})
    files = {
        "leads.csv": "Last_Name,Company,Email\nAda,A,ada@pc.test\nBob,B,bob@pc.test\n",
        "subform.csv": (
            "Email,Phone,Lead\na1@pc.test,111,Ada\na2@pc.test,222,Ada\nz@pc.test,333,Zed\n"
        ),
        "links.csv": f"Lead,Contact\nAda,{ray}\nAda,{sue}\nBob,{ray}\nBob,{ray}\n",
    }
    details, tables = bulk.run(PARENT_CHILD_JOB, files)
    assert [counts(details, i) for i in range(3)] == [(2, 0, 0, 2), (2, 0, 1, 3), (3, 0, 1, 4)]
    assert [r["module"]["api_name"] for r in details["resource"]] == [
        "Leads",
        "Secondary",
        "Lead_Contact_Lookup",
    ]
    assert sorted(tables) == [
        "Lead_Contact_Lookup-links.csv",
        "Leads-leads.csv",
        "Secondary-subform.csv",
    ]
    assert tables["Secondary-subform.csv"][2]["ERRORS"] == "RESOURCE_NOT_FOUND-Lead"
    assert tables["Lead_Contact_Lookup-links.csv"][3]["ERRORS"] == "DUPLICATE_DATA-Contacts"
    ada_id, bob_id = (row["RECORD_ID"] for row in tables["Leads-leads.csv"])
    ada = bulk.record("Leads", ada_id)
    assert [(r["Secondary_Email"], r["Secondary_Phone"]) for r in ada["Secondary_Contacts"]] == [
        ("a1@pc.test", "111"),
        ("a2@pc.test", "222"),
    ]
    assert ada["Secondary_Contacts"][0]["Parent_Id"] == {"id": ada_id, "name": "Ada"}
    assert sorted(link["Contacts"]["id"] for link in ada["Related_Contacts"]) == sorted([ray, sue])
    bob = bulk.record("Leads", bob_id)
    assert [link["Contacts"]["id"] for link in bob["Related_Contacts"]] == [ray]
    assert bob["Secondary_Contacts"] == []


def test_subform_rows_into_existing_parents_by_id(bulk: Bulk) -> None:
    lead = bulk.insert("Leads", {"Last_Name": "Host", "Company": "H"})
    job = {
        "operation": "insert",
        "resource": [
            resource(
                "Secondary",
                {"api_name": "Secondary_Email", "index": 0},
                {"api_name": "Parent_Id", "index": 1, "find_by": "id"},
            )
        ],
    }
    details, tables = bulk.run(
        job, {"sub.csv": f"Email,Parent\ns1@ex.test,{lead}\ns2@ex.test,123\n"}
    )
    assert counts(details) == (1, 0, 1, 2)
    assert tables["Secondary-sub.csv"][1]["ERRORS"] == "RESOURCE_NOT_FOUND-Parent"
    [row] = bulk.record("Leads", lead)["Secondary_Contacts"]
    assert row["Secondary_Email"] == "s1@ex.test"


def test_quotes_with_quoted_items(bulk: Bulk) -> None:
    bulk.insert("Accounts", {"Account_Name": "Quokka Buyer Test Inc"})
    widget = bulk.insert("Products", {"Product_Name": "Widget", "Product_Code": "QTEST-W1"})
    gadget = bulk.insert("Products", {"Product_Name": "Gadget", "Product_Code": "QTEST-G1"})
    job = {
        "operation": "insert",
        "resource": [
            resource(
                "Quotes",
                {"api_name": "Subject", "index": 0},
                {"api_name": "Account_Name", "index": 1, "find_by": "Account_Name"},
                {"api_name": "Quote_Stage", "index": 2},
                file_names=["quotes.csv"],
            ),
            resource(
                "Quoted_Items",
                {"api_name": "Parent_Id", "index": 0, "parent_column_index": 0},
                {"api_name": "Product_Name", "index": 1, "find_by": "Product_Code"},
                {"api_name": "Quantity", "index": 2},
                {"api_name": "List_Price", "index": 3},
                file_names=["items.csv"],
            ),
        ],
    }
    files = {
        "quotes.csv": "Subject,Account,Stage\nQ-100,Quokka Buyer Test Inc,Draft\n",
        "items.csv": (
            "Quote,Code,Qty,Price\nQ-100,QTEST-W1,2,9.5\nQ-100,QTEST-G1,1,100\nQ-100,X-9,1,1\n"
        ),
    }
    details, tables = bulk.run(job, files)
    assert [counts(details, i) for i in range(2)] == [(1, 0, 0, 1), (2, 0, 1, 3)]
    assert tables["Quoted_Items-items.csv"][2]["ERRORS"] == "RESOURCE_NOT_FOUND-Code"
    quote = bulk.record("Quotes", tables["Quotes-quotes.csv"][0]["RECORD_ID"])
    items = [
        (i["Product_Name"]["id"], i["Quantity"], i["List_Price"]) for i in quote["Quoted_Items"]
    ]
    assert items == [(widget, 2.0, 9.5), (gadget, 1.0, 100.0)]


def test_concurrency_limit_keeps_the_third_job_added(bulk: Bulk) -> None:
    assert bulk.sandbox.state is not None
    worker = service_of(bulk.sandbox.state).worker
    worker.pause()
    job = {"operation": "insert", "resource": [resource("Leads")]}
    ids = [bulk.submit(job, {"l.csv": f"Last_Name,Company\nL{n},C\n"}) for n in range(3)]
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        statuses = [bulk.details(job_id)["status"] for job_id in ids]
        if statuses.count("IN PROGRESS") == 2:
            break
        time.sleep(0.05)
    assert statuses == ["IN PROGRESS", "IN PROGRESS", "ADDED"]
    assert "character_encoding" not in bulk.details(ids[2])
    worker.resume()
    assert [bulk.wait(job_id)["status"] for job_id in ids] == ["COMPLETED"] * 3


def test_jobs_survive_a_restart(make_sandbox: Callable[..., SandboxServer], tmp_path: Path) -> None:
    data_dir = tmp_path / "persist"
    first = make_sandbox(data_dir=data_dir, max_concurrent_jobs=1)
    job = {"operation": "insert", "resource": [resource("Leads")]}
    with authorized_session(first) as session:
        bulk = Bulk(session, first)
        done_id = bulk.submit(job, {"l.csv": "Last_Name,Company\nDone,C\n"})
        bulk.wait(done_id)
        assert first.state is not None
        service_of(first.state).worker.pause()
        running_id = bulk.submit(job, {"l.csv": "Last_Name,Company\nRunning,C\n"})
        queued_id = bulk.submit(job, {"l.csv": "Last_Name,Company\nQueued,C\n"})
        assert bulk.wait(running_id, ("IN PROGRESS",))["status"] == "IN PROGRESS"
        assert bulk.details(queued_id)["status"] == "ADDED"
    first.stop()  # the running job is interrupted; both unfinished jobs are on disk

    second = make_sandbox(data_dir=data_dir, max_concurrent_jobs=1)
    with authorized_session(second) as session:
        bulk = Bulk(session, second)
        old = bulk.details(done_id)
        assert old["status"] == "COMPLETED"
        assert session.get(old["result"]["download_url"], timeout=30).status_code == 200
        for job_id in (running_id, queued_id):
            details = bulk.wait(job_id)
            assert details["status"] == "COMPLETED"
            assert counts(details) == (1, 0, 0, 1)
        names = session.get(
            f"{second.base_url}/crm/v8/Leads/search?criteria=(Company:equals:C)", timeout=30
        )
        assert sorted(r["Last_Name"] for r in names.json()["data"]) == ["Done", "Queued", "Running"]


def test_a_job_stopped_mid_way_resumes_without_duplicates(
    make_sandbox: Callable[..., SandboxServer], tmp_path: Path
) -> None:
    data_dir = tmp_path / "resume"
    first = make_sandbox(data_dir=data_dir)
    assert first.state is not None
    worker = service_of(first.state).worker
    worker.chunk_rows = 2
    first_chunk = threading.Event()

    def pause_after_first_chunk(job_id: str, rows_done: int) -> None:
        worker.pause()
        first_chunk.set()

    worker.on_chunk.append(pause_after_first_chunk)
    rows = "".join(f"Part{n},Resume Co\n" for n in range(5))
    job = {"operation": "insert", "resource": [resource("Leads")]}
    with authorized_session(first) as session:
        bulk = Bulk(session, first)
        job_id = bulk.submit(job, {"l.csv": "Last_Name,Company\n" + rows})
        assert first_chunk.wait(timeout=30)
        assert bulk.details(job_id)["status"] == "IN PROGRESS"
        search = f"{first.base_url}/crm/v8/Leads/search?criteria=(Company:equals:Resume Co)"
        assert len(session.get(search, timeout=30).json()["data"]) == 2  # one chunk committed
    first.stop()

    second = make_sandbox(data_dir=data_dir)
    with authorized_session(second) as session:
        bulk = Bulk(session, second)
        details = bulk.wait(job_id)
        assert details["status"] == "COMPLETED"
        assert counts(details) == (5, 0, 0, 5)
        search = f"{second.base_url}/crm/v8/Leads/search?criteria=(Company:equals:Resume Co)"
        found = session.get(search, timeout=30).json()["data"]
        assert sorted(r["Last_Name"] for r in found) == [f"Part{n}" for n in range(5)]
        result = session.get(details["result"]["download_url"], timeout=30).content
        with zipfile.ZipFile(io.BytesIO(result)) as archive:
            lines = archive.read("Leads-l.csv").decode().splitlines()[1:]
        assert sorted(line.split(",")[3] for line in lines) == sorted(r["id"] for r in found)
