"""The bulkwizard-cli entry point itself: help, usage errors and a closed pipe."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from bulkwizard import cli

COMMANDS = (
    "validate", "inspect", "check", "split", "sandbox", "login", "logout", "profiles",
    "modules", "fields", "metadata", "submit", "status", "results",
)  # fmt: skip


def test_every_command_is_registered(capsys: object) -> None:
    parser = cli.build_parser()
    help_text = parser.format_help()
    for command in COMMANDS:
        assert command in help_text


def test_no_command_is_a_usage_error() -> None:
    assert cli.main([]) == 2


def test_a_reader_that_goes_away_is_not_a_crash(tmp_path: Path) -> None:
    """`bulkwizard-cli inspect big.csv --rows 5000 | head -1` must end quietly."""
    big = tmp_path / "big.csv"
    big.write_text("a,b\n" + "".join(f"{i},{'x' * 60}\n" for i in range(20_000)), encoding="utf-8")
    process = subprocess.Popen(
        [sys.executable, "-m", "bulkwizard.cli", "inspect", str(big), "--rows", "5000"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert process.stdout is not None and process.stderr is not None
    first_line = process.stdout.readline()
    process.stdout.close()  # what `head -1` does after one line
    stderr = process.stderr.read().decode()
    assert process.wait(timeout=120) == 0
    assert b"File:" in first_line
    assert "Traceback" not in stderr and "BrokenPipe" not in stderr
