"""Tests of the CSV reader: shapes, row numbers, lazy random access, the row index, errors."""

from __future__ import annotations

import csv
import threading
from pathlib import Path

import pytest

from bulkwizard.core.errors import CsvFormatError
from bulkwizard.core.reading import ReadOptions, Row, open_table
from bulkwizard.core.reading import csv_table as table_csv


def write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def cells(rows: list[Row]) -> list[list[str]]:
    return [row.values for row in rows]


@pytest.mark.parametrize("newline", ["\r\n", "\n", "\r"])
def test_line_endings_quoted_newlines_and_blank_lines(tmp_path: Path, newline: str) -> None:
    lines = [
        "Name,Note,Amount",
        'Ann,"hello, world",1',
        "",
        f'Bob,"two{newline}lines",2',
        'Cy,"say ""hi""",3',
        "",
        "",
    ]
    path = write(tmp_path, "shapes.csv", newline.join(lines).encode())
    with open_table(path) as table:
        assert table.options.line_ending == newline
        assert table.headers == ["Name", "Note", "Amount"]
        rows = list(table.iter_rows())
        assert table.build_index()
        assert table.row_count == 3
    assert cells(rows) == [
        ["Ann", "hello, world", "1"],
        ["Bob", f"two{newline}lines", "2"],
        ["Cy", 'say "hi"', "3"],
    ]
    assert [(r.number, r.line) for r in rows] == [(1, 2), (2, 4), (3, 6)]


def test_ragged_rows_are_padded_cut_and_flagged(tmp_path: Path) -> None:
    text = "a,b,c\n1,2,3\n4,5\n6,7,8,9\n10,11,12,\n13,14,15,,\n"
    path = write(tmp_path, "ragged.csv", text.encode())
    with open_table(path) as table:
        rows = list(table.iter_rows())
    assert table.column_count == 3
    assert cells(rows) == [
        ["1", "2", "3"],
        ["4", "5", ""],
        ["6", "7", "8"],
        ["10", "11", "12"],
        ["13", "14", "15"],
    ]
    assert [r.field_count for r in rows] == [3, 2, 4, 3, 3]
    assert [r.extra for r in rows] == [[], [], ["9"], [], []]
    assert [r.ragged for r in rows] == [False, True, True, False, False]


def test_wider_rows_than_header_add_columns(tmp_path: Path) -> None:
    path = write(tmp_path, "wide.csv", b"a,b\n1,2,x\n3,4,y\n")
    with open_table(path) as table:
        assert table.headers == ["a", "b", "Column 3"]
        assert table.raw_headers == ["a", "b", ""]
        assert cells(table.head(5)) == [["1", "2", "x"], ["3", "4", "y"]]


def test_duplicate_and_empty_headers(tmp_path: Path) -> None:
    path = write(tmp_path, "dup.csv", b"Email,,Email,Name\na@x.com,1,b@x.com,Ann\n")
    with open_table(path) as table:
        assert table.headers == ["Email", "Column 2", "Email (2)", "Name"]
        assert table.raw_headers == ["Email", "", "Email", "Name"]
        assert table.column_count == 4


def test_empty_and_header_only_files(tmp_path: Path) -> None:
    with open_table(write(tmp_path, "empty.csv", b"")) as table:
        assert table.head(5) == [] and table.row_count == 0
    with open_table(write(tmp_path, "header.csv", b"id,name\r\n")) as table:
        assert table.headers == ["id", "name"]
        assert list(table.iter_rows()) == [] and table.row_count == 0


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(CsvFormatError, match="no such file"):
        open_table(tmp_path / "nope.csv")


def make_big(tmp_path: Path, rows: int = 100_000) -> Path:
    path = tmp_path / "big.csv"
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(["id", "name", "note", "amount"])
        for i in range(rows):
            note = f"line one\nline two {i}" if i % 10 == 0 else f"note, {i}"
            writer.writerow([i, f"Name {i}", note, f"{i * 1.5:.2f}"])
    return path


def expected_line(i: int) -> int:
    # Header is line 1; every tenth row (i % 10 == 0) takes two physical lines.
    return 2 + i + (i + 9) // 10


