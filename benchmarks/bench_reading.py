"""Benchmark of the data engine's reading: preview latency, full scan + profile, peak memory.

Generates CSV files of the requested sizes (20 columns of mixed kinds, quoted fields with
delimiters, doubled quotes and newlines) and prints, for each size:

* the time to open the file and get the header plus the first 200 rows (target: the largest
  file within 2x of the smallest);
* full scan + column profile throughput (of a table already open), as a ratio to
  ``pyarrow.csv.read_csv`` (target >= 0.5) and to a plain ``csv.reader`` loop (target >= 3) on
  the same file in the same run;
* peak RSS of a fresh process that previews and profiles the largest file (target <= 300 MB).

Usage::

    python benchmarks/bench_reading.py                  # 10, 100 and 1000 MB in a temp dir
    python benchmarks/bench_reading.py --sizes 10,100   # smaller run
    python benchmarks/bench_reading.py --dir /data/bench --keep

Figures are best-of-N wall times on a warm page cache (the file was just written). Before the
first timing, every timed action runs once, untimed, on the smallest file, so that one-time
initialisation of the process (lazy imports, compiled date patterns, pyarrow kernels) is not
counted as throughput of any file.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import platform
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

MB = 1024 * 1024
SCAN_TIMES: list[float] = []


def _pools() -> list[list[str]]:
    """Values per column, already written as CSV cells (quoted where needed)."""
    import random

    rng = random.Random(7)

    def quote(text: str) -> str:
        return '"' + text.replace('"', '""') + '"'

    size = 4099  # prime, so columns cycle out of step
    cities = ["Paris", "Oslo", "Rome", "Lima", "Pune", "Kyiv", "Cork"]
    return [
        [str(i) for i in range(size)],  # id (made unique per row below)
        [quote(f"Name {rng.randint(0, 10**6)}, Jr.") for _ in range(size)],
        [f"user{rng.randint(0, 10**7)}@example.com" for _ in range(size)],
        [f"{rng.random() * 10000:.2f}" for _ in range(size)],
        [f"{rng.randint(1, 12):02d}/{rng.randint(1, 28):02d}/20{rng.randint(10, 24)}"
         for _ in range(size)],
        [rng.choice(["true", "false"]) for _ in range(size)],
        [f"+1 555 {rng.randint(1000000, 9999999)}" for _ in range(size)],
        [f"https://example.com/p/{rng.randint(0, 10**6)}" for _ in range(size)],
        [quote(f'He said ""hi"" {i}') if i % 7 == 0 else f"plain {i}" for i in range(size)],
        [quote(f"line one\nline two {i}") if i % 11 == 0 else "" for i in range(size)],
        [str(rng.randint(-1000, 1000)) for _ in range(size)],
        [rng.choice(cities) for _ in range(size)],
        ["" if i % 3 else str(i) for i in range(size)],
        [f"2024-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}T{rng.randint(0, 23):02d}:15:00"
         for _ in range(size)],
        [quote(f"{rng.randint(1, 999)}, Main St") for _ in range(size)],
        [rng.choice(["Lead", "Contact", "Deal"]) for _ in range(size)],
        [f"{rng.randint(1, 100)}%" for _ in range(size)],
        [quote("x" * rng.randint(10, 60)) for _ in range(size)],
        [f"{rng.randint(0, 10**9):,}".replace(",", "") for _ in range(size)],
        ["Zürich café" if i % 5 == 0 else "Munich" for i in range(size)],
    ]  # fmt: skip


def generate(path: Path, megabytes: int) -> None:
    """Write a CSV of about ``megabytes`` MB."""
    pools = _pools()
    header = ",".join(f"col_{i:02d}" for i in range(20)) + "\r\n"
    target = megabytes * MB
    steps = (1, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37, 41, 43, 47, 53, 59, 61, 67, 71)
    with path.open("w", encoding="utf-8", newline="") as out:
        out.write(header)
        written = len(header)
        row = 0
        while written < target:
            lines = []
            for i in range(row, row + 5000):
                cells = [
                    pool[(i * step) % len(pool)] for pool, step in zip(pools, steps, strict=True)
                ]
                cells[0] = str(i)
                lines.append(",".join(cells))
            chunk = "\r\n".join(lines) + "\r\n"
            out.write(chunk)
            written += len(chunk.encode())
            row += 5000


def best_of(runs: int, action: Callable[[], object]) -> float:
    """The shortest wall time of ``runs`` calls."""
    best = float("inf")
    for _ in range(runs):
        start = time.perf_counter()
        action()
        best = min(best, time.perf_counter() - start)
    return best


def preview(path: Path) -> None:
    from bulkwizard.core.reading import open_table

    with open_table(path) as table:
        rows = table.head(200)
        assert len(rows) == 200 and len(table.headers) == 20


def scan_and_profile(path: Path) -> None:
    """Open, then time only the full scan + profile (opening is the preview figure)."""
    from bulkwizard.core.reading import open_table, profile_table

    with open_table(path) as table:
        start = time.perf_counter()
        profile = profile_table(table)
        SCAN_TIMES.append(time.perf_counter() - start)
        assert profile.engine == "arrow", profile.engine


def build_index(path: Path) -> None:
    """The background row index (exact csv-module semantics), for information."""
    from bulkwizard.core.reading import open_table

    with open_table(path) as table:
        assert table.build_index()


def arrow_read(path: Path) -> None:
    import pyarrow.csv as pacsv

    pacsv.read_csv(path, parse_options=pacsv.ParseOptions(newlines_in_values=True))


def csv_reader_loop(path: Path) -> None:
    with path.open(newline="", encoding="utf-8") as handle:
        for _ in csv.reader(handle):
            pass


def warm_up(path: Path) -> None:
    """Run each timed action once, untimed (see the module docstring)."""
    preview(path)
    scan_and_profile(path)
    SCAN_TIMES.clear()
    arrow_read(path)
    csv_reader_loop(path)


def own_peak_rss_kib() -> int:
    """Peak RSS of this process in KiB.

    ``/proc/self/status`` VmHWM belongs to the current address space; ``ru_maxrss`` would also
    count the parent's peak, which Linux carries over into a forked child.
    """
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def child_peak_rss(path: Path) -> float:
    """Peak RSS in MB of a fresh process that previews, then profiles, ``path``."""
    code = (
        "import sys\n"
        "from pathlib import Path\n"
        f"sys.path.insert(0, {str(Path(__file__).parent)!r})\n"
        "import bench_reading as b\n"
        "p = Path(sys.argv[1])\n"
        "b.preview(p)\n"
        "b.scan_and_profile(p)\n"
        "print(b.own_peak_rss_kib())\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, str(path)], capture_output=True, text=True, check=True
    )
    return int(done.stdout.strip().splitlines()[-1]) / 1024


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="10,100,1000", help="file sizes in MB, comma-separated")
    parser.add_argument("--dir", help="where to write the files (default: a temp dir)")
    parser.add_argument("--keep", action="store_true", help="keep the generated files")
    parser.add_argument("--runs", type=int, default=3, help="repetitions (best time is kept)")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    import pyarrow  # noqa: F401 - imported before timing so no run pays for the import
    import pyarrow.compute
    import pyarrow.csv  # noqa: F401 - read_csv's and the profile's (imported lazily there)

    from bulkwizard.core.reading import (
        profile,  # noqa: F401 - same reason
    )

    workdir = Path(args.dir) if args.dir else Path(tempfile.mkdtemp(prefix="bulkwizard-bench-"))
    workdir.mkdir(parents=True, exist_ok=True)
    print(
        f"machine: {platform.platform()}, {os.cpu_count()} CPUs, Python {platform.python_version()}"
    )
    results: list[dict[str, float]] = []
    files: list[Path] = []
    try:
        for size in sizes:
            path = workdir / f"bench_{size}mb.csv"
            files.append(path)
            if not path.exists():
                start = time.perf_counter()
                generate(path, size)
                print(f"generated {path.name} in {time.perf_counter() - start:.1f} s")
            megabytes = path.stat().st_size / MB
            if len(files) == 1:
                warm_up(path)
            runs = args.runs if size <= 100 else 2
            head = best_of(max(args.runs, 3), lambda p=path: preview(p))
            SCAN_TIMES.clear()
            for _ in range(runs):
                scan_and_profile(path)
            ours = min(SCAN_TIMES)
            arrow = best_of(runs, lambda p=path: arrow_read(p))
            plain = best_of(runs, lambda p=path: csv_reader_loop(p))
            index = best_of(1, lambda p=path: build_index(p))
            results.append(
                {"mb": megabytes, "head": head, "ours": ours, "arrow": arrow, "plain": plain}
            )
            print(
                f"{megabytes:8.0f} MB  head+200 rows {head * 1000:7.1f} ms   "
                f"scan+profile {megabytes / ours:7.1f} MB/s   "
                f"read_csv {megabytes / arrow:7.1f} MB/s   csv.reader {megabytes / plain:7.1f} MB/s"
                f"   (row index, no target: {megabytes / index:5.1f} MB/s)"
            )
        rss = child_peak_rss(files[-1])
    finally:
        if not args.keep:
            for path in files:
                path.unlink(missing_ok=True)
            if not args.dir:
                shutil.rmtree(workdir, ignore_errors=True)
    print_summary(results, rss)
    return 0


def print_summary(results: list[dict[str, float]], rss: float) -> None:
    """Print the targets table."""
    print()
    print(f"{'figure':58s} {'measured':>10s} {'target':>9s}  result")
    rows: list[tuple[str, float, str, bool]] = []
    smallest, largest = results[0], results[-1]
    flat = largest["head"] / smallest["head"]
    rows.append(
        (
            f"head+200 rows, {largest['mb']:.0f} MB vs {smallest['mb']:.0f} MB (x)",
            flat,
            "<= 2",
            flat <= 2,
        )
    )
    for result in results:
        to_arrow = result["arrow"] / result["ours"]
        to_plain = result["plain"] / result["ours"]
        label = f"{result['mb']:.0f} MB"
        rows.append(
            (f"scan+profile / pyarrow read_csv, {label} (x)", to_arrow, ">= 0.5", to_arrow >= 0.5)
        )
        rows.append(
            (f"scan+profile / csv.reader loop, {label} (x)", to_plain, ">= 3", to_plain >= 3)
        )
    rows.append(
        (f"peak RSS preview+profile, {largest['mb']:.0f} MB file (MB)", rss, "<= 300", rss <= 300)
    )
    for label, value, target, ok in rows:
        print(f"{label:58s} {value:10.2f} {target:>9s}  {'PASS' if ok else 'MISS'}")
    own = own_peak_rss_kib() / 1024
    print(f"(this process, which also ran read_csv, peaked at {own:.0f} MB)")
    figures: dict[str, float] = {
        "head_large_over_small": round(flat, 3),
        "peak_rss_mb": round(rss, 1),
    }
    for result in results:
        size = f"{result['mb']:.0f}mb"
        figures[f"head_ms_{size}"] = round(result["head"] * 1000, 2)
        figures[f"scan_over_arrow_{size}"] = round(result["arrow"] / result["ours"], 3)
        figures[f"scan_over_csvreader_{size}"] = round(result["plain"] / result["ours"], 3)
    print(json.dumps(figures))  # last line: the figures, for tracking over time


if __name__ == "__main__":
    raise SystemExit(main())
