"""``bulkwizard-cli check`` and ``split`` run through ``bulkwizard.cli.main`` on real files."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from pathlib import Path

import pytest

from bulkwizard.cli import main

JOB = {
    "operation": "insert",
    "resource": [
        {"type": "data", "module": {"api_name": "Leads"}, "file_names": ["leads.csv"],
         "field_mappings": [{"api_name": "Last_Name", "index": 0},
                            {"api_name": "Company", "index": 1},
                            {"api_name": "Email", "index": 2}]},
        {"type": "data", "module": {"api_name": "Secondary"}, "file_names": ["subform.csv"],
         "field_mappings": [{"api_name": "Secondary_Email", "index": 0},
                            {"api_name": "Relationship", "index": 1},
                            {"api_name": "Parent_Id", "index": 2, "parent_column_index": 0}]},
    ],
}  # fmt: skip


@pytest.fixture
def files(tmp_path: Path) -> Path:
    (tmp_path / "job.json").write_text(json.dumps(JOB), encoding="utf-8")
    (tmp_path / "leads.csv").write_text(
        "Last Name,Company,Email\nSmith,Acme,s@a.com\nJones,Globex,j@g\nBrown,Initech,b@i.com\n",
        encoding="utf-8",
    )
    (tmp_path / "subform.csv").write_text(
        "Email,Rel,Lead\na@x.com,Manager,Smith\nb@x.com,Boss,Jones\nc@x.com,Other,Smith\n",
        encoding="utf-8",
    )
    return tmp_path


def csv_args(root: Path) -> list[str]:
    return ["--csv", f"leads.csv={root / 'leads.csv'}", "--csv", str(root / "subform.csv")]


def test_check_json_lists_findings_and_exits_1(
    files: Path, demo_snapshot_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["check", str(files / "job.json"), "--metadata", str(demo_snapshot_dir),
                 *csv_args(files), "--json"])  # fmt: skip
    out = json.loads(capsys.readouterr().out)
    assert code == 1
    assert [(f["file"], f["row"], f["column"], f["value"], f["field"], f["code"], f["kind"])
            for f in out["findings"]] == [
        (str(files / "leads.csv"), 2, "Email", "j@g", "Email", "INVALID_DATA", "email"),
        (str(files / "subform.csv"), 2, "Rel", "Boss", "Relationship", "INVALID_DATA", "picklist"),
    ]  # fmt: skip
    assert out["findings"][0]["message"] == "'j@g' is not an email address"


def test_check_text_output_and_export(
    files: Path, demo_snapshot_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["check", str(files / "job.json"), "--metadata", str(demo_snapshot_dir),
                 *csv_args(files), "--export", str(files / "flagged")])  # fmt: skip
    captured = capsys.readouterr()
    assert code == 1
    assert captured.out.splitlines()[0] == (
        f"{files / 'leads.csv'} row 2 (line 3), Email: error: 'j@g' is not an email address "
        "[INVALID_DATA/email]"
    )
    assert "2 error(s), 0 warning(s)" in captured.err
    flagged = (files / "flagged" / "leads-problems.csv").read_text(encoding="utf-8-sig")
    assert flagged.splitlines() == [
        "Last Name,Company,Email,Problems",
        "Jones,Globex,j@g,error: Email: 'j@g' is not an email address",
    ]


def test_check_clean_files_exit_0(files: Path, demo_snapshot_dir: Path) -> None:
    (files / "leads.csv").write_text("Last Name,Company,Email\nSmith,Acme,s@a.com\n")
    (files / "subform.csv").write_text("Email,Rel,Lead\na@x.com,Manager,Smith\n")
    args = ["check", str(files / "job.json"), "--metadata", str(demo_snapshot_dir)]
    assert main([*args, *csv_args(files)]) == 0


def test_check_unusable_input_exits_2(
    files: Path, demo_snapshot_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["check", str(files / "job.json"), "--metadata", str(demo_snapshot_dir)]
    assert main([*args, "--csv", f"leads.csv={files / 'leads.csv'}"]) == 2
    assert "no file given for resource 1 (Secondary): pass --csv subform.csv=PATH" in (
        capsys.readouterr().err
    )
    assert main([*args, "--csv", f"nope.csv={files / 'x.csv'}", *csv_args(files)]) == 2
    (files / "bad.json").write_text('{"operation": "insert", "resource": [}')
    bad = ["check", str(files / "bad.json"), "--metadata", str(demo_snapshot_dir)]
    assert main([*bad, *csv_args(files)]) == 2
    assert "bad.json" in capsys.readouterr().err


def test_split_writes_zips_and_plan(files: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = files / "out"
    code = main(["split", str(files / "job.json"), *csv_args(files), "--out", str(out),
                 "--max-rows", "2", "--json"])  # fmt: skip
    assert code == 0
    printed = json.loads(capsys.readouterr().out)
    plan = json.loads((out / "plan.json").read_text())
    assert [job["files"] for job in plan["jobs"]] == [
        {"leads.csv": 1, "subform.csv": 2},
        {"leads.csv": 2, "subform.csv": 1},
    ]
    assert [Path(job["zip"]).name for job in plan["jobs"]] == ["part-001.zip", "part-002.zip"]
    assert printed["jobs"] == plan["jobs"]
    with zipfile.ZipFile(out / "part-001.zip") as archive:
        assert archive.namelist() == ["leads.csv", "subform.csv"]
        assert archive.read("subform.csv").decode().splitlines() == [
            "Email,Rel,Lead",
            "a@x.com,Manager,Smith",
            "c@x.com,Other,Smith",
        ]
    job = json.loads((out / "job-002.json").read_text())
    assert job["resource"][1]["file_names"] == ["subform.csv"]


def test_split_refuses_orphans_with_exit_1(files: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with (files / "subform.csv").open("a") as stream:
        stream.write("d@x.com,Other,Nobody\n")
    code = main(["split", str(files / "job.json"), *csv_args(files), "--out", str(files / "o")])
    assert code == 1
    assert "subform.csv, row 4: this child row's parent key matches no parent row" in (
        capsys.readouterr().err
    )
    assert not (files / "o" / "plan.json").exists()


def test_split_rejects_limits_over_zoho_maximum(files: Path) -> None:
    args = ["split", str(files / "job.json"), *csv_args(files), "--out", str(files / "o")]
    assert main([*args, "--max-rows", "25001"]) == 2


def test_split_refuses_files_without_data_rows(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Header-only files used to give "0 job(s) written" and exit 0, which reads as success."""
    (tmp_path / "job.json").write_text(json.dumps(JOB), encoding="utf-8")
    (tmp_path / "leads.csv").write_text("Last Name,Company,Email\n", encoding="utf-8")
    (tmp_path / "subform.csv").write_text("Email,Rel,Lead\n", encoding="utf-8")
    code = main(["split", str(tmp_path / "job.json"), *csv_args(tmp_path),
                 "--out", str(tmp_path / "out")])  # fmt: skip
    assert code == 1
    assert "no data rows below the header" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


