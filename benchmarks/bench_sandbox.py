"""How long the sandbox takes to process a 25,000-row Leads insert job (target: under 10 s).

Starts an in-process sandbox in a temporary folder, uploads a zip with one 25,000-row CSV over
loopback, creates an insert job, polls until ``COMPLETED`` and prints the time from job creation
to completion, rows per second, and a ratio against a baseline measured in the same run: inserting
the same rows as JSON into a bare SQLite table in one transaction (the least any SQLite-backed
store could do).

Run: ``.venv/bin/python benchmarks/bench_sandbox.py [--rows 25000]``
"""

from __future__ import annotations

import argparse
import io
import json
import sqlite3
import sys
import tempfile
import time
import zipfile
from pathlib import Path

import requests

from bulkwizard.sandbox.server import SandboxServer
from bulkwizard.sandbox.testing import authorized_session

SOURCES = ("Advertisement", "Cold Call", "Partner", "Trade Show", "Web Download")
HEADER = [
    "Last_Name", "First_Name", "Company", "Email", "Phone", "Lead_Source", "Annual_Revenue",
    "No_of_Employees", "Preferred_Call_Date", "Interests",
]  # fmt: skip


def make_rows(count: int) -> list[list[str]]:
    """Realistic, valid Leads rows (unique e-mails, picklists, numbers, dates)."""
    return [
        [
            f"Lead{n}",
            f"First{n % 97}",
            f"Company {n % 1000}",
            f"lead{n}@bench.test",
            f"+1 555 {n:07d}",
            SOURCES[n % len(SOURCES)],
            f"{(n % 500) * 1000}.50",
            str(n % 900 + 1),
            f"{n % 12 + 1:02d}/{n % 28 + 1:02d}/2024",
            "CRM;Analytics" if n % 2 else "Support",
        ]
        for n in range(count)
    ]


def csv_text(rows: list[list[str]]) -> str:
    return "\n".join(",".join(row) for row in [HEADER, *rows]) + "\n"


def baseline_seconds(rows: list[list[str]], folder: Path) -> float:
    """Raw SQLite: the same rows as JSON objects, one transaction, WAL like the sandbox."""
    conn = sqlite3.connect(folder / "baseline.sqlite3", isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=NORMAL")
    conn.execute("CREATE TABLE records (module TEXT, id TEXT, data TEXT, PRIMARY KEY (module, id))")
    started = time.perf_counter()
    conn.execute("BEGIN")
    conn.executemany(
        "INSERT INTO records VALUES ('Leads', ?, ?)",
        ((str(n), json.dumps(dict(zip(HEADER, row, strict=True)))) for n, row in enumerate(rows)),
    )
    conn.execute("COMMIT")
    elapsed = time.perf_counter() - started
    conn.close()
    return elapsed


def run_job(sandbox: SandboxServer, session: requests.Session, data: bytes) -> tuple[float, dict]:
    """Upload, create, poll; return (seconds from create to COMPLETED, final job details)."""
    base = sandbox.base_url
    upload = session.post(
        f"{base}/crm/v8/upload",
        files={"file": ("leads.zip", data)},
        headers={"feature": "bulk-write", "X-CRM-ORG": sandbox.credentials["zgid"]},
        timeout=60,
    )
    upload.raise_for_status()
    file_id = upload.json()["details"]["file_id"]
    job = {
        "operation": "insert",
        "resource": [{"type": "data", "module": {"api_name": "Leads"}, "file_id": file_id}],
    }
    started = time.perf_counter()
    created = session.post(f"{base}/crm/bulk/v8/write", json=job, timeout=60)
    if created.status_code != 201:
        raise SystemExit(f"create job failed: {created.text}")
    job_id = created.json()["details"]["id"]
    while True:
        details = session.get(f"{base}/crm/bulk/v8/write/{job_id}", timeout=60).json()
        if details["status"] in ("COMPLETED", "FAILED"):
            return time.perf_counter() - started, details
        time.sleep(0.02)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=25_000)
    args = parser.parse_args(argv)
    rows = make_rows(args.rows)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("leads.csv", csv_text(rows))
    with tempfile.TemporaryDirectory(prefix="bench-sandbox-") as folder:
        base = baseline_seconds(rows, Path(folder))
        with SandboxServer(Path(folder) / "sandbox", port=0) as sandbox:
            with authorized_session(sandbox) as session:
                seconds, details = run_job(sandbox, session, buffer.getvalue())
    counters = details["resource"][0]["file"]
    print(f"rows:                 {args.rows:,}")
    print(f"job status:           {details['status']}  {counters}")
    print(f"sandbox job total:    {seconds:.2f} s (create -> COMPLETED, incl. validation)")
    print(f"sandbox throughput:   {args.rows / seconds:,.0f} rows/s")
    print(f"baseline (raw SQLite): {base:.3f} s ({args.rows / base:,.0f} rows/s)")
    print(f"ratio sandbox/baseline: {seconds / base:.1f}x")
    print(f"target < 10 s:        {'met' if seconds < 10 else 'NOT met'}")
    ok = details["status"] == "COMPLETED" and counters.get("added_count") == args.rows
    figures = {
        "rows": args.rows,
        "sandbox_job_s": round(seconds, 3),
        "rows_per_s": round(args.rows / seconds),
        "sandbox_over_sqlite": round(seconds / base, 2),
        "completed": ok,
    }
    print(json.dumps(figures))  # last line: the figures, for tracking over time
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
