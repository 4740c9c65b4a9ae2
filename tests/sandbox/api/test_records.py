"""Records API over loopback: list, get, search, delete, pagination and errors."""

from __future__ import annotations

from typing import Any

import requests

from bulkwizard.sandbox.server import SandboxServer


def url(session: requests.Session, path: str) -> str:
    return f"{session.base_url}{path}"  # type: ignore[attr-defined]


def get(session: requests.Session, path: str, **params: Any) -> requests.Response:
    return session.get(url(session, path), params=params, timeout=10)


def test_list_pages_through_leads(sandbox_session: requests.Session) -> None:
    seen: list[str] = []
    page = 1
    while True:
        response = get(
            sandbox_session, "/crm/v8/Leads", fields="Last_Name,Email", per_page=60, page=page
        )
        assert response.status_code == 200
        body = response.json()
        assert set(body["data"][0]) == {"id", "Last_Name", "Email"}
        seen.extend(record["id"] for record in body["data"])
        assert body["info"]["page"] == page and body["info"]["per_page"] == 60
        if not body["info"]["more_records"]:
            break
        page += 1
    assert page == 3 and len(seen) == 150 == len(set(seen))
    assert seen == sorted(seen, key=int)
    beyond = get(sandbox_session, "/crm/v8/Leads", fields="Last_Name", page=4, per_page=60)
    assert beyond.status_code == 204 and beyond.content == b""


def test_list_sort_and_errors(sandbox_session: requests.Session) -> None:
    desc = get(sandbox_session, "/crm/v8/Accounts", fields="Account_Name", sort_order="desc")
    ids = [record["id"] for record in desc.json()["data"]]
    assert ids == sorted(ids, key=int, reverse=True)
    no_fields = get(sandbox_session, "/crm/v8/Accounts")
    assert no_fields.status_code == 400
    assert no_fields.json()["code"] == "REQUIRED_PARAM_MISSING"
    assert no_fields.json()["details"] == {"param": "fields"}
    assert get(sandbox_session, "/crm/v2/Accounts").status_code == 200  # optional before v4
    too_many = get(sandbox_session, "/crm/v8/Accounts", fields="Account_Name", per_page=201)
    assert too_many.status_code == 400 and too_many.json()["code"] == "INVALID_DATA"
    bad_field = get(sandbox_session, "/crm/v8/Accounts", fields="Nope")
    assert bad_field.json()["code"] == "INVALID_DATA"
    bad_sort = get(sandbox_session, "/crm/v8/Accounts", fields="Account_Name", sort_by="Phone")
    assert bad_sort.json()["code"] == "INVALID_DATA"
    module = get(sandbox_session, "/crm/v8/Nothing", fields="Name")
    assert module.status_code == 400 and module.json()["code"] == "INVALID_MODULE"


def test_get_record_with_subform_and_multiselect_lookup(
    sandbox: SandboxServer, sandbox_session: requests.Session
) -> None:
    store = sandbox.state.records  # type: ignore[union-attr]
    (lead_id,) = store.find("Leads", "Email", "LEAD030@example-leads.com")
    response = get(sandbox_session, f"/crm/v8/Leads/{lead_id}")
    record = response.json()["data"][0]
    assert record["id"] == lead_id and record["Email"] == "lead030@example-leads.com"
    assert record["Full_Name"] == f"{record['First_Name']} {record['Last_Name']}"
    assert record["Owner"]["name"] == "Patricia Boyle"
    assert record["Created_Time"][-6] in "+-"  # ISO-8601 with an offset
    (row,) = record["Secondary_Contacts"]
    assert row["Secondary_Email"] == "assistant030.0@example-leads.com"
    assert row["Parent_Id"]["id"] == lead_id
    related = record["Related_Contacts"]
    assert len(related) == 2
    for link in related:
        contact = get(sandbox_session, f"/crm/v8/Contacts/{link['Contacts']['id']}").json()
        assert contact["data"][0]["Full_Name"] == link["Contacts"]["name"]
    assert get(sandbox_session, "/crm/v8/Leads/4876876009999999999").status_code == 204


