"""The metadata model: parsing Zoho's Modules/Fields bodies and snapshot folders."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bulkwizard.core.errors import MetadataError
from bulkwizard.core.metadata import MetadataSnapshot
from bulkwizard.sandbox.demo import metadata as demo_metadata


def test_committed_demo_snapshot_matches_the_sandbox_definition(demo_snapshot_dir: Path) -> None:
    """tests/data/demo_snapshot is generated from the sandbox's demo org; they must not drift.

    Regenerate with: python -c "from bulkwizard.sandbox.demo.metadata import write_snapshot;
    write_snapshot('tests/data/demo_snapshot')"
    """
    committed = json.loads((demo_snapshot_dir / "modules.json").read_text())
    assert committed == demo_metadata.modules_body()
    for module, body in demo_metadata.fields_bodies().items():
        assert json.loads((demo_snapshot_dir / "fields" / f"{module}.json").read_text()) == body


def test_snapshot_parses_field_properties(demo_snapshot_dir: Path) -> None:
    snapshot = MetadataSnapshot.load(demo_snapshot_dir)
    last_name = snapshot.field("Leads", "Last_Name")
    assert last_name is not None
    assert last_name.system_mandatory and last_name.data_type == "text" and last_name.length == 80
    email = snapshot.field("Contacts", "Email")
    assert email is not None and email.unique
    account = snapshot.field("Contacts", "Account_Name")
    assert account is not None and account.is_lookup and account.lookup_module == "Accounts"
    stage = snapshot.field("Deals", "Stage")
    assert stage is not None and "Closed Won" in stage.allowed_values
    assert "-None-" not in stage.allowed_values
    formula = snapshot.field("Deals", "Expected_Revenue")
    assert formula is not None and not formula.importable_for("insert")
    created = snapshot.field("Deals", "Created_Time")
    assert created is not None and not created.importable_for("update")
    revenue = snapshot.field("Leads", "Annual_Revenue")
    assert revenue is not None and revenue.decimal_place == 2


def test_children_of_a_module_are_found(demo_snapshot_dir: Path) -> None:
    snapshot = MetadataSnapshot.load(demo_snapshot_dir)
    children = snapshot.child_module_names("Leads")
    assert set(children) == {"Secondary", "Lead_Contact_Lookup"}
    linking = children["Lead_Contact_Lookup"].multiselectlookup
    assert linking is not None
    assert (linking.lookup_api_name, linking.connected_lookup_api_name) == ("Leads", "Contacts")
    assert set(snapshot.child_module_names("Quotes")) == {"Quoted_Items"}
    users = snapshot.child_module_names("Vehicles")["Vehicles_X_Users"].multiuserlookup
    assert users is not None and users.connected_module == "Users"
    assert snapshot.module("Accounts") is not None
    assert snapshot.module("Accounts").display_field == "Account_Name"  # type: ignore[union-attr]


def test_module_picker_offers_only_importable_parent_modules(demo_snapshot_dir: Path) -> None:
    snapshot = MetadataSnapshot.load(demo_snapshot_dir)
    names = [module.api_name for module in snapshot.parent_modules()]
    assert names == ["Accounts", "Contacts", "Deals", "Leads", "Products", "Quotes", "Vehicles"]


def test_missing_folder_and_broken_files_name_the_file(tmp_path: Path) -> None:
    with pytest.raises(MetadataError, match="not found"):
        MetadataSnapshot.load(tmp_path / "nowhere")
    (tmp_path / "fields").mkdir()
    (tmp_path / "modules.json").write_text('{"modules": [}', encoding="utf-8")
    with pytest.raises(MetadataError, match=r"modules\.json, line 1, column 14"):
        MetadataSnapshot.load(tmp_path)
    (tmp_path / "modules.json").write_text('{"modules": []}', encoding="utf-8")
    (tmp_path / "fields" / "Leads.json").write_text('{"fields": {}}', encoding="utf-8")
    with pytest.raises(MetadataError, match=r"fields/Leads\.json"):
        MetadataSnapshot.load(tmp_path)


def test_save_and_load_round_trip(tmp_path: Path) -> None:
    demo_metadata.write_snapshot(tmp_path / "snap")
    loaded = MetadataSnapshot.load(tmp_path / "snap")
    assert loaded == demo_metadata.demo_snapshot()