AWKWARD_PARENT = (
    "Ref,Unused,Last Name,Company,Email\r\n"
    'L1,x,Smith,"Zylker, Motors",s@z.test\r\n'
    'L2,y,"Ok\r\nafor",Café Ltd,o@z.test\r\n'
    "\r\n"
    "L3,z,Müller,Straße GmbH,m@z.test\r\n"
    "L4,w,Short\r\n"
)
AWKWARD_CHILD = (
    "Lead Ref,Secondary Email,Secondary Phone,Relationship\r\n"
    "L3,a@z.test,,Manager\r\nL1,b@z.test,+1 555,Assistant\r\nL3,c@z.test,,\r\n"
    "L2,d@z.test,,Manager\r\nL4,é@z.test,,Manager\r\n"
)
PARENT_CHILD_JOB = {
    "operation": "insert",
    "resource": [
        {"type": "data", "module": {"api_name": "Leads"}, "file_names": ["leads.csv"],
         "field_mappings": [{"api_name": "Last_Name", "index": 2},
                            {"api_name": "Company", "index": 3},
                            {"api_name": "Email", "index": 4}]},
        {"type": "data", "module": {"api_name": "Secondary"}, "file_names": ["secondary.csv"],
         "field_mappings": [{"api_name": "Parent_Id", "index": 0, "parent_column_index": 0},
                            {"api_name": "Secondary_Email", "index": 1},
                            {"api_name": "Relationship", "index": 3}]},
    ],
}  # fmt: skip