def test_hundred_thousand_rows_random_access(tmp_path: Path) -> None:
    path = make_big(tmp_path)
    seen: list[tuple[int, int]] = []
    with open_table(path) as table:
        assert table.row_count is None
        assert 80_000 < table.estimated_row_count < 150_000
        head = table.head(200)
        assert head[199].values == ["199", "Name 199", "note, 199", "298.50"]
        assert table.build_index(progress=lambda done, total: seen.append((done, total)))
        assert table.row_count == 100_000 and table.indexed
        size = path.stat().st_size
        assert seen[-1] == (size, size)
        assert all(a[0] <= b[0] for a, b in zip(seen, seen[1:], strict=False))
        for start in (0, 1023, 1024, 5000, 54_321, 99_998):
            rows = table.rows(start, 3)
            for offset, row in enumerate(rows):
                i = start + offset
                assert row.number == i + 1
                assert row.line == expected_line(i)
                note = f"line one\nline two {i}" if i % 10 == 0 else f"note, {i}"
                assert row.values == [str(i), f"Name {i}", note, f"{i * 1.5:.2f}"]
        assert len(table.rows(99_998, 10)) == 2
        assert table.rows(100_000, 5) == []
        tail = list(table.iter_rows(99_990))
        assert [r.number for r in tail] == list(range(99_991, 100_001))


def test_rows_before_the_index_is_complete(tmp_path: Path) -> None:
    path = make_big(tmp_path, 5_000)
    with open_table(path) as table:
        row = table.rows(4_321, 1)[0]
        assert (row.number, row.line, row.values[0]) == (4_322, expected_line(4_321), "4321")


def test_cancel_and_background_index(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(table_csv, "_PROGRESS_ROWS", 100)
    path = make_big(tmp_path, 20_000)
    stop = threading.Event()
    stop.set()
    with open_table(path) as table:
        assert table.build_index(cancel=stop) is False
        assert table.row_count is None
        # What was indexed before the cancel is still used for random access.
        assert table.rows(19_999, 1)[0].values[0] == "19999"
        thread = table.start_indexing()
        thread.join(timeout=60)
        assert not thread.is_alive() and table.index_error is None
        assert table.row_count == 20_000
        assert table.rows(15_000, 1)[0].line == expected_line(15_000)


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-be", "cp1252", "utf-8-sig"])
def test_random_access_in_other_encodings(tmp_path: Path, encoding: str) -> None:
    path = tmp_path / "enc.csv"
    with path.open("w", newline="", encoding=encoding) as out:
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow(["id", "word"])
        for i in range(3_000):
            writer.writerow([i, "Zürich é" if i % 2 else "multi\r\nligne"])
    with open_table(path) as table:
        assert table.headers == ["id", "word"]
        assert table.build_index() and table.row_count == 3_000
        row = table.rows(2_501, 1)[0]
        assert row.values == ["2501", "Zürich é"]
        assert row.line == 2 + 2_501 + 1_251
        assert table.rows(2_500, 1)[0].values == ["2500", "multi\r\nligne"]


def test_unterminated_quote_names_its_line(tmp_path: Path) -> None:
    path = write(tmp_path, "open.csv", b'a,b\n1,2\n3,"never closed\n4,5\n6,7\n')
    with pytest.raises(CsvFormatError) as caught:
        open_table(path)  # a small file is read to its end on opening
    assert caught.value.line == 3 and "never closed" in caught.value.message
    assert "open.csv, line 3" in str(caught.value)


def test_unterminated_quote_in_a_big_file(tmp_path: Path) -> None:
    body = "".join(f"{i},text {i}\n" for i in range(10_000))
    path = write(tmp_path, "open.csv", f'a,b\n7,"oops\n{body}'.encode())
    with pytest.raises(CsvFormatError) as caught:
        open_table(path)
    assert caught.value.line == 2
    assert "never closed" in caught.value.message


def test_invalid_bytes_under_forced_encoding_name_the_line(tmp_path: Path) -> None:
    body = b"".join(b"%d,ok\n" % i for i in range(60_000))
    path = write(tmp_path, "bad.csv", b"a,b\n" + body + b"x,caf\xe9\n")
    with open_table(path, ReadOptions(encoding="utf-8")) as table:
        with pytest.raises(CsvFormatError) as caught:
            table.build_index()
    assert caught.value.line == 60_002
    assert "not valid utf-8" in caught.value.message


def test_quote_none_reads_quotes_literally(tmp_path: Path) -> None:
    path = write(tmp_path, "raw.csv", b'a\tb\n"x\t5" screen\n')
    with open_table(path, ReadOptions(quotechar="")) as table:
        assert table.options.delimiter == "\t"
        assert cells(table.head(2)) == [['"x', '5" screen']]


def test_a_cell_longer_than_pythons_default_limit_is_read(tmp_path: Path) -> None:
    """A 200,000-character note is data to flag as too long, not a broken file."""
    path = tmp_path / "notes.csv"
    long_note = "x" * 200_000
    path.write_text(f'Last_Name,Description\nSmith,"{long_note}"\nJones,short\n', encoding="utf-8")
    table = open_table(path)
    rows = list(table.iter_rows())
    assert [row.values[0] for row in rows] == ["Smith", "Jones"]
    assert len(rows[0].values[1]) == 200_000
