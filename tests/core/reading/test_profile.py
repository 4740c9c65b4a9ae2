"""Tests of column profiles: kinds, formats, empty shares, distinct counts, both engines."""

from __future__ import annotations

import csv
import threading
from pathlib import Path

import openpyxl
import pytest

from bulkwizard.core.errors import BulkWizardError, CsvFormatError
from bulkwizard.core.reading import ReadOptions, TableProfile, open_table, profile_table
from bulkwizard.core.reading.profile import ProfileCancelled, chao1, infer_kind, profile_rows

COLUMNS = [
    ("Id", lambda i: str(i + 1), "integer", None),
    ("Price", lambda i: f"{i * 1.25:.2f}", "decimal", None),
    ("Big", lambda i: f"{1000 + i:,}", "integer", "#,###.##"),
    ("Born", lambda i: f"{(i % 28) + 1:02d}/{(i % 12) + 1:02d}/1990", "date", "dd/MM/yyyy"),
    ("Seen", lambda i: f"2024-03-{(i % 28) + 1:02d}T10:{i % 60:02d}:00+05:30", "datetime",
     "yyyy-MM-dd'T'HH:mm:ssXXX"),
    ("Email", lambda i: f"u{i}@example.com", "email", None),
    ("Phone", lambda i: f"+1 (555) {i % 1000:03d}-{i % 10000:04d}", "phone", None),
    ("Site", lambda i: f"https://example.com/{i}", "url", None),
    ("Active", lambda i: "true" if i % 3 else "false", "boolean", None),
    ("City", lambda i: ["Paris", "Oslo", "Rome"][i % 3], "text", None),
    ("Blank", lambda i: "", "empty", None),
    ("Sometimes", lambda i: "x" if i % 4 == 0 else "", "text", None),
]  # fmt: skip


def write_kinds(path: Path, rows: int) -> Path:
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow([name for name, *_ in COLUMNS])
        for i in range(rows):
            writer.writerow([make(i) for _, make, *_ in COLUMNS])
    return path


def check_kinds(profile: TableProfile, rows: int) -> None:
    assert profile.row_count == rows
    got = [(c.name, c.kind, c.format) for c in profile.columns]
    assert got == [(name, kind, fmt) for name, _, kind, fmt in COLUMNS]
    by_name = {c.name: c for c in profile.columns}
    assert by_name["Blank"].empty_share == 1.0
    assert by_name["Sometimes"].empty_share == pytest.approx(0.75, abs=0.02)
    assert by_name["Id"].empty_share == 0.0
    assert by_name["City"].samples == ["Paris", "Oslo", "Rome"]
    assert by_name["Id"].samples == ["1", "2", "3", "4", "5"]
    assert by_name["City"].distinct_estimate == 3
    assert by_name["Active"].distinct_estimate == 2
    assert by_name["Blank"].distinct_estimate == 0


@pytest.mark.parametrize("engine", ["arrow", "python"])
def test_kinds_and_formats(tmp_path: Path, engine: str) -> None:
    path = write_kinds(tmp_path / "kinds.csv", 400)
    with open_table(path) as table:
        profile = profile_table(table, engine=engine)
    assert profile.engine == engine
    check_kinds(profile, 400)
    by_name = {c.name: c for c in profile.columns}
    assert by_name["Id"].distinct_estimate == 400 and by_name["Id"].distinct_exact
    assert by_name["Id"].to_json()["empty_share"] == 0.0


def test_large_file_estimates_distinct_counts(tmp_path: Path) -> None:
    path = write_kinds(tmp_path / "kinds.csv", 60_000)
    with open_table(path) as table:
        profile = profile_table(table)
    assert profile.engine == "arrow"
    check_kinds(profile, 60_000)
    by_name = {c.name: c for c in profile.columns}
    assert not by_name["Id"].distinct_exact
    assert 0.8 * 60_000 <= by_name["Id"].distinct_estimate <= 60_000
    assert by_name["Born"].distinct_estimate == 84  # lcm(28, 12) day/month pairs, all sampled


def test_semicolon_files_prefer_day_first_dates(tmp_path: Path) -> None:
    path = tmp_path / "eu.csv"
    path.write_text("Name;Datum;Betrag\nA;01.02.2024;1,5\nB;03.04.2024;2,25\n", encoding="utf-8")
    with open_table(path) as table:
        profile = profile_table(table)
    assert [(c.kind, c.format) for c in profile.columns] == [
        ("text", None),
        ("date", "dd.MM.yyyy"),
        ("decimal", "####,##"),
    ]


def test_ragged_rows_are_counted(tmp_path: Path) -> None:
    path = tmp_path / "ragged.csv"
    path.write_text("a,b,c\n1,2,3\n4,5\n6,7,8,9\n10,11,12\n", encoding="utf-8")
    with open_table(path) as table:
        arrow = profile_table(table, engine="arrow")
        python = profile_table(table, engine="python")
    assert arrow.row_count == python.row_count == 4
    assert arrow.ragged_rows == python.ragged_rows == 2


