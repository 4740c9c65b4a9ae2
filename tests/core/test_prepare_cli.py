"""``bulkwizard-cli check`` and ``split`` run through ``bulkwizard.cli.main`` on real files."""

from __future__ import annotations

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
        f"{files / 'leads.csv'} row 2, Email: error: 'j@g' is not an email address "
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
