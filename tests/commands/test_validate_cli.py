"""``bulkwizard-cli validate`` on real files: exit codes, JSON output, report, bad input."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from bulkwizard.cli import main

DATA = Path(__file__).parent.parent / "data"
SNAPSHOT = DATA / "demo_snapshot"
JOBS = DATA / "jobs"


def write_job(folder: Path, data: dict[str, Any], name: str = "job.json") -> Path:
    path = folder / name
    path.write_text(json.dumps(data, indent=2), encoding="utf-8")
    return path


def leads_job(*mappings: dict[str, Any], operation: str = "insert") -> dict[str, Any]:
    return {
        "operation": operation,
        "resource": [
            {
                "type": "data",
                "module": {"api_name": "Leads"},
                "file_id": "1",
                "file_names": ["leads.csv"],
                "field_mappings": list(mappings),
            }
        ],
    }


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["validate", *args])
    out, err = capsys.readouterr()
    return code, out, err


def test_clean_parent_child_job_with_named_csvs_exits_0(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for name in ("leads_parent_child.json", "leads.csv", "secondary.csv", "leads_x_contacts.csv"):
        shutil.copy(JOBS / name, tmp_path / name)
    code, out, err = run(
        capsys,
        str(tmp_path / "leads_parent_child.json"),
        "--metadata",
        str(SNAPSHOT),
        "--csv",
        f"leads.csv={tmp_path / 'leads.csv'}",
        "--csv",
        f"secondary.csv={tmp_path / 'secondary.csv'}",
        "--csv",
        str(tmp_path / "leads_x_contacts.csv"),  # bare path, matched by its file name
        "--json",
    )
    assert (code, err) == (0, "")
    assert json.loads(out) == {"problems": []}


def test_errors_exit_1_with_json_problems(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    job = write_job(
        tmp_path,
        leads_job({"api_name": "Last_Name", "index": 0}, {"api_name": "Company", "index": 5}),
    )
    csv = tmp_path / "leads.csv"
    csv.write_text("Last Name,Company\nSmith,Zylker\n", encoding="utf-8")
    code, out, _ = run(capsys, str(job), "--metadata", str(SNAPSHOT), "--csv", str(csv), "--json")
    assert code == 1
    problems = json.loads(out)["problems"]
    assert [(p["severity"], p["code"], p["path"]) for p in problems] == [
        ("error", "COLUMN_INDEX_NOT_FOUND", "$.resource[0].field_mappings[1].index")
    ]
    assert set(problems[0]) >= {"severity", "code", "message", "path"}
    assert "leads.csv has only 2 columns" in problems[0]["message"]


def test_readable_report_groups_by_severity(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    job = write_job(
        tmp_path,
        leads_job(
            {"api_name": "Last_Name", "index": 0},
            {"api_name": "Email", "index": 1, "find_by": "email"},
        ),
    )
    code, out, _ = run(capsys, str(job), "--metadata", str(SNAPSHOT))
    assert code == 1
    lines = out.splitlines()
    assert lines[0] == "Errors (1):"
    assert lines[1] == "  MANDATORY_FIELDS_NOT_MAPPED at $.resource[0].field_mappings"
    assert "Company is required to create Leads records" in lines[2]
    assert "Warnings (1):" in lines
    assert "  FIND_BY_IGNORED at $.resource[0].field_mappings[1].find_by" in lines
    assert lines[-1] == f"{job}: 1 error, 1 warning. Zoho would reject this job."


def test_warnings_only_exit_0(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    job = write_job(
        tmp_path,
        leads_job(
            {"api_name": "Last_Name", "index": 0},
            {"api_name": "Company", "index": 1},
            {"api_name": "Email", "index": 1},
        ),
    )
    code, out, _ = run(capsys, str(job), "--metadata", str(SNAPSHOT))
    assert code == 0
    assert out.splitlines()[-1] == f"{job}: 0 errors, 1 warning. Zoho should accept this job."


def test_before_upload_does_not_require_file_id(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = leads_job({"api_name": "Last_Name", "index": 0}, {"api_name": "Company", "index": 1})
    del data["resource"][0]["file_id"]
    job = write_job(tmp_path, data)
    assert run(capsys, str(job), "--metadata", str(SNAPSHOT))[0] == 1
    code, out, _ = run(capsys, str(job), "--metadata", str(SNAPSHOT), "--before-upload")
    assert (code, out.strip()) == (0, f"{job}: no problems found.")


def test_invalid_json_exits_2_naming_file_line_and_column(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    job = tmp_path / "subform.json"
    shutil.copy(DATA / "zoho_samples" / "subform_insert.jsonc", job)
    code, out, err = run(capsys, str(job), "--metadata", str(SNAPSHOT))
    assert (code, out) == (2, "")
    assert f"{job}, line 17, column 30: comments are not allowed in JSON" in err


def test_misplaced_resource_exits_2_naming_the_path(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    job = tmp_path / "pc.json"
    shutil.copy(DATA / "zoho_samples" / "parent_child_insert.json", job)
    code, _, err = run(capsys, str(job), "--metadata", str(SNAPSHOT))
    assert code == 2
    assert "line 65" in err and "$.resource[1].field_mappings[3].type" in err


@pytest.mark.parametrize(
    ("setup", "words"),
    [
        ("missing_job", "job file not found"),
        ("missing_snapshot", "metadata snapshot folder not found"),
        ("empty_snapshot", "modules.json: file not found"),
        ("missing_csv", "no such file"),
        ("empty_csv", "no header row"),
        ("deep_json", "nested more than 64 levels deep"),
    ],
)
def test_unusable_input_exits_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], setup: str, words: str
) -> None:
    job = write_job(
        tmp_path,
        leads_job({"api_name": "Last_Name", "index": 0}, {"api_name": "Company", "index": 1}),
    )
    snapshot = SNAPSHOT
    extra: list[str] = []
    if setup == "missing_job":
        job = tmp_path / "nope.json"
    elif setup == "missing_snapshot":
        snapshot = tmp_path / "no-snapshot"
    elif setup == "empty_snapshot":
        snapshot = tmp_path / "snap"
        snapshot.mkdir()
    elif setup == "missing_csv":
        extra = ["--csv", str(tmp_path / "missing.csv")]
    elif setup == "empty_csv":
        (tmp_path / "empty.csv").write_text("", encoding="utf-8")
        extra = ["--csv", str(tmp_path / "empty.csv")]
    elif setup == "deep_json":
        job.write_text("[" * 100_000 + "]" * 100_000, encoding="utf-8")
    code, out, err = run(capsys, str(job), "--metadata", str(snapshot), *extra)
    assert (code, out) == (2, "")
    assert words in err


def test_csv_arguments_that_do_not_fit_the_job_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    job = tmp_path / "pc.json"
    shutil.copy(JOBS / "leads_parent_child.json", job)
    csv = tmp_path / "some.csv"
    csv.write_text("a,b\n1,2\n", encoding="utf-8")
    code, _, err = run(capsys, str(job), "--metadata", str(SNAPSHOT), "--csv", str(csv))
    assert code == 2
    assert "the job has 3 resources" in err and "--csv NAME=PATH" in err
    code, _, err = run(capsys, str(job), "--metadata", str(SNAPSHOT), "--csv", f"other.csv={csv}")
    assert code == 2
    assert "no resource has 'other.csv' in file_names" in err
    assert "leads.csv, leads_x_contacts.csv, secondary.csv" in err
    code, _, err = run(
        capsys,
        str(job),
        "--metadata",
        str(SNAPSHOT),
        "--csv",
        f"leads.csv={csv}",
        "--csv",
        f"leads.csv={csv}",
    )
    assert code == 2 and "already has a CSV" in err


def test_semicolon_csv_with_dates_in_another_format(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    job = write_job(
        tmp_path,
        leads_job(
            {"api_name": "Last_Name", "index": 0},
            {"api_name": "Company", "index": 1},
            {"api_name": "Preferred_Call_Date", "index": 2},
        ),
    )
    csv = tmp_path / "leads.csv"
    csv.write_bytes("Name;Firma;Rückruf\nMüller;Zylker GmbH;31.12.2026\n".encode("cp1252"))
    code, out, _ = run(capsys, str(job), "--metadata", str(SNAPSHOT), "--csv", str(csv), "--json")
    assert code == 0
    (problem,) = json.loads(out)["problems"]
    assert problem["code"] == "DATE_FORMAT_MISMATCH"
    assert 'column 3 "Rückruf" (index 2) of leads.csv' in problem["message"]
    assert 'set "format": "dd.MM.yyyy"' in problem["message"]


def test_installed_console_script_runs(tmp_path: Path) -> None:
    script = Path(sys.executable).parent / "bulkwizard-cli"
    assert script.exists(), f"{script} missing: install the package with pip install -e ."
    shutil.copy(JOBS / "vehicles_insert.json", tmp_path / "vehicles.json")
    shutil.copy(JOBS / "vehicles_insert.csv", tmp_path / "vehicles.csv")
    result = subprocess.run(
        [
            str(script),
            "validate",
            str(tmp_path / "vehicles.json"),
            "--metadata",
            str(SNAPSHOT),
            "--csv",
            str(tmp_path / "vehicles.csv"),
            "--json",
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert (result.returncode, result.stderr) == (0, "")
    assert json.loads(result.stdout) == {"problems": []}
    broken = json.loads((JOBS / "vehicles_insert.json").read_text(encoding="utf-8"))
    broken["resource"][0]["field_mappings"][0]["api_name"] = "Vehicle_Name"
    (tmp_path / "broken.json").write_text(json.dumps(broken), encoding="utf-8")
    result = subprocess.run(
        [str(script), "validate", str(tmp_path / "broken.json"), "--metadata", str(SNAPSHOT)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 1
    assert "INVALID_FIELD at $.resource[0].field_mappings[0].api_name" in result.stdout
    assert 'Did you mean "Vehicle Name" (Name)?' in result.stdout


def test_job_file_in_utf16_or_with_a_bom_is_read(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Windows Notepad saves "Unicode" (UTF-16 with a BOM) and "UTF-8 with BOM".
    text = json.dumps(leads_job({"api_name": "Last_Name", "index": 0}))
    for name, data in (
        ("utf16.json", text.encode("utf-16")),
        ("bom.json", b"\xef\xbb\xbf" + text.encode("utf-8")),
    ):
        (tmp_path / name).write_bytes(data)
        code, out, err = run(capsys, str(tmp_path / name), "--metadata", str(SNAPSHOT), "--json")
        assert err == "", name
        codes = {p["code"] for p in json.loads(out)["problems"]}
        assert codes == {"MANDATORY_FIELDS_NOT_MAPPED"}, name  # Company is unmapped
        assert code == 1


def test_job_file_that_is_not_text_or_is_a_folder_exits_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    junk = tmp_path / "junk.json"
    junk.write_bytes(b'{"operation":\n"ins\xe9rt"}')  # Latin-1, not UTF-8
    code, out, err = run(capsys, str(junk), "--metadata", str(SNAPSHOT))
    assert code == 2 and out == ""
    assert "junk.json, line 2" in err and "not UTF-8" in err
    folder = tmp_path / "job.json"
    folder.mkdir()
    code, _, err = run(capsys, str(folder), "--metadata", str(SNAPSHOT))
    assert code == 2 and "is a folder" in err


def test_a_draft_without_file_id_gets_a_tip_and_before_upload_accepts_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    job = tmp_path / "draft.json"
    job.write_text(
        '{"operation": "insert", "resource": [{"type": "data", "module": {"api_name": "Accounts"},'
        ' "field_mappings": [{"api_name": "Account_Name", "index": 0}]}]}',
        encoding="utf-8",
    )
    snapshot = str(Path(__file__).parent.parent / "data" / "demo_snapshot")
    assert main(["validate", str(job), "--metadata", snapshot]) == 1
    out = capsys.readouterr().out
    assert "MANDATORY_NOT_FOUND at $.resource[0].file_id" in out and "--before-upload" in out
    assert main(["validate", str(job), "--metadata", snapshot, "--before-upload"]) == 0
    assert "Tip" not in capsys.readouterr().out
