"""Upload preparation: the job's files as the zips Zoho accepts, cut by :mod:`~.split`.

Use::

    with UploadPreparer(job, inputs) as prep:   # inputs from rowcheck_sources.bind_inputs
        plan = prep.plan()                       # reads every file once; nothing written yet
        print(plan.job_count, plan.total_rows)
        written = prep.write(out_dir)            # part-001.zip, job-001.json ..., plan.json

What it does to the data:

* every CSV is written as UTF-8 (no BOM), comma-delimited, CRLF, RFC 4180 quoting, with one
  header row, whatever the source's encoding and dialect (a column is quoted when any of its
  cells in a batch needs it; see ``upload_spool._Encoder``);
* with ``drop_unmapped`` (the default) columns no mapping reads are left out, and every
  ``field_mappings[].index`` and ``parent_column_index`` of the returned job is renumbered to
  match (:class:`Projection`);
* rows keep their order; each chunk holds whole families (see :mod:`bulkwizard.core.upload.split`).

How: a first pass (:meth:`UploadPreparer.plan`) encodes each file once into a temporary spool and
notes each row's size and family; the plan comes from those numbers alone. A file already in
Zoho's form (UTF-8, comma, strict RFC 4180 quoting, no column dropped) is not re-encoded: its
clean blocks are read with pyarrow (only the key or link column is converted) and the spool points
at the source's own bytes (:mod:`~bulkwizard.core.upload.spool_fast`); CSV readers see the same
cells either way. :meth:`write` then copies byte ranges of the spools into the zips (deflate at
one level, ``compresslevel``), several zips at once since zlib releases the GIL. Children
scattered through their file are first routed into one file per chunk in a single sequential
pass.
"""

from __future__ import annotations

import copy
import os
import tempfile
from array import array
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from bulkwizard.core.inputs import ResourceInput
from bulkwizard.core.job import BulkWriteJob
from bulkwizard.core.metadata import write_json_atomic
from bulkwizard.core.upload.split import FileRows, SplitError, SplitLimits, SplitPlan, plan_split
from bulkwizard.core.upload.spool import (
    Projection,
    SpooledFile,
    members_by_chunk,
    spool_file,
    write_zip,
)
from bulkwizard.core.upload.spool_fast import pass_through_source, python_keys, spool_fast

ProgressCallback = Callable[[str, int], None]
CancelCheck = Callable[[], bool]
DEFAULT_COMPRESSLEVEL = 6  # zlib's default: what zipfile uses when no level is given


@dataclass(frozen=True)
class WrittenJob:
    """One upload as written: its zip, the job JSON to submit with it, its rows and sizes."""

    zip: Path
    job: Path
    files: dict[str, int]
    csv_bytes: int
    zip_bytes: int

    def to_json(self) -> dict[str, Any]:
        """The entry of ``plan.json``'s ``jobs`` array."""
        return {
            "zip": str(self.zip),
            "job": str(self.job),
            "files": dict(self.files),
            "csv_bytes": self.csv_bytes,
            "zip_bytes": self.zip_bytes,
        }


def _int64(values: array[int]) -> pa.Array:
    return pa.Array.from_buffers(pa.int64(), len(values), [None, pa.py_buffer(values)])


class PreparationCancelled(SplitError):
    """The user cancelled while the files were being read."""


