"""The record store directly: ids, defaults, find, update, transactions."""

from __future__ import annotations

import pytest

from bulkwizard.sandbox.record_store import RecordNotFound, RecordStore
from bulkwizard.sandbox.server import SandboxServer


@pytest.fixture
def store(sandbox: SandboxServer) -> RecordStore:
    assert sandbox.state is not None
    return sandbox.state.records


def test_insert_sets_ids_and_system_fields(store: RecordStore) -> None:
    record_id = store.insert("Deals", {"Deal_Name": "Big", "Amount": 1000.0, "Probability": 40})
    assert record_id.isdigit() and len(record_id) == 19
    record = store.get("Deals", record_id)
    assert record is not None
    assert record["Expected_Revenue"] == 400.0
    assert record["Owner"]["email"] == "patricia.boyle@zylker-demo.com"
    assert record["Created_Time"] == record["Modified_Time"]
    other = store.insert("Deals", {"Deal_Name": "Other"})
    assert int(other) > int(record_id)


def test_owner_given_by_id_is_completed(store: RecordStore) -> None:
    user = store.find_user("email", "AISHA.RAHMAN@zylker-demo.com")
    assert user is not None
    record_id = store.insert(
        "Leads", {"Last_Name": "X", "Company": "Y", "Owner": {"id": user["id"]}}
    )
    record = store.get("Leads", record_id)
    assert record is not None and record["Owner"]["name"] == "Aisha Rahman"


def test_find_is_case_insensitive_and_follows_updates(store: RecordStore) -> None:
    record_id = store.insert(
        "Leads", {"Last_Name": "Case", "Company": "C", "Email": "Mixed@Case.com"}
    )
    assert store.find("Leads", "Email", "mixed@case.COM") == [record_id]
    store.update("Leads", record_id, {"Email": "new@case.com", "First_Name": "Ann"})
    assert store.find("Leads", "Email", "mixed@case.com") == []
    assert store.find("Leads", "Email", "NEW@case.com") == [record_id]
    record = store.get("Leads", record_id)
    assert record is not None and record["Full_Name"] == "Ann Case"
    assert store.find("Leads", "id", record_id) == [record_id]
    with pytest.raises(RecordNotFound):
        store.update("Leads", "1", {"Email": "x@y.z"})


def test_find_by_lookup_id_and_list_element(store: RecordStore) -> None:
    (account_id,) = store.find("Accounts", "Account_Name", "Zylker Systems")
    contacts = store.find("Contacts", "Account_Name", account_id)
    assert contacts
    assert store.find("Leads", "Interests", "crm")


def test_transaction_rolls_back_every_write(store: RecordStore) -> None:
    before = store.count("Products")
    with pytest.raises(RuntimeError), store.transaction():
        store.insert("Products", {"Product_Name": "Ghost", "Product_Code": "GHOST-1"})
        assert store.find("Products", "Product_Code", "ghost-1")
        raise RuntimeError("boom")
    assert store.count("Products") == before
    assert store.find("Products", "Product_Code", "GHOST-1") == []


def test_list_with_fields_renders_children_only_when_asked(store: RecordStore) -> None:
    records, more = store.list("Quotes", per_page=5, fields=["Subject", "Quoted_Items"])
    assert more is True and len(records) == 5
    assert set(records[0]) == {"id", "Subject", "Quoted_Items"}
    assert records[0]["Quoted_Items"][0]["Parent_Id"]["id"] == records[0]["id"]


def test_lookups_show_the_current_name_or_null(store: RecordStore) -> None:
    account_id = store.insert("Accounts", {"Account_Name": "Old Name"})
    contact_id = store.insert(
        "Contacts",
        {"Last_Name": "Ref", "Account_Name": {"id": account_id, "name": "Old Name"}},
    )
    store.update("Accounts", account_id, {"Account_Name": "New Name"})
    contact = store.get("Contacts", contact_id)
    assert contact is not None and contact["Account_Name"] == {"id": account_id, "name": "New Name"}
    store.delete("Accounts", [account_id])
    contact = store.get("Contacts", contact_id)
    assert contact is not None and contact["Account_Name"] is None


def test_ids_stay_unique_under_concurrent_writers(sandbox: SandboxServer) -> None:
    import threading

    assert sandbox.state is not None
    state = sandbox.state
    ids: list[str] = []
    ids_lock = threading.Lock()

    def insert_in_transactions() -> None:
        for _ in range(5):
            with state.records.transaction():
                made = [state.records.insert("Products", {"Product_Name": "P"}) for _ in range(300)]
            with ids_lock:
                ids.extend(made)

    def allocate() -> None:
        made = [state.new_id() for _ in range(1500)]
        with ids_lock:
            ids.extend(made)

    threads = [threading.Thread(target=f) for f in (insert_in_transactions, allocate) * 2]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not any(thread.is_alive() for thread in threads)
    assert len(ids) == 6000 == len(set(ids))
