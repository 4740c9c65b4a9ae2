"""Splitting, property-tested over random families through the real pipeline (files -> zips).

For every generated import either the split is refused because one family alone breaks a limit
(and we check that it really does), or the zips written satisfy: every child row is in the zip of
its parent, no CSV exceeds the row limit, no zip the byte limit, and together the zips hold every
input row exactly once, in the input order.
"""

from __future__ import annotations

import csv
import io
import tempfile
import zipfile
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from bulkwizard.core.inputs import bind_inputs
from bulkwizard.core.job import BulkWriteJob
from bulkwizard.core.upload import SplitLimits, UploadPreparer
from bulkwizard.core.upload.split import FamilyTooLargeError, FileRows, OrphanRowError, plan_split

CHILD_NAMES = ("sub.csv", "link.csv")


def family_job(children: int) -> BulkWriteJob:
    resources = [
        {"type": "data", "module": {"api_name": "Leads"}, "file_names": ["leads.csv"],
         "field_mappings": [{"api_name": "Last_Name", "index": 0},
                            {"api_name": "Company", "index": 2}]},
    ]  # fmt: skip
    modules = ("Secondary", "Lead_Contact_Lookup")
    for number in range(children):
        resources.append(
            {"type": "data", "module": {"api_name": modules[number]},
             "file_names": [CHILD_NAMES[number]],
             "field_mappings": [{"api_name": "Secondary_Email", "index": 0},
                                {"api_name": "Parent_Id", "index": 2, "parent_column_index": 1}]}
        )  # fmt: skip
    return BulkWriteJob.from_json({"operation": "insert", "resource": resources})


families = st.lists(
    st.tuples(
        st.integers(0, 12),  # parent key number (repeats make one family of several parents)
        st.integers(0, 40),  # size of the parent's free text
        st.lists(st.integers(0, 30), max_size=6),  # children in the first child CSV (text sizes)
        st.lists(st.integers(0, 30), max_size=4),  # children in the second child CSV
    ),
    max_size=25,
)