class UploadPreparer:
    """Plans and writes the upload zips of one job (see the module docstring)."""

    def __init__(
        self,
        job: BulkWriteJob,
        inputs: Sequence[ResourceInput],
        limits: SplitLimits | None = None,
        *,
        drop_unmapped: bool = True,
        compresslevel: int = DEFAULT_COMPRESSLEVEL,
        work_dir: str | os.PathLike[str] | None = None,
        progress: ProgressCallback | None = None,
        cancel: CancelCheck | None = None,
        workers: int | None = None,
    ) -> None:
        self.job = job
        self.inputs = list(inputs)
        self.limits = limits or SplitLimits()
        self.compresslevel = compresslevel
        self.workers = workers if workers is not None else min(4, os.cpu_count() or 1)
        self.progress = progress
        self.cancel = cancel
        self._temp = tempfile.TemporaryDirectory(prefix="bulkwizard-split-", dir=work_dir)
        self.projections = Projection.for_inputs(self.inputs, drop_unmapped)
        self.spools: list[SpooledFile] = []
        self._plan: SplitPlan | None = None

    # -- lifetime -------------------------------------------------------------------------------
    def close(self) -> None:
        """Delete the temporary spools."""
        self._temp.cleanup()

    def __enter__(self) -> UploadPreparer:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    # -- planning -------------------------------------------------------------------------------
    def plan(self) -> SplitPlan:
        """Read every file once and return the plan (cached).

        Raises:
            SplitError: a family does not fit in one upload, a child row has no parent, or the
                user cancelled (:class:`PreparationCancelled`).
            CsvFormatError: a file cannot be read.
        """
        if self._plan is not None:
            return self._plan
        spools: list[SpooledFile] = []
        parent: SpooledFile | None = None
        for item, projection in zip(self.inputs, self.projections, strict=True):
            path = Path(self._temp.name) / f"{item.position:03d}.csv"
            keys = self._key_columns() if item.position == 0 else ()
            source = pass_through_source(item, projection)
            options: dict[str, Any] = {
                "key_columns": keys,
                "progress": self.progress,
                "cancel": self.cancel,
            }
            if source is not None:  # already in Zoho's form: rows are copied, not re-encoded
                spool = spool_fast(source, item, projection, path, parent=parent, **options)
            else:
                parent_keys = None if parent is None else python_keys(parent)
                spool = spool_file(item, projection, path, parent_keys=parent_keys, **options)
            if spool is None:
                raise PreparationCancelled("cancelled while reading the files")
            if item.position == 0:
                parent = spool
            spools.append(spool)
        self.spools = spools
        rows = [
            FileRows(s.name, s.label, len(s.header), s.lengths, s.families, s.numbers)
            for s in spools
        ]
        self._plan = plan_split(rows, self.limits)
        return self._plan

    def _key_columns(self) -> list[int]:
        """Parent columns (source indexes) that children link through."""
        return sorted(
            {
                link.parent_column_index
                for item in self.inputs[1:]
                if (link := item.parent_link) is not None and link.parent_column_index is not None
            }
        )

    # -- output ---------------------------------------------------------------------------------
    def chunk_job(self) -> BulkWriteJob:
        """The job every chunk is submitted with: indexes renumbered, file names set."""
        job = copy.deepcopy(self.job)
        parent_projection = self.projections[0]
        for item, projection, resource in zip(
            self.inputs, self.projections, job.resources, strict=True
        ):
            resource.file_names = [item.name]
            resource.file_id = None
            for mapping in resource.field_mappings or ():
                if mapping.index is not None:
                    mapping.index = projection.new_index(mapping.index)
                if mapping.parent_column_index is not None:
                    mapping.parent_column_index = parent_projection.new_index(
                        mapping.parent_column_index
                    )
        return job

    def write(self, out_dir: str | os.PathLike[str]) -> list[WrittenJob]:
        """Write ``part-NNN.zip`` + ``job-NNN.json`` per chunk and ``plan.json``; return jobs."""
        plan = self.plan()
        out = Path(out_dir)
        out.mkdir(parents=True, exist_ok=True)
        job_json = self.chunk_job().to_json()
        folder = Path(self._temp.name)
        count = plan.job_count
        chunk_of_family = pa.Array.from_buffers(
            pa.int64(), len(plan.chunk_of_family), [None, pa.py_buffer(plan.chunk_of_family)]
        )
        by_spool = [
            members_by_chunk(spool, pc.take(chunk_of_family, _int64(spool.families)), count, folder)
            for spool in self.spools
        ]
        # zlib releases the GIL while it compresses, so uploads compress in parallel.
        workers = max(1, min(self.workers, count))
        with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="zip") as pool:
            sizes = list(
                pool.map(
                    lambda chunk: write_zip(
                        out / chunk.zip_name,
                        [members[chunk.index] for members in by_spool],
                        self.compresslevel,
                    ),
                    plan.chunks,
                )
            )
        jobs: list[WrittenJob] = []
        for chunk, size in zip(plan.chunks, sizes, strict=True):
            job_path = out / f"job-{chunk.index + 1:03d}.json"
            write_json_atomic(job_path, job_json)
            jobs.append(
                WrittenJob(out / chunk.zip_name, job_path, dict(chunk.rows), chunk.bytes, size)
            )
        summary = plan.to_json()
        summary["jobs"] = [job.to_json() for job in jobs]
        write_json_atomic(out / "plan.json", summary)
        return jobs
