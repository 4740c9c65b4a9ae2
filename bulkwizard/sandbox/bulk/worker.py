"""Background processing of bulk-write jobs: a queue and ``max_concurrent_jobs`` worker threads.

A job waits as ``ADDED`` until a worker takes it, turns ``IN PROGRESS``, is processed in chunks
(each chunk's records and row outcomes commit together, see :mod:`bulkwizard.sandbox.bulk.store`)
and ends ``COMPLETED`` with a result zip, or ``FAILED``. On start, jobs left ``IN PROGRESS`` by a
previous run are resumed first, then queued jobs run in creation order. When the job ends, its
details are POSTed to its callback URL (loopback only).

:meth:`BulkWorker.pause` holds workers after they have taken a job (it stays ``IN PROGRESS``)
until :meth:`BulkWorker.resume`: tests use it to observe the concurrency limit deterministically.
"""

from __future__ import annotations

import logging
import queue
import threading
import zoneinfo
from collections.abc import Callable
from typing import Any

from bulkwizard.core.job import BulkWriteJob
from bulkwizard.sandbox.bulk.callback import send_callback
from bulkwizard.sandbox.bulk.create import load_csvs, resource_files
from bulkwizard.sandbox.bulk.details import job_details, resource_states
from bulkwizard.sandbox.bulk.model import CsvFile, ResourceResult
from bulkwizard.sandbox.bulk.processing import JobRun, Layouts
from bulkwizard.sandbox.bulk.results import build_result_zip, truncate_zip
from bulkwizard.sandbox.bulk.store import (
    ADDED,
    COMPLETED,
    FAILED,
    IN_PROGRESS,
    BulkStore,
    JobRecord,
)
from bulkwizard.sandbox.demo import org as demo_org
from bulkwizard.sandbox.state import SandboxState

log = logging.getLogger(__name__)

CHUNK_ROWS = 1000
_STOP = ""


class JobStopped(Exception):
    """The server is stopping: leave the job IN PROGRESS, it resumes on the next start."""


class BulkWorker:
    """Runs queued jobs on worker threads; see the module docstring."""

    def __init__(self, state: SandboxState, store: BulkStore) -> None:
        self.state = state
        self.store = store
        self.concurrency = max(1, int(state.config.max_concurrent_jobs))
        self._queue: queue.Queue[str] = queue.Queue()
        self._threads: list[threading.Thread] = []
        self._stopping = threading.Event()
        self._running = threading.Event()
        self._running.set()
        self.chunk_rows = CHUNK_ROWS
        # Called after each committed chunk with (job id, rows done so far): progress and tests.
        self.on_chunk: list[Callable[[str, int], None]] = []

    # -- lifecycle -------------------------------------------------------------------------------

    def start(self) -> None:
        """Start the workers and queue every unfinished job (in-progress ones first)."""
        self._stopping.clear()
        for job_id in self.store.unfinished_jobs():
            self._queue.put(job_id)
        for number in range(self.concurrency):
            thread = threading.Thread(target=self._work, name=f"sandbox-bulk-{number}", daemon=True)
            thread.start()
            self._threads.append(thread)

    def stop(self) -> None:
        """Stop the workers at the next chunk boundary and wait for them."""
        self._stopping.set()
        self._running.set()
        for _thread in self._threads:
            self._queue.put(_STOP)
        for thread in self._threads:
            thread.join(timeout=30)
        self._threads.clear()

    def submit(self, job_id: str) -> None:
        """Queue a newly created job."""
        self._queue.put(job_id)

    def pause(self) -> None:
        """Hold workers once they have taken a job (for deterministic tests)."""
        self._running.clear()

    def resume(self) -> None:
        """Let held workers continue."""
        self._running.set()

    # -- work ------------------------------------------------------------------------------------

    def _work(self) -> None:
        while not self._stopping.is_set():
            job_id = self._queue.get()
            if job_id == _STOP or self._stopping.is_set():
                return
            try:
                self._run(job_id)
            except JobStopped:
                return
            except Exception:  # a bug must fail the job, never kill the worker
                log.exception("bulk job %s failed", job_id)
                self._fail(job_id)

    def _wait_until_running(self) -> None:
        while not self._running.wait(timeout=0.1):
            if self._stopping.is_set():
                raise JobStopped
        if self._stopping.is_set():
            raise JobStopped

    def _run(self, job_id: str) -> None:
        record = self.store.job(job_id)
        if record is None or record.status not in (ADDED, IN_PROGRESS):
            return
        job = BulkWriteJob.from_json(record.request)
        csvs = self._csvs(job, record)
        encoding = job.character_encoding or "UTF-8"
        states = resource_states(record.resources, IN_PROGRESS, csvs)
        self.store.set_state(job_id, IN_PROGRESS, states, encoding)
        self._wait_until_running()
        if self.state.faults.should("fail_job"):
            self._fail(job_id)
            return
        done = self.store.saved_rows(job_id, len(job.resources))
        run = JobRun(
            job,
            self.state.metadata,
            csvs,
            self.state.records,
            user=self.state.records.find_user("id", str(record.created_by.get("id")))
            or self.state.user,
            tz=zoneinfo.ZoneInfo(demo_org.TIME_ZONE),
            layouts=self._layouts(job),
            done=done,
        )
        chunks = run.chunks(self.chunk_rows)
        while True:
            self._wait_until_running()
            with self.state.records.transaction():
                chunk = next(chunks, None)
                if chunk is None:
                    break
                position, start, rows = chunk
                self.store.save_rows(job_id, position, start, rows)
            for hook in self.on_chunk:
                hook(job_id, run.rows_done)
        self._complete(job_id, run.results, states)

    def _csvs(self, job: BulkWriteJob, record: JobRecord) -> list[CsvFile]:
        files = resource_files(job, self.store)
        csvs = load_csvs(job, files, self.state.files_dir)
        if len(csvs) != len(job.resources):
            raise FileNotFoundError(f"an upload of job {record.job_id} is gone")
        return [csvs[position] for position in range(len(job.resources))]

    def _layouts(self, job: BulkWriteJob) -> Layouts:
        layouts: Layouts = {}
        for resource in job.resources:
            module = resource.module.api_name
            body = self.state.fields_bodies.get(module)
            if body is not None and module in demo_org.MODULE_IDS:
                layouts[module] = demo_org.layouts_body(module, body)["layouts"]
        return layouts

    def _complete(self, job_id: str, results: list[ResourceResult], states: list[Any]) -> None:
        data = build_result_zip(results)
        if self.state.faults.should("truncate_result"):
            data = truncate_zip(data)
        for state, result in zip(states, results, strict=True):
            state.update({"status": COMPLETED, "code": COMPLETED})
            state["file"] = {"status": COMPLETED, "name": result.file_name, **result.counters()}
        self.store.finish(job_id, COMPLETED, states, data)
        self._notify(job_id)

    def _fail(self, job_id: str) -> None:
        record = self.store.job(job_id)
        if record is None:
            return
        states = resource_states(record.resources, FAILED, None)
        self.store.finish(job_id, FAILED, states, None)
        self._notify(job_id)

    def _notify(self, job_id: str) -> None:
        record = self.store.job(job_id)
        if record is not None:
            callback = record.request.get("callback") or {}
            if callback.get("url"):
                send_callback(str(callback["url"]), job_details(record, self.state))