def test_non_utf8_file_through_arrow(tmp_path: Path) -> None:
    path = tmp_path / "w.csv"
    rows = "".join(f"{i};Zürich {i % 5};{i}\n" for i in range(300))
    path.write_bytes(("Nr;Ort;Wert\n" + rows).encode("utf-16"))
    with open_table(path) as table:
        profile = profile_table(table, engine="arrow")
    assert profile.row_count == 300
    assert profile.columns[1].samples[:2] == ["Zürich 0", "Zürich 1"]
    assert profile.columns[1].distinct_estimate == 5


@pytest.mark.parametrize(
    "text",
    [
        'a,b\n5" screen,1\n"x",2\n',  # a quote inside an unquoted cell is literal
        'a,"multi\rline"\r1,"x\ry"\r\r4,5\r',  # classic Mac line ends, blank line
        'a;b\r\n"say ""hi""";"p;q"\r\n\r\n;\r\n"";x\r\n\r\n',  # doubled quotes, empties
    ],
)
def test_engines_agree_on_odd_shapes(tmp_path: Path, text: str) -> None:
    path = tmp_path / "odd.csv"
    path.write_bytes(text.encode())
    with open_table(path) as table:
        arrow = profile_table(table, engine="arrow")
        python = profile_table(table, engine="python")
        assert table.build_index()
        assert arrow.row_count == python.row_count == table.row_count
    for left, right in zip(arrow.columns, python.columns, strict=True):
        assert (left.samples, left.empty_count, left.kind) == (
            right.samples,
            right.empty_count,
            right.kind,
        )


def test_malformed_file_found_by_the_scan_names_the_line(tmp_path: Path) -> None:
    body = b"".join(b"%d,ok\n" % i for i in range(60_000))  # past the sniffed head
    path = tmp_path / "bad.csv"
    path.write_bytes(b"a,b\n" + body + b"x,caf\xe9\n")
    with open_table(path, ReadOptions(encoding="utf-8")) as table:
        with pytest.raises(CsvFormatError) as caught:
            profile_table(table)  # arrow rejects the bytes, the Python engine names the line
    assert caught.value.line == 60_002


def test_workbooks_use_the_python_engine(tmp_path: Path) -> None:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(["When", "Qty"])
    for i in range(30):
        sheet.append([f"2024-01-{i + 1:02d}", i])
    workbook.save(tmp_path / "b.xlsx")
    with open_table(tmp_path / "b.xlsx") as table:
        profile = profile_table(table)
    assert profile.engine == "python"
    assert [(c.kind, c.format) for c in profile.columns] == [
        ("date", "yyyy-MM-dd"),
        ("integer", None),
    ]


def test_cancel(tmp_path: Path) -> None:
    path = write_kinds(tmp_path / "kinds.csv", 10_000)
    stop = threading.Event()
    stop.set()
    with open_table(path) as table:
        for engine in ("arrow", "python"):
            with pytest.raises(ProfileCancelled):
                profile_table(table, engine=engine, cancel=stop)


def test_profile_rows_of_a_preview(tmp_path: Path) -> None:
    path = write_kinds(tmp_path / "kinds.csv", 50)
    with open_table(path, ReadOptions(delimiter=",")) as table:
        profile = profile_rows(table.headers, table.head(50))
    check_kinds(profile, 50)


def test_python_engine_sketch_beyond_exact_limit() -> None:
    from bulkwizard.core.reading import Row
    from bulkwizard.core.reading import profile as module

    rows = (Row(i + 1, i + 2, [f"v{i}", "same"], 2) for i in range(module.EXACT_DISTINCT + 5000))
    result = profile_rows(["a", "b"], rows)
    first, second = result.columns
    assert not first.distinct_exact
    true = module.EXACT_DISTINCT + 5000
    assert 0.85 * true <= first.distinct_estimate <= 1.15 * true
    assert second.distinct_exact and second.distinct_estimate == 1


@pytest.mark.parametrize(
    ("values", "kind", "fmt"),
    [
        (["1", "-2", "30"], "integer", None),
        (["007", "012"], "text", None),  # leading zeros: codes, not numbers
        (["1.5", "2"], "decimal", None),
        (["1.234,5", "2,5"], "decimal", "#.###,##"),
        (["yes", "no", "Yes"], "boolean", None),
        (["12/31/2023 10:00:00", "01/02/2023 11:30:00"], "datetime", "MM/dd/yyyy HH:mm:ss"),
        (["2023-12-31"] * 19 + ["31.12.2023"], "date", "yyyy-MM-dd"),  # 95% fit
        (["2023-12-31"] * 9 + ["soon"], "text", None),
        (["www.example.com", "https://x.org/a?b=c"], "url", None),
        (["555-123-4567", "(555) 987 6543"], "phone", None),
        ([], "empty", None),
    ],
)
def test_infer_kind(values: list[str], kind: str, fmt: str | None) -> None:
    assert infer_kind(values)[:2] == (kind, fmt)


