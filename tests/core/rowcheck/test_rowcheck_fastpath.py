"""The fast block reader agrees with the data engine's reader, row for row, on any file."""

from __future__ import annotations

import tempfile
from functools import partial
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bulkwizard.core.errors import BulkWizardError
from bulkwizard.core.inputs import bind_inputs, close_inputs
from bulkwizard.core.job import BulkWriteJob
from bulkwizard.core.metadata import MetadataSnapshot
from bulkwizard.core.reading import ArrowBlock, fast_source, iter_blocks, open_table
from bulkwizard.core.rowcheck import check as rowcheck
from bulkwizard.core.rowcheck import check_rows
from bulkwizard.sandbox.demo import demo_snapshot


def block_rows(path: Path, block_bytes: int) -> list[tuple[int, int, list[str]]] | None:
    with open_table(path) as table:
        source = fast_source(table)
        if source is None:
            return None
        out: list[tuple[int, int, list[str]]] = []
        for block in iter_blocks(source, range(source.width), block_bytes=block_bytes):
            if isinstance(block, ArrowBlock):
                columns = [block.columns[i].to_pylist() for i in range(source.width)]
                for offset in range(block.count):
                    values = [column[offset] for column in columns]
                    out.append((block.number + offset, block.line + offset, values))
            else:
                out.extend((row.number, row.line, row.values) for row in block.rows)
        return out


def reader_rows(path: Path) -> list[tuple[int, int, list[str]]]:
    with open_table(path) as table:
        return [(row.number, row.line, row.values) for row in table.iter_rows()]


