"""The job draft: request building, rebinding by header, and the versioned draft file."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from bulkwizard.core import draft as draft_module
from bulkwizard.core.draft import (
    ColumnRef,
    FieldMappingDraft,
    JobDraft,
    ResourceDraft,
    SourceFile,
)
from bulkwizard.core.errors import DraftFormatError
from bulkwizard.core.job import BulkWriteJob, DefaultValue
from bulkwizard.core.metadata import MetadataSnapshot
from bulkwizard.core.reading.sniff import ReadOptions
from bulkwizard.core.validation import validate_job

DEMO_SNAPSHOT = Path(__file__).parents[1] / "data" / "demo_snapshot"


def leads_insert() -> JobDraft:
    return JobDraft(
        profile="Demo org",
        operation="insert",
        resources=[
            ResourceDraft(
                module="Leads",
                source=SourceFile(
                    path="/data/leads.xlsx",
                    sheet="Leads",
                    read_options={"has_header": True, "header_row": 0},
                ),
                mappings=[
                    FieldMappingDraft("Last_Name", ColumnRef(0, "Last name")),
                    FieldMappingDraft("Company", ColumnRef(1, "Company")),
                    FieldMappingDraft(
                        "Preferred_Call_Date", ColumnRef(2, "Call on"), format="dd/MM/yyyy"
                    ),
                    FieldMappingDraft("Lead_Source", default=DefaultValue("Trade Show")),
                ],
            )
        ],
    )


def leads_upsert_with_secondary() -> JobDraft:
    return JobDraft(
        profile="Demo org",
        operation="upsert",
        ignore_empty=True,
        callback_url="https://example.com/done",
        character_encoding="UTF-8",
        resources=[
            ResourceDraft(
                module="Leads",
                find_by="Email",
                source=SourceFile(
                    path="/data/leads.csv",
                    read_options={"encoding": "utf-8", "delimiter": ";", "has_header": True},
                ),
                mappings=[
                    FieldMappingDraft("Email", ColumnRef(0, "E-mail")),
                    FieldMappingDraft("Last_Name", ColumnRef(1, "Last name")),
                    FieldMappingDraft("Company", ColumnRef(2, "Company")),
                ],
            ),
            ResourceDraft(
                module="Secondary",
                source=SourceFile(path="/data/secondary.csv"),
                mappings=[
                    FieldMappingDraft(
                        "Parent_Id",
                        ColumnRef(0, "Lead e-mail"),
                        parent_column=ColumnRef(0, "E-mail"),
                    ),
                    FieldMappingDraft("Secondary_Email", ColumnRef(1, "Other e-mail")),
                    FieldMappingDraft("Secondary_Phone", ColumnRef(2, "Other phone")),
                ],
            ),
        ],
    )


# --- to_job --------------------------------------------------------------------------------------


def test_leads_insert_request() -> None:
    job = leads_insert().to_job(file_id="4876876000000900001", file_names=["leads.csv"])

    assert job.to_json() == {
        "operation": "insert",
        "ignore_empty": False,
        "resource": [
            {
                "type": "data",
                "module": {"api_name": "Leads"},
                "file_id": "4876876000000900001",
                "file_names": ["leads.csv"],
                "field_mappings": [
                    {"api_name": "Last_Name", "index": 0},
                    {"api_name": "Company", "index": 1},
                    {"api_name": "Preferred_Call_Date", "index": 2, "format": "dd/MM/yyyy"},
                    {"api_name": "Lead_Source", "default_value": {"value": "Trade Show"}},
                ],
            }
        ],
    }


def test_leads_upsert_with_subform_child_request() -> None:
    job = leads_upsert_with_secondary().to_job(
        file_id="7", file_names=["leads.csv", "secondary.csv"]
    )

    assert job.to_json() == {
        "operation": "upsert",
        "character_encoding": "UTF-8",
        "ignore_empty": True,
        "callback": {"url": "https://example.com/done", "method": "post"},
        "resource": [
            {
                "type": "data",
                "module": {"api_name": "Leads"},
                "file_id": "7",
                "file_names": ["leads.csv"],
                "find_by": "Email",
                "field_mappings": [
                    {"api_name": "Email", "index": 0},
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
                    {"api_name": "Secondary_Phone", "index": 2},
                ],
            },
        ],
    }


def test_request_reads_back_as_the_same_job() -> None:
    job = leads_upsert_with_secondary().to_job(file_id="7", file_names=["a.csv", "b.csv"])

    assert BulkWriteJob.from_json(job.to_json()) == job


def test_validator_accepts_the_upsert_draft_before_upload() -> None:
    snapshot = MetadataSnapshot.load(DEMO_SNAPSHOT)
    job = leads_upsert_with_secondary().to_job(file_names=["leads.csv", "secondary.csv"])

    problems = validate_job(job, snapshot, require_file_id=False)

    assert problems == []  # not even a warning


def test_validator_accepts_the_insert_draft_before_upload() -> None:
    snapshot = MetadataSnapshot.load(DEMO_SNAPSHOT)

    problems = validate_job(leads_insert().to_job(), snapshot, require_file_id=False)

    assert problems == []  # not even a warning


def test_before_upload_the_request_has_no_file_id_or_names() -> None:
    resource = leads_insert().to_job().to_json()["resource"][0]

    assert "file_id" not in resource
    assert "file_names" not in resource


def test_resource_without_mappings_is_auto_mapped() -> None:
    draft = JobDraft(operation="insert", resources=[ResourceDraft(module="Leads")])

    assert "field_mappings" not in draft.to_job().to_json()["resource"][0]


def test_file_names_must_match_the_resources() -> None:
    with pytest.raises(ValueError, match="1 file names given for 2 resources"):
        leads_upsert_with_secondary().to_job(file_names=["leads.csv"])


def test_module_and_find_by_are_the_parent_resources() -> None:
    draft = JobDraft()
    draft.module = "Leads"
    draft.find_by = "Email"
    draft.module = "Contacts"

    assert draft.module == "Contacts"
    assert draft.find_by == "Email"
    assert len(draft.resources) == 1


# --- rebind --------------------------------------------------------------------------------------


def test_rebind_follows_headers_after_columns_move() -> None:
    draft = leads_insert()

    unresolved = draft.rebind(0, ["Call on", "  COMPANY ", "last   NAME", "Notes"])

    columns = {m.api_name: m.column for m in draft.resources[0].mappings}
    assert unresolved == []
    assert columns["Last_Name"] == ColumnRef(2, "last   NAME")
    assert columns["Company"] == ColumnRef(1, "Company")  # still at its index: kept as was
    assert columns["Preferred_Call_Date"] == ColumnRef(0, "Call on")
    assert columns["Lead_Source"] is None
    assert draft.to_job().to_json()["resource"][0]["field_mappings"][0] == {
        "api_name": "Last_Name",
        "index": 2,
    }


def test_rebind_reports_missing_and_ambiguous_headers() -> None:
    draft = leads_insert()

    unresolved = draft.rebind(0, ["Company", "Company", "Notes"])

    assert [m.api_name for m in unresolved] == ["Last_Name", "Preferred_Call_Date"]
    # Unresolved columns are left untouched, for the user to re-map.
    assert draft.resources[0].mappings[0].column == ColumnRef(0, "Last name")


def test_rebinding_the_parent_moves_the_childrens_parent_links() -> None:
    draft = leads_upsert_with_secondary()

    unresolved = draft.rebind(0, ["Company", "Last name", "e-mail"])

    assert unresolved == []
    link = draft.resources[1].mappings[0]
    assert link.parent_column == ColumnRef(2, "e-mail")
    assert link.column == ColumnRef(0, "Lead e-mail")  # the child's own column did not move
    child = draft.to_job().to_json()["resource"][1]["field_mappings"][0]
    assert child == {"api_name": "Parent_Id", "index": 0, "parent_column_index": 2}


# --- the draft file ------------------------------------------------------------------------------


@pytest.mark.parametrize("make", [leads_insert, leads_upsert_with_secondary, JobDraft])
def test_save_load_round_trip(tmp_path: Path, make: Any) -> None:
    draft = make()
    path = tmp_path / "autosave" / "draft.json"

    draft.save(path)

    assert JobDraft.load(path) == draft
    assert json.loads(path.read_text(encoding="utf-8"))["version"] == 1


def test_saved_draft_names_the_profile_only(tmp_path: Path) -> None:
    path = tmp_path / "draft.json"
    leads_insert().save(path)

    data = json.loads(path.read_text(encoding="utf-8"))

    assert data["profile"] == "Demo org"
    assert not {"token", "secret", "client_secret", "refresh_token"} & set(data)


def test_source_file_keeps_only_confirmed_read_options() -> None:
    options = ReadOptions(
        encoding="cp1252", delimiter=";", has_header=True, sheet=None, bom=True, guessed=("x",)
    )

    source = SourceFile.from_read_options("/data/a.csv", options)

    assert source.read_options == {"encoding": "cp1252", "delimiter": ";", "has_header": True}
    assert source.to_read_options() == ReadOptions(
        encoding="cp1252", delimiter=";", has_header=True
    )


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_truncated_file_is_a_typed_error_naming_it(tmp_path: Path) -> None:
    path = tmp_path / "draft.json"
    leads_insert().save(path)
    text = path.read_text(encoding="utf-8")
    write(path, text[: len(text) // 2])

    with pytest.raises(DraftFormatError, match="truncated") as caught:
        JobDraft.load(path)

    assert caught.value.source == str(path)
    assert str(path) in str(caught.value)


def test_future_version_is_refused_clearly(tmp_path: Path) -> None:
    path = write(tmp_path / "draft.json", json.dumps({"version": 2, "resources": []}))

    with pytest.raises(DraftFormatError, match="version 2 .*newer bulkwizard") as caught:
        JobDraft.load(path)

    assert str(path) in str(caught.value)


@pytest.mark.parametrize(
    ("content", "message", "where"),
    [
        ("[1, 2]", "a draft must be a JSON object", "$"),
        ('"draft"', "a draft must be a JSON object", "$"),
        ('{"resources": []}', "version", "$.version"),
        ('{"version": 1, "resources": {}}', "resources must be a JSON array", "$.resources"),
        ('{"version": 1, "resources": [{"kind": "data"}]}', "module", "$.resources[0].module"),
        (
            '{"version": 1, "resources": [{"module": "Leads",'
            ' "mappings": [{"api_name": "Email", "column": {"index": "0"}}]}]}',
            "index must be int",
            "$.resources[0].mappings[0].column.index",
        ),
        (
            '{"version": 1, "resources": [{"module": "Leads",'
            ' "source": {"path": "a.csv", "read_options": {"password": "x"}}}]}',
            "unknown read option",
            "$.resources[0].source.read_options.password",
        ),
    ],
)
def test_bad_shapes_are_typed_errors_naming_the_file(
    tmp_path: Path, content: str, message: str, where: str
) -> None:
    path = write(tmp_path / "draft.json", content)

    with pytest.raises(DraftFormatError, match=message) as caught:
        JobDraft.load(path)

    assert caught.value.source == str(path)
    assert caught.value.where == where
    assert str(caught.value).startswith(f"{path}: ")


def test_failed_save_leaves_the_old_file_intact(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "draft.json"
    leads_insert().save(path)
    before = path.read_bytes()

    def broken_dumps(*args: Any, **kwargs: Any) -> str:
        raise TypeError("cannot serialise")

    monkeypatch.setattr(draft_module.json, "dumps", broken_dumps)
    with pytest.raises(TypeError):
        leads_upsert_with_secondary().save(path)

    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["draft.json"]  # no temp file left over


def test_failed_write_leaves_the_old_file_intact(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A failure while the temp file is being written (disk full, say) must not reach the target.
    path = tmp_path / "draft.json"
    leads_insert().save(path)
    before = path.read_bytes()

    def broken_fsync(fd: int) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("bulkwizard.core.atomic.os.fsync", broken_fsync)
    with pytest.raises(OSError, match="No space"):
        leads_upsert_with_secondary().save(path)

    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["draft.json"]