def test_search(sandbox_session: requests.Session) -> None:
    exact = get(
        sandbox_session, "/crm/v8/Accounts/search", criteria="(Account_Name:equals:zylker systems)"
    ).json()
    assert [r["Account_Name"] for r in exact["data"]] == ["Zylker Systems"]
    combined = get(
        sandbox_session,
        "/crm/v8/Contacts/search",
        criteria="((First_Name:equals:Ava)and(Last_Name:starts_with:Th))or(Email:equals:x@y.z)",
    ).json()["data"]
    assert combined and all(r["First_Name"] == "Ava" for r in combined)
    by_lookup = get(
        sandbox_session, "/crm/v8/Contacts/search", criteria="(Account_Name:equals:Zylker Systems)"
    ).json()["data"]
    assert by_lookup and {r["Account_Name"]["name"] for r in by_lookup} == {"Zylker Systems"}
    account_id = by_lookup[0]["Account_Name"]["id"]
    by_lookup_id = get(
        sandbox_session,
        "/crm/v8/Contacts/search",
        criteria=f"(Account_Name.id:equals:{account_id})",
    ).json()["data"]
    assert [r["id"] for r in by_lookup_id] == [r["id"] for r in by_lookup]
    by_email = get(sandbox_session, "/crm/v8/Leads/search", email="lead001@example-leads.com")
    assert [r["Email"] for r in by_email.json()["data"]] == ["lead001@example-leads.com"]
    by_word = get(sandbox_session, "/crm/v8/Products/search", word="backup").json()["data"]
    assert by_word and all("Backup" in r["Product_Name"] for r in by_word)
    numbers = get(
        sandbox_session, "/crm/v8/Vehicles/search", criteria="(Model_Year:greater_equal:2024)"
    ).json()["data"]
    assert numbers and all(r["Model_Year"] >= 2024 for r in numbers)
    nothing = get(sandbox_session, "/crm/v8/Leads/search", criteria="(Email:equals:none@x.y)")
    assert nothing.status_code == 204
    for bad in ("Email:equals:x", "(Email:like:x)", "(Nope:equals:x)"):
        response = get(sandbox_session, "/crm/v8/Leads/search", criteria=bad)
        assert response.status_code == 400 and response.json()["code"] == "INVALID_QUERY"
    missing = get(sandbox_session, "/crm/v8/Leads/search")
    assert missing.json()["code"] == "REQUIRED_PARAM_MISSING"


def test_deeply_nested_criteria_is_invalid_query_not_a_crash(
    sandbox_session: requests.Session,
) -> None:
    nested = "(" * 3000 + "Last_Name:equals:Patel" + ")" * 3000
    response = get(sandbox_session, "/crm/v8/Leads/search", criteria=nested)
    assert response.status_code == 400
    assert response.json()["code"] == "INVALID_QUERY"
    shallow = "((" + "(Last_Name:equals:Patel)" + "))"
    assert get(sandbox_session, "/crm/v8/Leads/search", criteria=shallow).status_code == 200


def test_delete_reports_each_id_and_cascades(
    sandbox: SandboxServer, sandbox_session: requests.Session
) -> None:
    store = sandbox.state.records  # type: ignore[union-attr]
    (lead_id,) = store.find("Leads", "Email", "lead030@example-leads.com")
    rows = store.find("Secondary", "Parent_Id", lead_id)
    links = store.find("Lead_Contact_Lookup", "Leads", lead_id)
    assert rows and links
    response = sandbox_session.delete(
        url(sandbox_session, "/crm/v8/Leads"), params={"ids": f"{lead_id},123"}, timeout=10
    )
    assert response.status_code == 200
    assert response.json() == {
        "data": [
            {
                "code": "SUCCESS",
                "details": {"id": lead_id},
                "message": "record deleted",
                "status": "success",
            },
            {
                "code": "INVALID_DATA",
                "details": {"id": "123"},
                "message": "record not deleted",
                "status": "error",
            },
        ]
    }
    assert store.get("Leads", lead_id) is None
    assert all(store.get("Secondary", row) is None for row in rows)
    assert store.find("Lead_Contact_Lookup", "Leads", lead_id) == []
    assert store.count("Leads") == 149


def test_delete_limits(sandbox_session: requests.Session) -> None:
    too_many = ",".join(str(4876876001000000000 + n) for n in range(101))
    response = sandbox_session.delete(
        url(sandbox_session, "/crm/v8/Leads"), params={"ids": too_many}, timeout=10
    )
    assert response.status_code == 400 and response.json()["code"] == "LIMIT_EXCEEDED"
    missing = sandbox_session.delete(url(sandbox_session, "/crm/v8/Leads"), timeout=10)
    assert missing.json()["code"] == "REQUIRED_PARAM_MISSING"


def test_criteria_values_of_the_wrong_type_are_invalid_query(
    sandbox_session: requests.Session,
) -> None:
    for bad in (
        "(Annual_Revenue:greater_than:abc)",
        "(Created_Time:between:x,y)",
        "(Annual_Revenue:between:1)",
        "(Last_Name:starts_with:)",
        "(Last_Name:greater_than:M)",  # ordering applies to numbers and dates only
    ):
        response = get(sandbox_session, "/crm/v8/Leads/search", criteria=bad)
        assert response.status_code == 400, bad
        assert response.json()["code"] == "INVALID_QUERY"
        assert response.json()["details"]["api_name"] == bad[1:].split(":", 1)[0]
    for good in (
        "(Annual_Revenue:greater_than:0)",
        "(Created_Time:between:2000-01-01T00:00:00+00:00,2999-01-01T00:00:00+00:00)",
    ):
        assert get(sandbox_session, "/crm/v8/Leads/search", criteria=good).status_code == 200
