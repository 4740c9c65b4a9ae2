"""Benchmark of row checks and split + zip (issue 5); prints figures, asserts nothing.

    .venv/bin/python benchmarks/bench_prepare.py [--rows 1000000] [--dir /tmp/bw-bench]

Figures, each a ratio against a baseline measured in the same run on the same file:

* row checks over ``--rows`` Leads rows (20 columns: text, email, phone, URL, picklists,
  multi-select, integer, currency, double, date, date-time, boolean, ~1% bad cells): throughput
  as a ratio to the full scan alone (``Table.iter_rows``); target >= 0.5;
* split + zip of a ``--rows`` parent file with a 2x``--rows`` child file (subform rows): time as
  a ratio to zipping the same two CSV files with ``zipfile`` at the same deflate level; target
  <= 1.5.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import platform
import random
import tempfile
import time
import zipfile
from pathlib import Path

from bulkwizard.core.inputs import bind_inputs
from bulkwizard.core.job import BulkWriteJob
from bulkwizard.core.metadata import MetadataSnapshot
from bulkwizard.core.reading import open_table
from bulkwizard.core.rowcheck import check_rows
from bulkwizard.core.upload import DEFAULT_COMPRESSLEVEL, UploadPreparer
from bulkwizard.sandbox.demo import demo_snapshot

COLUMNS = [
    ("Last_Name", "Last Name"), ("First_Name", "First Name"), ("Company", "Company"),
    ("Email", "Email"), ("Secondary_Email", "Other Email"), ("Phone", "Phone"),
    ("Mobile", "Mobile"), ("Website", "Website"), ("Lead_Source", "Source"),
    ("Lead_Status", "Status"), ("Industry", "Industry"), ("Rating", "Rating"),
    ("Interests", "Interests"), ("No_of_Employees", "Employees"),
    ("Annual_Revenue", "Revenue"), ("Lead_Score", "Score"),
    ("Preferred_Call_Date", "Call Date"), ("Last_Contacted_At", "Last Contacted"),
    ("Email_Opt_Out", "Opt Out"), ("Description", "Description"),
]  # fmt: skip
SOURCES = ["Advertisement", "Cold Call", "Employee Referral", "Partner", "Trade Show"]
STATUSES = ["Attempted to Contact", "Contact in Future", "Contacted", "Not Contacted"]
INDUSTRIES = ["Automotive", "Banking", "Construction", "Education", "Healthcare"]
RATINGS = ["Acquired", "Active", "Market Failed", "Shut Down"]
INTERESTS = ["CRM", "Analytics", "Marketing", "Support", "Mobile"]
WORDS = 'alpha beta gamma delta, epsilon "zeta" eta theta iota kappa lambda'.split(" ")


def lead_row(rng: random.Random, number: int, bad: bool = True) -> list[str]:
    day = rng.randint(1, 28 if rng.random() < 0.9 else 31)
    month = rng.randint(1, 12)
    row = [
        f"Last{number}",
        rng.choice(["Ann", "Bob", "Chloé", "Dev"]),
        f"Company {number % 5000}",
        f"user{number}@example{number % 97}.com",
        f"alt{number}@mail.example.org",
        f"+1 555 {number % 10000:04d}",
        f"({number % 900 + 100}) 555-0{number % 1000:03d}",
        f"www.site{number % 300}.com/p",
        rng.choice(SOURCES),
        rng.choice(STATUSES),
        rng.choice(INDUSTRIES),
        rng.choice(RATINGS),
        ";".join(rng.sample(INTERESTS, rng.randint(0, 3))),
        str(rng.randint(1, 99999)),
        f"{rng.randint(0, 10**7)}.{rng.randint(0, 99):02d}",
        f"{rng.random() * 100:.2f}",
        f"{month:02d}/{day:02d}/20{rng.randint(10, 29)}",
        f"{month:02d}/{min(day, 28):02d}/2024 {rng.randint(0, 23):02d}:{rng.randint(0, 59):02d}:"
        f"{rng.randint(0, 59):02d}",
        rng.choice(["true", "false"]),
        " ".join(rng.sample(WORDS, 4)),
    ]
    if bad and rng.random() < 0.01:  # about 1% of rows carry one bad cell
        column = rng.randrange(len(row))
        row[column] = rng.choice(["n/a", "yes", "12,5", "31/12/2024", "bad@", "Tradeshow", ""])
    return row


def write_leads(path: Path, rows: int) -> None:
    rng = random.Random(5)
    with path.open("w", encoding="utf-8", newline="") as stream:
        writer = csv.writer(stream)
        writer.writerow([label for _, label in COLUMNS])
        for number in range(rows):
            writer.writerow(lead_row(rng, number))


def write_family(parent: Path, child: Path, rows: int) -> None:
    rng = random.Random(7)
    with parent.open("w", encoding="utf-8", newline="") as stream:
        writer = csv.writer(stream)
        writer.writerow([label for _, label in COLUMNS])
        for number in range(rows):
            writer.writerow(lead_row(rng, number, bad=False))  # keys must stay intact
    with child.open("w", encoding="utf-8", newline="") as stream:
        writer = csv.writer(stream)
        writer.writerow(["Secondary Email", "Secondary Phone", "Relationship", "Lead"])
        for number in range(2 * rows):
            parent_number = number // 2 if rng.random() < 0.7 else rng.randrange(rows)
            writer.writerow([f"sec{number}@example.net", f"+44 20 {number % 10**8:08d}",
                             rng.choice(["Assistant", "Colleague", "Manager", "Other"]),
                             f"Last{parent_number}"])  # fmt: skip


def leads_job() -> BulkWriteJob:
    mappings = [{"api_name": api, "index": i} for i, (api, _) in enumerate(COLUMNS)]
    return BulkWriteJob.from_json({"operation": "insert", "resource": [
        {"type": "data", "module": {"api_name": "Leads"}, "file_names": ["leads.csv"],
         "field_mappings": mappings}]})  # fmt: skip


def family_job() -> BulkWriteJob:
    job = leads_job()
    return BulkWriteJob.from_json(
        {
            **job.to_json(),
            "resource": [
                job.resources[0].to_json(),
                {
                    "type": "data",
                    "module": {"api_name": "Secondary"},
                    "file_names": ["secondary.csv"],
                    "field_mappings": [
                        {"api_name": "Secondary_Email", "index": 0},
                        {"api_name": "Secondary_Phone", "index": 1},
                        {"api_name": "Relationship", "index": 2},
                        {"api_name": "Parent_Id", "index": 3, "parent_column_index": 0},
                    ],
                },
            ],
        }
    )


def timed(label: str, work: object) -> float:
    start = time.perf_counter()
    result = work() if callable(work) else None
    elapsed = time.perf_counter() - start
    print(f"  {label:<44} {elapsed:8.2f} s   {'' if result is None else result}")
    return elapsed


def bench_checks(folder: Path, rows: int, snapshot: MetadataSnapshot) -> dict[str, float]:
    path = folder / f"leads-{rows}.csv"
    if not path.exists():
        timed(f"generate {rows:,} rows", lambda: write_leads(path, rows))
    size = path.stat().st_size / 1e6
    print(f"row checks: {rows:,} rows x {len(COLUMNS)} columns, {size:.0f} MB")
    job = leads_job()

    def scan() -> str:
        with open_table(path) as table:
            return f"{sum(1 for _ in table.iter_rows()):,} rows"

    def check() -> str:
        inputs = bind_inputs(job, {None: path})
        count = sum(1 for _ in check_rows(job, snapshot, inputs))
        return f"{count:,} findings"

    scan_time = timed("full scan (Table.iter_rows)", scan)
    check_time = timed("scan + row checks", check)
    print(f"  => row-check throughput / scan throughput = {scan_time / check_time:.2f} "
          "(target >= 0.5)")  # fmt: skip
    return {"check_s": round(check_time, 3), "checks_over_scan": round(scan_time / check_time, 3)}


def bench_split(folder: Path, rows: int) -> dict[str, float]:
    parent, child = folder / f"parent-{rows}.csv", folder / f"child-{rows}.csv"
    if not parent.exists() or not child.exists():
        timed(f"generate {rows:,} + {2 * rows:,} rows", lambda: write_family(parent, child, rows))
    size = (parent.stat().st_size + child.stat().st_size) / 1e6
    print(f"split + zip: {rows:,} parent + {2 * rows:,} child rows, {size:.0f} MB")
    level = DEFAULT_COMPRESSLEVEL

    def baseline() -> str:
        target = folder / "baseline.zip"
        with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED, compresslevel=level) as archive:
            archive.write(parent, "leads.csv")
            archive.write(child, "secondary.csv")
        return f"{target.stat().st_size / 1e6:.0f} MB zip"

    def split() -> str:
        job = family_job()
        inputs = bind_inputs(job, {"leads.csv": parent, "secondary.csv": child})
        out = folder / "split-out"
        with UploadPreparer(job, inputs, compresslevel=level, work_dir=folder) as prep:
            plan = prep.plan()
            written = prep.write(out)
        total = sum(entry.zip_bytes for entry in written)
        return f"{plan.job_count} zips, {total / 1e6:.0f} MB"

    zip_time = timed(f"zipfile, deflate level {level} (baseline)", baseline)
    split_time = timed("plan + split + zip", split)
    print(f"  => split time / zip time = {split_time / zip_time:.2f} (target <= 1.5)")
    return {"split_s": round(split_time, 3), "split_over_zip": round(split_time / zip_time, 3)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--dir", default=None, help="where to keep the generated files")
    parser.add_argument("--only", choices=("checks", "split"), default=None)
    args = parser.parse_args()
    print(
        f"machine: {platform.platform()}, {os.cpu_count()} CPUs, Python {platform.python_version()}"
    )
    folder = Path(args.dir) if args.dir else Path(tempfile.gettempdir()) / "bulkwizard-bench"
    folder.mkdir(parents=True, exist_ok=True)
    snapshot = demo_snapshot()
    figures: dict[str, float] = {"rows": args.rows}
    if args.only in (None, "checks"):
        figures.update(bench_checks(folder, args.rows, snapshot))
    if args.only in (None, "split"):
        figures.update(bench_split(folder, args.rows))
    print(json.dumps(figures))  # last line: the figures, for tracking over time


if __name__ == "__main__":
    main()