def _split_awkward(root: Path, encoding: str) -> list[dict[str, list[list[str]]]]:
    folder = root / encoding
    folder.mkdir()
    (folder / "job.json").write_text(json.dumps(PARENT_CHILD_JOB), encoding="utf-8")
    with (folder / "p.csv").open("w", encoding=encoding, newline="") as stream:
        stream.write(AWKWARD_PARENT)
    with (folder / "c.csv").open("w", encoding=encoding, newline="") as stream:
        stream.write(AWKWARD_CHILD)
    code = main(["split", str(folder / "job.json"), "--csv", f"leads.csv={folder / 'p.csv'}",
                 "--csv", f"secondary.csv={folder / 'c.csv'}", "--out", str(folder / "out"),
                 "--max-rows", "2"])  # fmt: skip
    assert code == 0
    plan = json.loads((folder / "out" / "plan.json").read_text(encoding="utf-8"))
    for entry in plan["jobs"]:
        job = json.loads(Path(entry["job"]).read_text(encoding="utf-8"))
        # Unused (parent) and Secondary Phone (child) are left out: the indexes follow.
        assert [[(m["api_name"], m["index"], m.get("parent_column_index"))
                 for m in r["field_mappings"]] for r in job["resource"]] == [
            [("Last_Name", 1, None), ("Company", 2, None), ("Email", 3, None)],
            [("Parent_Id", 0, 0), ("Secondary_Email", 1, None), ("Relationship", 2, None)],
        ]  # fmt: skip
    chunks = []
    for entry in plan["jobs"]:
        with zipfile.ZipFile(entry["zip"]) as archive:
            chunks.append(
                {
                    name: list(csv.reader(io.StringIO(archive.read(name).decode("utf-8"))))
                    for name in archive.namelist()
                }
            )
    return chunks


def test_split_awkward_file_same_rows_fast_and_exact_path(tmp_path: Path) -> None:
    """UTF-8 (fast path) and cp1252 (exact path) give the same zips, every row once, families kept.

    The parent has a quoted comma, a quoted CRLF, a blank line, a ragged row, accents and a
    dropped column (so the indexes shift by one); children come in another order.
    """
    utf8 = _split_awkward(tmp_path, "utf-8")
    assert utf8 == _split_awkward(tmp_path, "cp1252")
    header = ["Ref", "Last Name", "Company", "Email"]
    child_header = ["Lead Ref", "Secondary Email", "Relationship"]
    assert utf8 == [
        {
            "leads.csv": [
                header,
                ["L1", "Smith", "Zylker, Motors", "s@z.test"],
                ["L2", "Ok\r\nafor", "Café Ltd", "o@z.test"],
            ],
            "secondary.csv": [
                child_header,
                ["L1", "b@z.test", "Assistant"],
                ["L2", "d@z.test", "Manager"],
            ],
        },
        {
            "leads.csv": [header, ["L3", "Müller", "Straße GmbH", "m@z.test"]],
            "secondary.csv": [child_header, ["L3", "a@z.test", "Manager"], ["L3", "c@z.test", ""]],
        },
        {
            "leads.csv": [header, ["L4", "Short", "", ""]],
            "secondary.csv": [child_header, ["L4", "é@z.test", "Manager"]],
        },
    ]


def test_check_limit_below_one_is_a_usage_error(
    files: Path, demo_snapshot_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``--limit 0`` used to print one finding anyway (the limit was tested after appending)."""
    code = main(["check", str(files / "job.json"), "--metadata", str(demo_snapshot_dir),
                 *csv_args(files), "--limit", "0"])  # fmt: skip
    assert code == 2
    assert capsys.readouterr().err == "bulkwizard-cli check: --limit must be at least 1\n"
