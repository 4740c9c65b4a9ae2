"""Upload preparation on real files: Zoho's CSV form, renumbered indexes, zips, determinism."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from pathlib import Path

import pytest

from bulkwizard.core.inputs import bind_inputs
from bulkwizard.core.job import BulkWriteJob
from bulkwizard.core.upload import SplitLimits, UploadPreparer
from bulkwizard.core.upload.preparer import PreparationCancelled
from bulkwizard.core.upload.split import FamilyTooLargeError

QUOTES_JOB = {
    "operation": "insert",
    "resource": [
        {"type": "data", "module": {"api_name": "Quotes"}, "file_names": ["quotes.csv"],
         "field_mappings": [{"api_name": "Subject", "index": 3},
                            {"api_name": "Account_Name", "index": 1, "find_by": "Account_Name"}]},
        {"type": "data", "module": {"api_name": "Quoted_Items"}, "file_names": ["items.csv"],
         "field_mappings": [{"api_name": "Product_Name", "index": 2, "find_by": "Product_Name"},
                            {"api_name": "Quantity", "index": 4},
                            {"api_name": "Parent_Id", "index": 0, "parent_column_index": 2}]},
    ],
}  # fmt: skip


def write_quotes(root: Path) -> dict[str | None, Path]:
    quotes = (
        'Note;Account;Ref;Subject\r\nignore me;Zylker;Q1;Café déal\r\nx;Acme;Q2;"Semi; colon"\r\n'
    )
    items = (
        "Quote,Comment,Product,Unused,Qty\n"
        "Q2,c,Widget,u,1\n"
        'Q1,"multi\nline",Gadget,u,2\n'
        "Q1,c,Widget,u,3\n"
    )
    (root / "quotes.csv").write_bytes(quotes.encode("cp1252"))
    (root / "items.csv").write_text(items, encoding="utf-8-sig")
    return {"quotes.csv": root / "quotes.csv", "items.csv": root / "items.csv"}


def read_zip(path: Path) -> dict[str, str]:
    with zipfile.ZipFile(path) as archive:
        return {name: archive.read(name).decode("utf-8") for name in archive.namelist()}


def test_writes_zoho_csvs_with_renumbered_indexes(tmp_path: Path) -> None:
    job = BulkWriteJob.from_json(QUOTES_JOB)
    files = write_quotes(tmp_path)
    with UploadPreparer(job, bind_inputs(job, files)) as prep:
        plan = prep.plan()
        assert plan.job_count == 1 and plan.total_rows == {"quotes.csv": 2, "items.csv": 3}
        written = prep.write(tmp_path / "out")
    content = read_zip(tmp_path / "out" / "part-001.zip")
    assert content["quotes.csv"] == (
        "Account,Ref,Subject\r\nZylker,Q1,Café déal\r\nAcme,Q2,Semi; colon\r\n"
    )
    assert content["items.csv"] == (
        "Quote,Product,Qty\r\nQ2,Widget,1\r\nQ1,Gadget,2\r\nQ1,Widget,3\r\n"
    )
    chunk_job = json.loads((tmp_path / "out" / "job-001.json").read_text())
    parent, child = chunk_job["resource"]
    assert [m["index"] for m in parent["field_mappings"]] == [2, 0]
    assert child["field_mappings"][2] == {
        "api_name": "Parent_Id",
        "index": 0,
        "parent_column_index": 1,
    }
    assert [m["index"] for m in child["field_mappings"][:2]] == [1, 2]
    assert parent["file_names"] == ["quotes.csv"] and "file_id" not in parent
    plan_json = json.loads((tmp_path / "out" / "plan.json").read_text())
    assert plan_json["jobs"] == [job.to_json() for job in written]
    assert plan_json["jobs"][0]["files"] == {"quotes.csv": 2, "items.csv": 3}


def test_keep_unmapped_columns_keeps_indexes(tmp_path: Path) -> None:
    job = BulkWriteJob.from_json(QUOTES_JOB)
    with UploadPreparer(job, bind_inputs(job, write_quotes(tmp_path)), drop_unmapped=False) as prep:
        prep.write(tmp_path / "out")
        assert prep.chunk_job().resources[1].field_mappings == job.resources[1].field_mappings
    content = read_zip(tmp_path / "out" / "part-001.zip")
    assert content["items.csv"].splitlines()[2:4] == ['Q1,"multi', 'line",Gadget,u,2']


def test_output_is_deterministic_and_deflated(tmp_path: Path) -> None:
    job = BulkWriteJob.from_json(QUOTES_JOB)
    files = write_quotes(tmp_path)
    outputs = []
    for name in ("a", "b"):
        with UploadPreparer(job, bind_inputs(job, files), SplitLimits(max_rows=2)) as prep:
            prep.write(tmp_path / name)
        outputs.append(sorted((p.name, p.read_bytes()) for p in (tmp_path / name).glob("*.zip")))
    assert outputs[0] == outputs[1]
    assert [name for name, _ in outputs[0]] == ["part-001.zip", "part-002.zip"]
    first = read_zip(tmp_path / "a" / "part-001.zip")
    assert first["quotes.csv"].splitlines()[1:] == ["Zylker,Q1,Café déal"]
    assert first["items.csv"].splitlines()[1:] == ["Q1,Gadget,2", "Q1,Widget,3"]
    with zipfile.ZipFile(tmp_path / "a" / "part-002.zip") as archive:
        infos = archive.infolist()
    assert [i.compress_type for i in infos] == [zipfile.ZIP_DEFLATED] * 2
    assert {i.date_time for i in infos} == {(1980, 1, 1, 0, 0, 0)}


def test_family_too_large_names_the_parent_row(tmp_path: Path) -> None:
    job = BulkWriteJob.from_json(QUOTES_JOB)
    with UploadPreparer(
        job, bind_inputs(job, write_quotes(tmp_path)), SplitLimits(max_rows=1)
    ) as prep:
        with pytest.raises(FamilyTooLargeError) as caught:
            prep.plan()
    assert caught.value.row == 1 and caught.value.file.endswith("quotes.csv")
    assert "2 child rows in items.csv" in str(caught.value)


def test_cancel_stops_before_anything_is_written(tmp_path: Path) -> None:
    job = BulkWriteJob.from_json(QUOTES_JOB)
    with UploadPreparer(job, bind_inputs(job, write_quotes(tmp_path)), cancel=lambda: True) as prep:
        with pytest.raises(PreparationCancelled):
            prep.plan()
    assert not (tmp_path / "out").exists()


def test_single_resource_split_by_rows_and_bytes(tmp_path: Path) -> None:
    rows = ["Name,Company"] + [f"n{i},{'c' * (i % 7)}" for i in range(1000)]
    (tmp_path / "leads.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    job = BulkWriteJob.from_json(
        {
            "operation": "insert",
            "resource": [
                {
                    "type": "data",
                    "module": {"api_name": "Leads"},
                    "field_mappings": [
                        {"api_name": "Last_Name", "index": 0},
                        {"api_name": "Company", "index": 1},
                    ],
                }
            ],
        }
    )
    limits = SplitLimits(max_rows=300, max_bytes=2500)
    with UploadPreparer(job, bind_inputs(job, {None: tmp_path / "leads.csv"}), limits) as prep:
        plan = prep.plan()
        written = prep.write(tmp_path / "out")
    assert plan.names == ["Leads.csv"]
    assert sum(chunk.rows["Leads.csv"] for chunk in plan.chunks) == 1000
    assert all(chunk.rows["Leads.csv"] <= 300 for chunk in plan.chunks)
    assert all(entry.zip_bytes <= 2500 for entry in written)
    names: list[str] = []
    for entry in written:
        text = read_zip(entry.zip)["Leads.csv"]
        body = list(csv.reader(io.StringIO(text)))
        assert body[0] == ["Name", "Company"]
        names.extend(row[0] for row in body[1:])
    assert names == [f"n{i}" for i in range(1000)]


def test_scattered_children_are_routed_to_their_parents(tmp_path: Path) -> None:
    (tmp_path / "quotes.csv").write_text("Ref,Subject\nA,a\nB,b\nC,c\n", encoding="utf-8")
    items = "Quote,Product,Qty\n" + "".join(f"{q},P{n},{n}\n" for n in range(3) for q in "ABC")
    (tmp_path / "items.csv").write_text(items, encoding="utf-8")
    job = BulkWriteJob.from_json(
        {
            "operation": "insert",
            "resource": [
                {
                    "type": "data",
                    "module": {"api_name": "Quotes"},
                    "file_names": ["quotes.csv"],
                    "field_mappings": [{"api_name": "Subject", "index": 1}],
                },
                {
                    "type": "data",
                    "module": {"api_name": "Quoted_Items"},
                    "file_names": ["items.csv"],
                    "field_mappings": [
                        {"api_name": "Product_Name", "index": 1, "find_by": "Product_Name"},
                        {"api_name": "Quantity", "index": 2},
                        {"api_name": "Parent_Id", "index": 0, "parent_column_index": 0},
                    ],
                },
            ],
        }
    )
    files = {"quotes.csv": tmp_path / "quotes.csv", "items.csv": tmp_path / "items.csv"}
    with UploadPreparer(job, bind_inputs(job, files), SplitLimits(max_rows=3), workers=2) as prep:
        prep.write(tmp_path / "out")
    contents = [read_zip(tmp_path / "out" / f"part-00{n}.zip") for n in (1, 2, 3)]
    assert [c["quotes.csv"].splitlines()[1:] for c in contents] == [["A,a"], ["B,b"], ["C,c"]]
    assert [c["items.csv"].splitlines()[1:] for c in contents] == [
        [f"{q},P{n},{n}" for n in range(3)] for q in "ABC"
    ]


LEADS_JOB = {
    "operation": "insert",
    "resource": [
        {"type": "data", "module": {"api_name": "Leads"}, "file_names": ["leads.csv"],
         "field_mappings": [{"api_name": "Last_Name", "index": 0},
                            {"api_name": "Company", "index": 1}]},
    ],
}  # fmt: skip


def test_clean_rows_are_copied_as_they_are(tmp_path: Path) -> None:
    """UTF-8, comma, strict RFC 4180, all columns kept: the zip holds the source's own lines."""
    body = "".join(f'n{i},"c, {i} ""q"""\r\n' for i in range(50))
    (tmp_path / "leads.csv").write_bytes(b"Name,Company\r\n" + body.encode())
    job = BulkWriteJob.from_json(LEADS_JOB)
    with UploadPreparer(job, bind_inputs(job, {None: tmp_path / "leads.csv"})) as prep:
        prep.write(tmp_path / "out")
        assert [segment[1] for segment in prep.spools[0].segments] == [tmp_path / "leads.csv"]
    assert read_zip(tmp_path / "out" / "part-001.zip")["leads.csv"] == "Name,Company\r\n" + body