def test_chao1() -> None:
    assert chao1(3, 0, 0, 1000) == 3  # every value seen twice or more: no unseen ones
    assert chao1(100, 100, 0, 1000) == 1000  # every value seen once: capped at the population
    assert 100 < chao1(100, 50, 25, 10_000) < 200


def test_invalid_utf8_in_the_middle_sends_the_scan_to_the_python_engine(tmp_path: Path) -> None:
    # The arrow reader does not validate cells itself; the separate UTF-8 check must catch this.
    rows = [b"%d,ok\n" % i for i in range(120_000)]
    rows[70_000] = b"x,caf\xe9\n"  # past the sniffed head, before the slices near the end
    path = tmp_path / "bad.csv"
    path.write_bytes(b"a,b\n" + b"".join(rows))
    with open_table(path, ReadOptions(encoding="utf-8")) as table:
        with pytest.raises(BulkWizardError, match="arrow engine cannot read"):
            profile_table(table, engine="arrow")
        with pytest.raises(CsvFormatError) as caught:
            profile_table(table)
    assert caught.value.line == 70_002


def test_a_character_cut_by_a_block_edge_is_valid(tmp_path: Path) -> None:
    import pyarrow as pa

    from bulkwizard.core.reading.records import BLOCK_BYTES
    from bulkwizard.core.reading.scan import _Utf8Check

    header = b"name,n\n"
    filler = b"".join(b"plain %06d,1\n" % i for i in range(BLOCK_BYTES // 15 - 10))
    # The 4-byte emoji starts two bytes before the first block edge of the data.
    pad = BLOCK_BYTES - 2 - len(filler) - len(b"x")
    data = filler + b"y" * (pad - 3) + b",1\n" + "x😀,2\n".encode() + b"tail,3\n"
    assert data.index("😀".encode()) == BLOCK_BYTES - 2
    path = tmp_path / "edge.csv"
    path.write_bytes(header + data)
    check = _Utf8Check(pa, str(path), len(header))
    check.join()
    assert check.valid
    with open_table(path) as table:
        profile = profile_table(table, engine="arrow")
    assert profile.row_count == len(filler) // 15 + 3
    # The same place with the emoji's last byte missing is caught.
    broken = data.replace("😀".encode(), "😀".encode()[:3])
    path.write_bytes(header + broken)
    check = _Utf8Check(pa, str(path), len(header))
    check.join()
    assert not check.valid


def test_utf8_cut_keeps_multibyte_sequences_whole() -> None:
    from bulkwizard.core.reading.scan import utf8_cut

    assert utf8_cut(b"") == 0
    assert utf8_cut(b"abc") == 3
    assert utf8_cut("a中".encode()) == 1  # the last sequence starts the next block
    assert utf8_cut("a中".encode()[:-1]) == 1  # cut inside it
    assert utf8_cut("ab😀".encode()[:-2]) == 2
    assert utf8_cut(b"\x80\x80\x80\x80\x80") == 5  # not UTF-8 at all: the check rejects it


def test_many_blocks_and_wide_characters_agree_with_the_python_engine(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from bulkwizard.core.reading import scan as reading_arrow

    # Small blocks: dozens of batches (the sample is compacted several times) and block edges
    # that cut multi-byte characters for the UTF-8 check.
    monkeypatch.setattr(reading_arrow, "BLOCK_BYTES", 2048)
    path = tmp_path / "wide.csv"
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(["Id", "City", "Note", "When"])
        for i in range(6000):
            writer.writerow(
                [i, ["東京", "Zürich", "Kyiv"][i % 3], "ä" * (i % 7), f"2024-01-{i % 28 + 1:02d}"]
            )
    with open_table(path) as table:
        arrow = profile_table(table, engine="arrow")
        python = profile_table(table, engine="python")
    assert arrow.row_count == python.row_count == 6000
    for left, right in zip(arrow.columns, python.columns, strict=True):
        assert left.distinct_exact and right.distinct_exact  # 6,000 rows are all sampled
        assert (left.kind, left.format, left.empty_count, left.distinct_estimate) == (
            right.kind,
            right.format,
            right.empty_count,
            right.distinct_estimate,
        )
        assert left.samples == right.samples
    assert [c.kind for c in arrow.columns] == ["integer", "text", "text", "date"]
    assert arrow.columns[2].empty_count == 858  # i % 7 == 0


def test_infer_kind_date_share_without_parsing_twice() -> None:
    values = [f"2024-02-{d:02d}" for d in range(1, 30)] * 6 + ["2024-02-30", "soon"]
    kind, pattern, share = infer_kind(values)
    assert (kind, pattern) == ("date", "yyyy-MM-dd")
    assert share == pytest.approx(174 / 176)
    # Values that are not stripped, or more than the detector reads, take the general path.
    padded = [f"{v} " for v in values]
    assert infer_kind(padded) == (kind, pattern, share)
    assert infer_kind(values * 2) == (kind, pattern, share)
