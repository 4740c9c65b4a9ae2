"""Tests of workbook reading: sheets, cell texts, row numbers, random access after indexing."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import openpyxl
import pytest

from bulkwizard.core.errors import CsvFormatError
from bulkwizard.core.reading import ReadOptions, open_table
from bulkwizard.core.reading.xlsx import XlsxTable, cell_text, list_sheets


def make_workbook(path: Path, rows: int = 5) -> Path:
    workbook = openpyxl.Workbook()
    people = workbook.active
    assert people is not None
    people.title = "People"
    people.append(["Name", "Born", "Score", "Active", "Name", None])
    for i in range(rows):
        people.append([f"P{i}", dt.datetime(1990, 1, 1 + i % 28), i + 0.5, i % 2 == 0, f"n{i}"])
    people.append([])  # a blank row inside the sheet
    people.append(["Last", dt.datetime(2000, 2, 3, 4, 5, 6), 7.0, None, None])
    other = workbook.create_sheet("Orders")
    other.append(["Order", "Qty"])
    other.append(["A-1", 3])
    workbook.create_sheet("Empty")
    workbook.save(path)
    return path


def test_sheets_are_listed_and_picked(tmp_path: Path) -> None:
    path = make_workbook(tmp_path / "book.xlsx")
    assert list_sheets(path) == ["People", "Orders", "Empty"]
    with open_table(path, sheet="Orders") as table:
        assert table.options.sheet == "Orders"
        assert table.headers == ["Order", "Qty"]
        assert [r.values for r in table.head(5)] == [["A-1", "3"]]
    with open_table(path, ReadOptions(sheet="Orders")) as table:
        assert table.headers == ["Order", "Qty"]
    with pytest.raises(CsvFormatError, match="no sheet named 'Nope'; the sheets are: People"):
        open_table(path, sheet="Nope")
    with open_table(path, sheet="Empty") as table:
        assert table.head(5) == [] and table.row_count == 0


def test_cells_rows_and_line_numbers(tmp_path: Path) -> None:
    path = make_workbook(tmp_path / "book.xlsx")
    with open_table(path) as table:
        assert isinstance(table, XlsxTable)
        assert table.options.sheet == "People" and table.options.has_header
        assert table.headers == ["Name", "Born", "Score", "Active", "Name (2)"]
        rows = list(table.iter_rows())
    assert rows[0].values == ["P0", "1990-01-01", "0.5", "TRUE", "n0"]
    assert rows[1].values == ["P1", "1990-01-02", "1.5", "FALSE", "n1"]
    last = rows[-1]
    assert (last.number, last.line) == (6, 8)  # sheet row 7 is blank
    assert last.values == ["Last", "2000-02-03 04:05:06", "7", "", ""]
    assert not any(r.ragged for r in rows)


def test_index_gives_random_access(tmp_path: Path) -> None:
    path = make_workbook(tmp_path / "many.xlsx", rows=3_000)
    progress: list[tuple[int, int]] = []
    with open_table(path) as table:
        assert table.row_count is None
        assert table.build_index(progress=lambda d, t: progress.append((d, t)))
        assert table.row_count == 3_001
        assert isinstance(table, XlsxTable)
        copy = table._copy  # noqa: SLF001 - the temporary CSV must go away on close
        assert copy is not None and os.path.exists(copy)
        row = table.rows(2_048, 2)
        assert [r.values[0] for r in row] == ["P2048", "P2049"]
        assert [r.line for r in row] == [2_050, 2_051]
        assert table.rows(3_000, 5)[0].values[0] == "Last"
        assert table.rows(3_000, 5)[0].line == 3_003
        assert progress[-1][0] == progress[-1][1]
    assert not os.path.exists(copy)


def test_not_a_workbook(tmp_path: Path) -> None:
    path = tmp_path / "fake.xlsx"
    path.write_text("a,b\n1,2\n")
    with pytest.raises(CsvFormatError, match="not a readable .xlsx workbook"):
        open_table(path)


def test_cell_text() -> None:
    assert cell_text(None) == ""
    assert cell_text(3.0) == "3"
    assert cell_text(15551234567.0) == "15551234567"
    assert cell_text(0.1) == "0.1"
    assert cell_text(True) == "TRUE"
    assert cell_text(dt.date(2024, 2, 29)) == "2024-02-29"
    assert cell_text(dt.datetime(2024, 2, 29, 0, 0)) == "2024-02-29"
    assert cell_text(dt.time(9, 30)) == "09:30:00"
    assert cell_text(" x ") == " x "


def test_a_first_data_row_with_blanks_is_kept(tmp_path: Path) -> None:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    for row in (["Smith", None, None], ["Bob", "Bco", "bob@x.com"], ["Cy", "Cco", "cy@x.com"]):
        sheet.append(row)
    path = tmp_path / "headerless.xlsx"
    workbook.save(path)
    with open_table(path) as table:
        assert (table.options.header_row, table.options.has_header) == (0, False)
        assert [row.values[0] for row in table.head(5)] == ["Smith", "Bob", "Cy"]