def write(path: Path, rows: list[list[str]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as stream:
        csv.writer(stream).writerows(rows)


def read_zip(path: Path) -> dict[str, list[list[str]]]:
    with zipfile.ZipFile(path) as archive:
        return {
            name: list(csv.reader(io.TextIOWrapper(archive.open(name), "utf-8", newline="")))
            for name in archive.namelist()
        }


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    families=families,
    children=st.integers(0, 2),
    max_rows=st.integers(1, 8),
    max_bytes=st.integers(900, 3000),
    drop=st.booleans(),
)
def test_split_keeps_families_together(
    families: list[tuple[int, int, list[int], list[int]]],
    children: int,
    max_rows: int,
    max_bytes: int,
    drop: bool,
) -> None:
    with tempfile.TemporaryDirectory() as temp:
        root = Path(temp)
        parents = [["Row", "Key", "Text", "Unused"]]
        child_rows: list[list[list[str]]] = [[["Id", "Unused", "Parent"]] for _ in range(children)]
        for number, (key, size, first, second) in enumerate(families):
            parents.append([f"p{number}", f"k{key}", "x" * size, "u"])
            for which, sizes in enumerate((first, second)[:children]):
                for count, child_size in enumerate(sizes):
                    cell = f"c{which}-{number}-{count}" + "y" * child_size
                    child_rows[which].append([cell, "u", f"k{key}"])
        files: dict[str | None, Path] = {"leads.csv": root / "leads.csv"}
        write(root / "leads.csv", parents)
        for which in range(children):
            files[CHILD_NAMES[which]] = root / CHILD_NAMES[which]
            write(root / CHILD_NAMES[which], child_rows[which])
        job = family_job(children)
        limits = SplitLimits(max_rows=max_rows, max_bytes=max_bytes)
        out = root / "out"
        with UploadPreparer(job, bind_inputs(job, files), limits, drop_unmapped=drop) as prep:
            try:
                plan = prep.plan()
            except FamilyTooLargeError as exc:
                event("a family too large")
                assert_really_too_large(parents, child_rows, exc.row, max_rows, limits, prep)
                return
            written = prep.write(out)
        assert len(written) == plan.job_count
        event(f"uploads: {min(plan.job_count, 3)}{'+' if plan.job_count > 3 else ''}")
        # Dropping unmapped columns removes "Unused" (and Key when no child links through it).
        child_key = 1 if drop else 2
        kept = ([0, 1, 2] if children else [0, 2]) if drop else [0, 1, 2, 3]
        expected = {"leads.csv": [[row[i] for i in kept] for row in parents[1:]]}
        for which in range(children):
            rows = child_rows[which][1:]
            expected[CHILD_NAMES[which]] = [[r[0], r[2]] if drop else r for r in rows]
        position = {
            name: {tuple(r): i for i, r in enumerate(rows)} for name, rows in expected.items()
        }
        seen: dict[str, list[list[str]]] = {name: [] for name in expected}
        for entry in written:
            zip_path = entry.zip
            assert zip_path.stat().st_size <= max_bytes
            content = read_zip(zip_path)
            assert list(content) == ["leads.csv", *CHILD_NAMES[:children]]
            assert entry.files == {n: len(r) - 1 for n, r in content.items()}
            keys = {row[1] for row in content["leads.csv"][1:]}
            for name, rows in content.items():
                assert len(rows) - 1 <= max_rows
                if name != "leads.csv":
                    assert all(row[child_key] in keys for row in rows[1:])
                order = [position[name][tuple(row)] for row in rows[1:]]
                assert order == sorted(order)  # input order kept inside each upload
                seen[name].extend(rows[1:])
        for name, rows in expected.items():
            assert Counter(map(tuple, seen[name])) == Counter(map(tuple, rows))


def assert_really_too_large(
    parents: list[list[str]],
    child_rows: list[list[list[str]]],
    row: int | None,
    max_rows: int,
    limits: SplitLimits,
    prep: UploadPreparer,
) -> None:
    assert row is not None
    key = parents[row][1]
    counts = [sum(1 for p in parents[1:] if p[1] == key)]
    counts += [sum(1 for c in rows[1:] if c[2] == key) for rows in child_rows]
    if max(counts) > max_rows:
        return
    positions = [i for i, p in enumerate(parents[1:]) if p[1] == key]
    size = sum(len(s.header) for s in prep.spools)
    size += sum(prep.spools[0].lengths[i] for i in positions)
    for spool in prep.spools[1:]:
        size += sum(
            length for length, family in zip(spool.lengths, spool.families, strict=True)
            if family == positions[0]
        )  # fmt: skip
    assert size > limits.csv_budget([s.name for s in prep.spools])


def test_plan_counts_rows_and_bytes() -> None:
    parent = FileRows("p.csv", "p.csv", 10, [5, 5, 5, 5], [0, 1, 1, 3], [1, 2, 3, 4])
    child = FileRows("c.csv", "c.csv", 8, [3, 3, 3], [3, 0, 1], [1, 2, 3])
    plan = plan_split([parent, child], SplitLimits(max_rows=2))
    assert [c.rows for c in plan.chunks] == [
        {"p.csv": 1, "c.csv": 1},
        {"p.csv": 2, "c.csv": 1},
        {"p.csv": 1, "c.csv": 1},
    ]
    assert [c.bytes for c in plan.chunks] == [18 + 8, 18 + 13, 18 + 8]
    assert plan.chunk_ids(child.families) == [2, 0, 1]
    assert plan.job_count == 3 and plan.total_rows == {"p.csv": 4, "c.csv": 3}


def test_family_too_large_names_parent_row() -> None:
    parent = FileRows("p.csv", "leads.csv", 10, [5, 5], [0, 1], [1, 2])
    child = FileRows("c.csv", "sub.csv", 8, [3, 3, 3], [1, 1, 1], [1, 2, 3])
    with pytest.raises(FamilyTooLargeError) as caught:
        plan_split([parent, child], SplitLimits(max_rows=2))
    assert caught.value.row == 2 and caught.value.file == "leads.csv"
    assert "3 child rows in c.csv" in str(caught.value)


def test_orphan_child_row_is_refused() -> None:
    parent = FileRows("p.csv", "leads.csv", 10, [5], [0], [1])
    child = FileRows("c.csv", "sub.csv", 8, [3, 3], [0, -1], [1, 2])
    with pytest.raises(OrphanRowError) as caught:
        plan_split([parent, child])
    assert (caught.value.file, caught.value.row) == ("sub.csv", 2)


def test_single_row_too_big_asks_to_shorten_it_not_to_move_children() -> None:
    """A childless row over the byte budget: moving children to another job cannot help."""
    parent = FileRows("p.csv", "leads.csv", 10, [5, 2_000], [0, 1], [1, 2])
    child = FileRows("c.csv", "sub.csv", 8, [3], [0], [1])
    with pytest.raises(FamilyTooLargeError) as caught:
        plan_split([parent, child], SplitLimits(max_bytes=1_000))
    assert (caught.value.file, caught.value.row) == ("leads.csv", 2)
    assert "this row alone takes 2,018 bytes" in str(caught.value)
    assert str(caught.value).endswith("shorten its longest cells")


def test_row_limit_of_one_reads_in_the_singular() -> None:
    parent = FileRows("p.csv", "leads.csv", 10, [5], [0], [1])
    child = FileRows("c.csv", "sub.csv", 8, [3, 3], [0, 0], [1, 2])
    with pytest.raises(FamilyTooLargeError) as caught:
        plan_split([parent, child], SplitLimits(max_rows=1))
    assert "holds at most 1 row per CSV" in str(caught.value)