def test_rows_not_in_zoho_form_are_rewritten(tmp_path: Path) -> None:
    """LF ends become CRLF; loose quoting and ragged rows are re-encoded from the reader's cells."""
    lines = ["Name,Company", "a,b", 'c,d"e', '"f"g,h', "i", "", "j,k", "l,m"]
    (tmp_path / "leads.csv").write_bytes("\n".join(lines).encode() + b"\n")
    (tmp_path / "lf.csv").write_bytes(b"Name,Company\na,b\nc,d\n")
    job = BulkWriteJob.from_json(LEADS_JOB)
    with UploadPreparer(job, bind_inputs(job, {None: tmp_path / "leads.csv"})) as prep:
        prep.write(tmp_path / "out")
    text = read_zip(tmp_path / "out" / "part-001.zip")["leads.csv"]
    assert list(csv.reader(io.StringIO(text))) == [
        ["Name", "Company"], ["a", "b"], ["c", 'd"e'], ["fg", "h"], ["i", ""], ["j", "k"],
        ["l", "m"],
    ]  # fmt: skip
    assert text.count("\r\n") == 7 and "\n" not in text.replace("\r\n", "")
    with UploadPreparer(job, bind_inputs(job, {None: tmp_path / "lf.csv"})) as prep:
        prep.write(tmp_path / "lf")
    assert (
        read_zip(tmp_path / "lf" / "part-001.zip")["leads.csv"] == "Name,Company\r\na,b\r\nc,d\r\n"
    )


