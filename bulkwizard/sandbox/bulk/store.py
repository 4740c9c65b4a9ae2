"""Persistence of bulk-write uploads and jobs: the sandbox's own tables in the shared SQLite DB.

* ``bulk_uploads``: one row per uploaded zip (the zip itself is a file under ``DATA/files``).
* ``bulk_jobs``: one row per job: the accepted request JSON, status, per-resource state, and the
  result zip once finished (kept in the database so that finishing a job is one commit).
* ``bulk_rows``: the outcome of every processed CSV row. Rows are committed in chunks together with
  the records they wrote, which is what makes a job resumable after a restart: a job found
  ``IN PROGRESS`` at start continues after its last committed chunk.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from bulkwizard.sandbox.bulk.model import RowResult
from bulkwizard.sandbox.db import Database

SCHEMA = """
CREATE TABLE IF NOT EXISTS bulk_uploads (
    file_id TEXT PRIMARY KEY,
    file_name TEXT NOT NULL,
    path TEXT NOT NULL,
    size INTEGER NOT NULL,
    csv_names TEXT NOT NULL,
    created_time TEXT NOT NULL,
    created_by TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS bulk_jobs (
    job_id TEXT PRIMARY KEY,
    seq INTEGER NOT NULL,
    status TEXT NOT NULL,
    request TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_time TEXT NOT NULL,
    character_encoding TEXT,
    resources TEXT NOT NULL,
    result BLOB
);
CREATE INDEX IF NOT EXISTS bulk_jobs_status ON bulk_jobs (status, seq);
CREATE TABLE IF NOT EXISTS bulk_rows (
    job_id TEXT NOT NULL,
    resource INTEGER NOT NULL,
    row INTEGER NOT NULL,
    status TEXT NOT NULL,
    record_id TEXT,
    errors TEXT NOT NULL,
    PRIMARY KEY (job_id, resource, row)
);
"""

ADDED = "ADDED"
IN_PROGRESS = "IN PROGRESS"
COMPLETED = "COMPLETED"
FAILED = "FAILED"
FINISHED = (COMPLETED, FAILED)


@dataclass
class Upload:
    """One uploaded zip."""

    file_id: str
    file_name: str
    path: str
    size: int
    csv_names: list[str]
    created_time: str
    created_by: str


@dataclass
class JobRecord:
    """One bulk-write job as stored.

    Attributes:
        request: the accepted request body (``BulkWriteJob.to_json()``).
        created_by: ``{"id", "name"}`` of the creator.
        resources: per resource ``{"status", "code", "file": {...}}`` (the job-details extras).
    """

    job_id: str
    status: str
    request: dict[str, Any]
    created_by: dict[str, Any]
    created_time: str
    character_encoding: str | None
    resources: list[dict[str, Any]]


class BulkStore:
    """Reads and writes the bulk tables (thread-safe through the shared :class:`Database`)."""

    def __init__(self, db: Database) -> None:
        self.db = db
        db.executescript(SCHEMA)

    # -- uploads ---------------------------------------------------------------------------------

    def add_upload(self, upload: Upload) -> None:
        self.db.execute(
            "INSERT INTO bulk_uploads (file_id, file_name, path, size, csv_names, created_time,"
            " created_by) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (
                upload.file_id,
                upload.file_name,
                upload.path,
                upload.size,
                json.dumps(upload.csv_names),
                upload.created_time,
                upload.created_by,
            ),
        )

    def upload(self, file_id: str) -> Upload | None:
        row = self.db.query_one("SELECT * FROM bulk_uploads WHERE file_id = ?", (file_id,))
        if row is None:
            return None
        return Upload(
            file_id=row["file_id"],
            file_name=row["file_name"],
            path=row["path"],
            size=row["size"],
            csv_names=json.loads(row["csv_names"]),
            created_time=row["created_time"],
            created_by=row["created_by"],
        )

    # -- jobs ------------------------------------------------------------------------------------

    def add_job(self, job: JobRecord) -> None:
        with self.db.transaction():
            row = self.db.query_one("SELECT COALESCE(MAX(seq), 0) + 1 AS seq FROM bulk_jobs")
            seq = int(row["seq"]) if row is not None else 1
            self.db.execute(
                "INSERT INTO bulk_jobs (job_id, seq, status, request, created_by, created_time,"
                " character_encoding, resources) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    job.job_id,
                    seq,
                    job.status,
                    json.dumps(job.request),
                    json.dumps(job.created_by),
                    job.created_time,
                    job.character_encoding,
                    json.dumps(job.resources),
                ),
            )

    def job(self, job_id: str) -> JobRecord | None:
        row = self.db.query_one(
            "SELECT job_id, status, request, created_by, created_time, character_encoding,"
            " resources FROM bulk_jobs WHERE job_id = ?",
            (job_id,),
        )
        if row is None:
            return None
        return JobRecord(
            job_id=row["job_id"],
            status=row["status"],
            request=json.loads(row["request"]),
            created_by=json.loads(row["created_by"]),
            created_time=row["created_time"],
            character_encoding=row["character_encoding"],
            resources=json.loads(row["resources"]),
        )

    def unfinished_jobs(self) -> list[str]:
        """Ids of jobs to (re)run at start: those in progress first, then the queued ones."""
        rows = self.db.query(
            "SELECT job_id FROM bulk_jobs WHERE status IN (?, ?)"
            " ORDER BY CASE status WHEN ? THEN 0 ELSE 1 END, seq",
            (IN_PROGRESS, ADDED, IN_PROGRESS),
        )
        return [row["job_id"] for row in rows]

    def set_state(
        self,
        job_id: str,
        status: str,
        resources: list[dict[str, Any]],
        character_encoding: str | None = None,
    ) -> None:
        self.db.execute(
            "UPDATE bulk_jobs SET status = ?, resources = ?,"
            " character_encoding = COALESCE(?, character_encoding) WHERE job_id = ?",
            (status, json.dumps(resources), character_encoding, job_id),
        )

    def finish(
        self, job_id: str, status: str, resources: list[dict[str, Any]], result: bytes | None
    ) -> None:
        """Record the end of a job (its per-row outcomes are no longer needed then)."""
        with self.db.transaction():
            self.db.execute(
                "UPDATE bulk_jobs SET status = ?, resources = ?, result = ? WHERE job_id = ?",
                (status, json.dumps(resources), result, job_id),
            )
            self.db.execute("DELETE FROM bulk_rows WHERE job_id = ?", (job_id,))

    def result(self, job_id: str) -> bytes | None:
        row = self.db.query_one("SELECT result FROM bulk_jobs WHERE job_id = ?", (job_id,))
        return bytes(row["result"]) if row is not None and row["result"] is not None else None

    # -- row outcomes ----------------------------------------------------------------------------

    def save_rows(self, job_id: str, resource: int, start: int, rows: list[RowResult]) -> None:
        """Store a chunk's row outcomes (call inside the transaction that wrote its records)."""
        self.db.executemany(
            "INSERT OR REPLACE INTO bulk_rows (job_id, resource, row, status, record_id, errors)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            [
                (
                    job_id,
                    resource,
                    start + offset,
                    row.status,
                    row.record_id,
                    json.dumps(row.errors),
                )
                for offset, row in enumerate(rows)
            ],
        )

    def saved_rows(self, job_id: str, resource_count: int) -> list[list[RowResult]]:
        """The committed row outcomes of an interrupted job, per resource, in row order."""
        result: list[list[RowResult]] = [[] for _ in range(resource_count)]
        rows = self.db.query(
            "SELECT resource, row, status, record_id, errors FROM bulk_rows WHERE job_id = ?"
            " ORDER BY resource, row",
            (job_id,),
        )
        for row in rows:
            outcomes = result[row["resource"]]
            if row["row"] != len(outcomes):
                break  # a gap cannot happen with chunked commits; stop rather than misalign
            outcomes.append(
                RowResult(row["status"], row["record_id"], errors=json.loads(row["errors"]))
            )
        return result
