"""The bulkwizard-cli entry point itself: help, usage errors and a closed pipe."""

from __future__ import annotations

import os
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
    """`bulkwizard-cli inspect data.csv | head -1`: the reader has gone; end quietly, exit 0."""
    data = tmp_path / "data.csv"
    data.write_text("a,b\n" + "".join(f"{i},x\n" for i in range(50)), encoding="utf-8")
    read_end, write_end = os.pipe()
    os.close(read_end)  # the reader is gone before the first write: every write fails EPIPE
    try:
        result = subprocess.run(
            [sys.executable, "-m", "bulkwizard.cli", "inspect", str(data), "--json"],
            stdout=write_end,
            stderr=subprocess.PIPE,
            timeout=120,
            check=False,
        )
    finally:
        os.close(write_end)
    stderr = result.stderr.decode()
    assert "Traceback" not in stderr and "BrokenPipe" not in stderr, stderr
    assert result.returncode == 0