def test_copied_and_rewritten_files_link_the_same_families(tmp_path: Path) -> None:
    """A copied parent with a rewritten child, and the other way round, keep families whole."""
    parents = "Ref,Subject\r\nA,a\r\n,none\r\nB,b\r\nA,again\r\n"
    children = "Quote,Product,Qty\r\n" + "".join(
        f"{q},P{n},{n}\r\n" for n in range(3) for q in "BA"
    )
    (tmp_path / "quotes.csv").write_text(parents, encoding="utf-8")
    (tmp_path / "items.csv").write_text(children, encoding="utf-8")
    (tmp_path / "quotes-1252.csv").write_bytes(parents.encode("cp1252"))
    for parent_file, child_mappings in (
        ("quotes.csv", [{"api_name": "Quantity", "index": 2}]),  # child drops a column
        ("quotes-1252.csv", [{"api_name": "Quantity", "index": 2},  # parent re-encoded
                             {"api_name": "Product_Name", "index": 1, "find_by": "Product_Name"}]),
    ):  # fmt: skip
        job = BulkWriteJob.from_json(
            {
                "operation": "insert",
                "resource": [
                    {"type": "data", "module": {"api_name": "Quotes"}, "file_names": ["q.csv"],
                     "field_mappings": [{"api_name": "Subject", "index": 1}]},
                    {"type": "data", "module": {"api_name": "Quoted_Items"},
                     "file_names": ["i.csv"],
                     "field_mappings": [*child_mappings, {"api_name": "Parent_Id", "index": 0,
                                                         "parent_column_index": 0}]},
                ],
            }
        )  # fmt: skip
        files: dict[str | None, Path] = {
            "q.csv": tmp_path / parent_file,
            "i.csv": tmp_path / "items.csv",
        }
        out = tmp_path / parent_file.replace(".csv", "")
        with UploadPreparer(job, bind_inputs(job, files), SplitLimits(max_rows=4)) as prep:
            plan = prep.plan()
            assert list(prep.spools[0].families) == [0, 1, 2, 0]
            assert list(prep.spools[1].families) == [2, 0] * 3
            prep.write(out)
        assert [chunk.rows for chunk in plan.chunks] == [
            {"q.csv": 3, "i.csv": 3},
            {"q.csv": 1, "i.csv": 3},
        ]
        first, second = read_zip(out / "part-001.zip"), read_zip(out / "part-002.zip")
        assert first["q.csv"].splitlines()[1:] == ["A,a", ",none", "A,again"]
        assert second["q.csv"].splitlines()[1:] == ["B,b"]
        assert {line.split(",")[0] for line in first["i.csv"].splitlines()[1:]} == {"A"}
        assert {line.split(",")[0] for line in second["i.csv"].splitlines()[1:]} == {"B"}
