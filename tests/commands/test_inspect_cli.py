"""Tests of ``bulkwizard-cli inspect`` through the real parser (and once as a process)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest

from bulkwizard.cli import main

CSV_TEXT = (
    "Name;Email;Born;Amount;Email\r\n"
    'Ann;ann@example.com;31/12/1990;1,5;"a;b"\r\n'
    'Bob;;01/02/1985;2,25;"multi\r\nline"\r\n'
    "Cy;cy@example.com;15/07/2001;3;\r\n"
    "\r\n"
)


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(["inspect", *argv])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_json_report(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "people.csv"
    path.write_bytes(CSV_TEXT.encode("cp1252"))
    code, out, err = run(capsys, str(path), "--json", "--rows", "2")
    assert (code, err) == (0, "")
    report = json.loads(out)
    assert report["encoding"] == "utf-8"  # plain ASCII reads as UTF-8
    assert report["delimiter"] == ";"
    assert report["has_header"] is True
    assert report["headers"] == ["Name", "Email", "Born", "Amount", "Email (2)"]
    assert report["raw_headers"][4] == "Email"
    assert report["row_count"] == 3
    assert report["rows"] == [
        ["Ann", "ann@example.com", "31/12/1990", "1,5", "a;b"],
        ["Bob", "", "01/02/1985", "2,25", "multi\r\nline"],
    ]
    assert report["row_lines"] == [2, 3]
    columns = {c["name"]: c for c in report["columns"]}
    assert set(columns["Born"]) >= {"name", "kind", "empty_share", "samples", "format"}
    assert (columns["Born"]["kind"], columns["Born"]["format"]) == ("date", "dd/MM/yyyy")
    assert columns["Email"]["kind"] == "email"
    assert columns["Email"]["empty_share"] == pytest.approx(1 / 3, abs=1e-3)
    assert columns["Amount"]["samples"] == ["1,5", "2,25", "3"]
    assert set(report["guessed"]) >= {"encoding", "delimiter", "has_header"}


def test_overrides(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "p.txt"
    path.write_text("1|2\n3|4\n", encoding="utf-8")
    code, out, _ = run(
        capsys, str(path), "--json", "--rows", "5", "--no-header", "--delimiter", "pipe",
        "--encoding", "latin-1",
    )  # fmt: skip
    report = json.loads(out)
    assert code == 0
    assert (report["encoding"], report["delimiter"], report["has_header"]) == (
        "latin-1",
        "|",
        False,
    )
    assert report["headers"] == ["Column 1", "Column 2"]
    assert report["rows"] == [["1", "2"], ["3", "4"]]
    assert "rows" not in json.loads(run(capsys, str(path), "--json")[1])


def test_human_output(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "people.csv"
    path.write_text(CSV_TEXT, encoding="utf-8", newline="")
    code, out, _ = run(capsys, str(path), "--rows", "3")
    assert code == 0
    assert "Delimiter:   ';' (guessed)" in out
    assert "Rows:        3   Columns: 5" in out
    assert "Born" in out and "dd/MM/yyyy" in out
    assert "multi⏎line" in out
    assert "First 3 rows:" in out


def test_workbook(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    workbook = openpyxl.Workbook()
    first = workbook.active
    assert first is not None
    first.title = "Intro"
    first.append(["nothing here"])
    data = workbook.create_sheet("Data")
    data.append(["Id", "Qty"])
    data.append([1, 2.5])
    path = tmp_path / "b.xlsx"
    workbook.save(path)
    code, out, _ = run(capsys, str(path), "--sheet", "Data", "--json", "--rows", "1")
    report = json.loads(out)
    assert code == 0
    assert (report["sheet"], report["sheets"]) == ("Data", ["Intro", "Data"])
    assert report["headers"] == ["Id", "Qty"] and report["rows"] == [["1", "2.5"]]
    assert report["row_count"] == 1
    code, _, err = run(capsys, str(path), "--sheet", "Missing")
    assert code == 2 and "no sheet named 'Missing'" in err


def test_unreadable_files_exit_2_naming_file_and_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "broken.csv"
    path.write_bytes(b'a,b\n1,2\n3,"open\n4,5\n')
    code, out, err = run(capsys, str(path), "--json")
    assert (code, out) == (2, "")
    assert "broken.csv, line 3" in err and "never closed" in err
    wrong = tmp_path / "wrong.csv"
    wrong.write_bytes("a,b\n1,é\n".encode("cp1252"))
    code, _, err = run(capsys, str(wrong), "--encoding", "utf-8")
    assert code == 2 and "wrong.csv, line 2" in err
    code, _, err = run(capsys, str(tmp_path / "missing.csv"))
    assert code == 2 and "missing.csv" in err and "no such file" in err
    code, _, err = run(capsys, str(path), "--delimiter", "ab")
    assert code == 2 and "one character" in err


def test_header_row_names_the_header_and_must_exist(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "report.csv"
    path.write_text("Exported 2024-05-01\nName,Email\nAnn,ann@example.com\n", encoding="utf-8")
    code, out, err = run(capsys, str(path), "--json", "--rows", "5", "--header-row", "2")
    report = json.loads(out)
    assert (code, err) == (0, "")
    assert (report["has_header"], report["header_row"]) == (True, 2)
    assert report["headers"] == ["Name", "Email"] and report["rows"] == [["Ann", "ann@example.com"]]
    # Row 3 as the header: the user said so, even though the row looks like data.
    report = json.loads(run(capsys, str(path), "--json", "--header-row", "3")[1])
    assert (report["headers"], report["row_count"]) == (["Ann", "ann@example.com"], 0)
    for bad, message in (
        (["--header-row", "0"], "counts from 1"),
        (["--header-row", "9"], "only 3 non-blank rows"),
        (["--header-row", "99999999999999999999"], "only 3 non-blank rows"),
        (["--header-row", "2", "--no-header"], "one of --header-row and --no-header"),
        (["--quotechar", "ab"], "one character"),
    ):
        code, out, err = run(capsys, str(path), *bad)
        assert (code, out) == (2, ""), bad
        assert message in err and "Traceback" not in err, bad


def test_a_folder_is_not_a_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, str(tmp_path))
    assert code == 2 and "this is a folder" in err


def test_console_script(tmp_path: Path) -> None:
    path = tmp_path / "t.tsv"
    path.write_text("id\tname\n1\tAnn\n", encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "bulkwizard.cli", "inspect", str(path), "--json", "--rows", "1"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["delimiter"] == "\t" and report["rows"] == [["1", "Ann"]]


@pytest.mark.parametrize(
    ("content", "detail"),
    [
        (b"", "is empty (0 bytes)"),
        (
            b"\xef\xbb\xbf",
            "is empty: no header and no cell with any text",
        ),  # a UTF-8 BOM and nothing else
        (b"\xff\xfe", "is empty: no header and no cell with any text"),  # a UTF-16 BOM
        (b"\r\n\r\n\n", "is empty: no header and no cell with any text"),
        (b" , ,\n,,\n", "is empty: no header and no cell with any text"),
    ],
)
def test_an_empty_file_says_so_and_exits_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: bytes, detail: str
) -> None:
    path = tmp_path / "nothing.csv"
    path.write_bytes(content)
    for extra in ([], ["--json"]):
        code, out, err = run(capsys, str(path), *extra)
        assert (code, out) == (2, "")
        assert f"{path} {detail}" in err and "nothing to import" in err
        assert "Rows:" not in err


def test_a_header_without_rows_is_not_empty(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "header.csv"
    path.write_text("Name,Email\n", encoding="utf-8")
    code, out, err = run(capsys, str(path))
    assert (code, err) == (0, "")
    assert "Rows:        0   Columns: 2" in out


def test_an_empty_sheet_says_so(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    workbook = openpyxl.Workbook()
    first = workbook.active
    assert first is not None
    first.title = "Blank"
    workbook.create_sheet("Data").append(["Id"])
    path = tmp_path / "b.xlsx"
    workbook.save(path)
    code, out, err = run(capsys, str(path))
    assert (code, out) == (2, "")
    assert f"sheet 'Blank' of {path} is empty" in err
    assert "other sheets: Data (choose one with --sheet)" in err
    code, out, _ = run(capsys, str(path), "--sheet", "Data")
    assert code == 0 and "Columns: 1" in out


def test_sheet_is_refused_for_a_text_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "people.csv"
    path.write_text("a,b\n1,2\n", encoding="utf-8")
    code, out, err = run(capsys, str(path), "--sheet", "Data", "--json")
    assert (code, out) == (2, "")
    assert f"{path}: --sheet is for .xlsx workbooks" in err and "leave --sheet out" in err


def test_human_table_aligns_wide_characters(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "cjk.csv"
    path.write_text("名前,City,Note\n山田太郎,東京,\nAnna,Zürich,e\u0301\n", encoding="utf-8")
    code, out, _ = run(capsys, str(path), "--rows", "2")
    assert code == 0
    rows = out.split("First 2 rows:\n", 1)[1].splitlines()
    # 名前 and 山田太郎 take 4 and 8 terminal columns; "e" + combining acute takes 1.
    assert rows == [
        "Row  Line  名前      City    Note",
        "---  ----  --------  ------  ----",
        "1    2     山田太郎  東京",
        "2    3     Anna      Zürich  e\u0301",
    ]


def test_wide_cells_are_cut_by_display_width(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "long.csv"
    path.write_text("Note\n" + "中" * 30 + "\n", encoding="utf-8")
    code, out, _ = run(capsys, str(path), "--rows", "1")
    assert code == 0
    rows = out.split("First 1 rows:\n", 1)[1].splitlines()
    # 24 columns per cell: 11 wide characters (22 columns) and the ellipsis.
    assert rows[2] == "1    2     " + "中" * 11 + "…"
    assert rows[1] == "---  ----  " + "-" * 23
