"""Fixtures for command-line tests: a real sandbox, the CLI run in-process, demo job files.

- ``sandbox``: a running sandbox whose data folder is outside ``BULKWIZARD_HOME`` (it holds the
  demo client's credentials.json by design, so secret scans of bulkwizard's folders stay honest).
- ``cli(*args)``: runs ``bulkwizard-cli`` in-process; returns ``(exit code, stdout, stderr)``.
- ``signed_in``: ``cli("login", "--sandbox", ...)`` already done.
- ``leads_job``: a Leads insert job and its CSV (3 good rows, 1 without the mandatory Last_Name).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from bulkwizard import cli as cli_module
from bulkwizard.sandbox.server import SandboxServer

CliResult = tuple[int, str, str]
Cli = Callable[..., CliResult]

LEADS_CSV = (
    "Last_Name,Company,Email,Lead_Source\n"
    "Nakamura,Aoi Labs,aoi@example.com,Web Download\n"
    "Schmidt,Kessel GmbH,k.schmidt@example.de,Trade Show\n"
    "Okafor,Lagos Ventures,chidi@example.ng,Cold Call\n"
    ",Nameless Ltd,nobody@example.com,Web Download\n"
)
LEADS_JOB = {
    "operation": "insert",
    "resource": [
        {
            "type": "data",
            "module": {"api_name": "Leads"},
            "file_names": ["leads.csv"],
            "field_mappings": [
                {"api_name": "Last_Name", "index": 0},
                {"api_name": "Company", "index": 1},
                {"api_name": "Email", "index": 2},
                {"api_name": "Lead_Source", "index": 3},
            ],
        }
    ],
}


@pytest.fixture(autouse=True)
def _drop_cli_log_handlers() -> Iterator[None]:
    """The CLI adds log handlers to the root logger; remove them after each test."""
    root = logging.getLogger()
    level = root.level
    urllib3_level = logging.getLogger("urllib3").level
    yield
    root.setLevel(level)
    logging.getLogger("urllib3").setLevel(urllib3_level)
    for handler in [h for h in root.handlers if getattr(h, "_bulkwizard", False)]:
        root.removeHandler(handler)
        handler.close()


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str]) -> Cli:
    def run(*args: str) -> CliResult:
        capsys.readouterr()
        try:
            code = cli_module.main([str(a) for a in args])
        except SystemExit as exc:  # argparse usage errors and --help
            code = int(exc.code or 0)
        captured = capsys.readouterr()
        return code, captured.out, captured.err

    return run


@pytest.fixture
def signed_in(sandbox: SandboxServer, cli: Cli) -> SandboxServer:
    code, out, err = cli("login", "--sandbox", "--sandbox-data", sandbox.config.data_dir)
    assert code == 0, err
    return sandbox


@pytest.fixture
def leads_job(tmp_path: Path) -> tuple[Path, Path]:
    folder = tmp_path / "work"
    folder.mkdir()
    csv_path = folder / "leads.csv"
    csv_path.write_text(LEADS_CSV, encoding="utf-8")
    job_path = folder / "leads-job.json"
    job_path.write_text(json.dumps(LEADS_JOB, indent=2), encoding="utf-8")
    return job_path, csv_path
