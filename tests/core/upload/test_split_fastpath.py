"""Splitting by copying clean rows gives the uploads that re-encoding every row gives.

The fast path (:mod:`bulkwizard.core.upload.spool_fast`) copies a block's bytes only when they
are strict RFC 4180 with CRLF ends; everything else is re-encoded, from pyarrow's cells for clean
blocks or from the reader's rows. Over random files mixing
clean rows, loose quoting, multi-line cells, blank lines, ragged rows and LF/CRLF ends, the
zips must hold exactly the rows (as a CSV reader reads them) of the reader's path.
"""

from __future__ import annotations

import csv
import io
import tempfile
import zipfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bulkwizard.core.inputs import bind_inputs
from bulkwizard.core.job import BulkWriteJob
from bulkwizard.core.reading import blocks as upload_fastpath
from bulkwizard.core.upload import SplitError, SplitLimits, UploadPreparer
from bulkwizard.core.upload import preparer as upload_prep
from bulkwizard.core.upload import spool as upload_spool

JOB = BulkWriteJob.from_json(
    {
        "operation": "insert",
        "resource": [
            {"type": "data", "module": {"api_name": "Quotes"}, "file_names": ["q.csv"],
             "field_mappings": [{"api_name": "Subject", "index": 1}]},
            {"type": "data", "module": {"api_name": "Quoted_Items"}, "file_names": ["i.csv"],
             "field_mappings": [{"api_name": "Quantity", "index": 1},
                                {"api_name": "Parent_Id", "index": 0, "parent_column_index": 0}]},
        ],
    }
)  # fmt: skip

texts = st.text(alphabet='ab ,"é', max_size=6)
shapes = st.sampled_from(["clean"] * 12 + ["loose", "blank", "ragged", "multiline"])


def line(cells: list[str], shape: str) -> str:
    if shape == "blank":
        return ""
    if shape == "ragged":
        cells = cells[:1]
    if shape == "multiline":
        cells = [cells[0], cells[1] + "\r\n" + cells[1]]
    if shape == "loose":  # a quote inside an unquoted field: read as is, not RFC 4180
        return ",".join(c.replace('"', "") + 'x"y' for c in cells)
    return ",".join(
        '"' + c.replace('"', '""') + '"' if any(ch in c for ch in ',"\r\n') else c for c in cells
    )


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    parents=st.lists(st.tuples(st.integers(0, 5), texts, shapes), max_size=30),
    children=st.lists(st.tuples(st.integers(0, 5), texts, shapes), max_size=40),
    newline=st.sampled_from(["\n", "\r\n"]),
    block=st.integers(32, 512),
    max_rows=st.integers(1, 12),
)
def test_copying_gives_the_same_uploads(
    parents: list[tuple[int, str, str]],
    children: list[tuple[int, str, str]],
    newline: str,
    block: int,
    max_rows: int,
) -> None:
    with tempfile.TemporaryDirectory() as temp:
        root = Path(temp)
        rows = ["Ref,Subject"] + [line([f"k{k}", t], s) for k, t, s in parents]
        (root / "q.csv").write_bytes((newline.join(rows) + newline).encode())
        rows = ["Quote,Qty"] + [line([f"k{k}", t], s) for k, t, s in children]
        (root / "i.csv").write_bytes((newline.join(rows) + newline).encode())
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(upload_fastpath, "BLOCK_BYTES", block)  # many blocks, some cut badly
            fast = uploads(root, "fast", max_rows)
            patch.setattr(upload_prep, "pass_through_source", lambda item, projection: None)
            encoded = uploads(root, "encoded", max_rows)  # arrow blocks, every row re-encoded
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(upload_prep, "pass_through_source", lambda item, projection: None)
            patch.setattr(upload_spool, "fast_source", lambda table: None)
            slow = uploads(root, "slow", max_rows)  # the reader's rows only
    assert fast == slow
    assert encoded == slow


def uploads(root: Path, name: str, max_rows: int) -> Any:
    files: dict[str | None, Path] = {"q.csv": root / "q.csv", "i.csv": root / "i.csv"}
    limits = SplitLimits(max_rows=max_rows, max_bytes=10**7)  # rows decide, not bytes
    try:
        with UploadPreparer(JOB, bind_inputs(JOB, files), limits) as prep:
            written = prep.write(root / name)
    except SplitError as exc:
        return type(exc).__name__, exc.file, exc.row
    out = []
    for entry in written:
        with zipfile.ZipFile(entry.zip) as archive:
            content = {
                member: list(csv.reader(io.StringIO(archive.read(member).decode(), newline="")))
                for member in archive.namelist()
            }
        out.append((entry.files, content))
    return out