lines = st.lists(
    st.text(alphabet='ab,"\r\n é;', max_size=12),
    min_size=0,
    max_size=12,
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(body=lines, newline=st.sampled_from(["\n", "\r\n"]), block=st.integers(1, 40))
def test_blocks_match_the_reader(body: list[str], newline: str, block: int) -> None:
    text = "H1,H2,H3" + newline + newline.join(body)
    with tempfile.TemporaryDirectory() as temp:
        path = Path(temp) / "data.csv"
        path.write_bytes(text.encode("utf-8"))
        try:
            expected = reader_rows(path)
        except Exception as exc:  # noqa: BLE001 - the fast reader must fail the same way
            try:
                block_rows(path, block)
            except Exception as again:  # noqa: BLE001
                assert type(again) is type(exc)
                return
            raise AssertionError("the fast reader accepted a file the reader refuses") from exc
        got = block_rows(path, block)
        if got is not None:
            assert got == expected


def test_clean_file_is_read_in_arrow_blocks(tmp_path: Path) -> None:
    path = tmp_path / "data.csv"
    rows = ['a,"b, c",d'] * 50 + ['x,"y ""q""",z'] * 50
    path.write_text("A,B,C\r\n" + "\r\n".join(rows) + "\r\n", encoding="utf-8")
    with open_table(path) as table:
        source = fast_source(table)
        assert source is not None
        blocks = list(iter_blocks(source, [1], block_bytes=256))
    assert all(isinstance(b, ArrowBlock) for b in blocks)
    assert sum(b.count for b in blocks if isinstance(b, ArrowBlock)) == 100
    assert block_rows(path, 256) == reader_rows(path)


CELLS = {
    "Last_Name": ["Smith", "", " ", "O'Neil", 'Say "hi"', "a, b", "x" * 90],
    "Email": ["a@b.com", "A@B.COM", "bad@", "", "a@b.com ", "ü@b.com", "a@b.co"],
    "Lead_Source": ["Trade Show", "trade show", "", "Nope", "Partner"],
    "No_of_Employees": ["12", "1,000", "", "-3", "٣", "1234567890"],
    "Preferred_Call_Date": ["05/31/2024", "02/29/2023", "31/05/2024", "", "2024-05-31"],
    "Interests": ["CRM;Analytics", "CRM;Analytix", "", "crm"],
    "Last_Contacted_At": ["05/31/2024 14:30:00", "05/31/2024", "13/01/2024 10:00:00", ""],
    "Email_Opt_Out": ["true", "yes", "", "False"],
}
CHECK_JOB = BulkWriteJob.from_json(
    {
        "operation": "insert",
        "resource": [
            {
                "type": "data",
                "module": {"api_name": "Leads"},
                "file_names": ["leads.csv"],
                "field_mappings": [
                    {"api_name": name, "index": index} for index, name in enumerate(CELLS)
                ],
            }
        ],
    }
)
row_shapes = st.lists(
    st.tuples(
        st.lists(st.integers(0, 6), min_size=len(CELLS), max_size=len(CELLS)),
        st.sampled_from(["", "", "", "", "ragged", "blank", "multiline", "badquote"]),
    ),
    max_size=40,
)


def write_leads(path: Path, shapes: list[tuple[list[int], str]], newline: str) -> None:
    lines = [",".join(CELLS)]
    for picks, shape in shapes:
        cells = [
            values[pick % len(values)] for values, pick in zip(CELLS.values(), picks, strict=True)
        ]
        if shape == "ragged":
            cells = cells[:3]
        elif shape == "multiline":
            cells[0] = "two\nlines"
        elif shape == "badquote":
            cells[0] = 'ab"c'
        special = shape != "badquote"
        quoted = [
            '"' + c.replace('"', '""') + '"' if special and any(ch in c for ch in ',"\n') else c
            for c in cells
        ]
        lines.append("" if shape == "blank" else ",".join(quoted))
    path.write_bytes((newline.join(lines) + newline).encode("utf-8"))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(shapes=row_shapes, newline=st.sampled_from(["\n", "\r\n"]), block=st.integers(64, 2048))
def test_findings_do_not_depend_on_the_reading_path(
    shapes: list[tuple[list[int], str]], newline: str, block: int
) -> None:
    """Arrow blocks (with their fallbacks) give exactly the findings of the reader's rows."""
    snapshot = demo_snapshot()
    with tempfile.TemporaryDirectory() as temp:
        path = Path(temp) / "leads.csv"
        write_leads(path, shapes, newline)
        fast = findings(path, snapshot, block)
        slow = findings(path, snapshot, None)
    assert fast == slow


def findings(path: Path, snapshot: MetadataSnapshot, block: int | None) -> Any:
    """The findings as JSON, or the error (the sniffer may read a random file another way)."""
    try:
        return checked(path, snapshot, block)
    except BulkWizardError as exc:
        return type(exc).__name__, str(exc)


def checked(path: Path, snapshot: MetadataSnapshot, block: int | None) -> list[dict[str, Any]]:
    inputs = bind_inputs(CHECK_JOB, {None: path})
    original = rowcheck.iter_blocks
    try:
        if block is None:
            rowcheck.fast_source = lambda table: None
        else:
            rowcheck.iter_blocks = partial(original, block_bytes=block)
        return [f.to_json() for f in check_rows(CHECK_JOB, snapshot, inputs, batch_rows=7)]
    finally:
        rowcheck.fast_source = fast_source
        rowcheck.iter_blocks = original
        close_inputs(inputs)


def test_bench_like_file_takes_the_fast_path(tmp_path: Path) -> None:
    path = tmp_path / "leads.csv"
    write_leads(path, [([i % 7] * len(CELLS), "") for i in range(300)], "\r\n")
    fast = checked(path, demo_snapshot(), 1024)
    assert fast == checked(path, demo_snapshot(), None)
    assert {f["row"] for f in fast} >= {2, 299} and 1 not in {f["row"] for f in fast}
    with open_table(path) as table:
        source = fast_source(table)
        assert source is not None
        blocks = list(iter_blocks(source, [0], block_bytes=1024))
    assert blocks and all(isinstance(b, ArrowBlock) for b in blocks)
