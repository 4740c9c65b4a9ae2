"""The ``bulkwizard-cli`` command line over core, zoho, sandbox and storage.

Each sub-command lives in its own module under :mod:`bulkwizard.commands` and registers itself
through ``register(subparsers)``; this module only builds the parser and dispatches.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Callable, Sequence

from bulkwizard import __version__
from bulkwizard.commands import EXIT_USAGE

# Modules under bulkwizard.commands, in the order their commands appear in --help.
COMMAND_MODULES: tuple[str, ...] = (
    "validate",  # validate (pre-flight check of a job against metadata)
    "inspect",  # inspect (read any spreadsheet, show guesses, profile columns)
    "prepare",  # check (row-level checks), split (upload-ready zips)
    "sandbox",  # sandbox (run the local Zoho-compatible server)
    "account",  # login, logout, profiles
    "remote",  # modules, fields, metadata, submit, status, results
)


def build_parser() -> argparse.ArgumentParser:
    """Return the top-level parser with every available sub-command registered."""
    parser = argparse.ArgumentParser(
        prog="bulkwizard-cli",
        description="Import spreadsheets into Zoho CRM through the Bulk Write API.",
    )
    parser.add_argument("--version", action="version", version=f"bulkwizard {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMAND_MODULES:
        try:
            module = importlib.import_module(f"bulkwizard.commands.{name}")
        except ModuleNotFoundError as exc:
            # Only tolerate the command module itself being absent, never a broken import inside it.
            if exc.name == f"bulkwizard.commands.{name}":
                continue
            raise
        module.register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    handler: Callable[[argparse.Namespace], int] | None = getattr(args, "handler", None)
    if handler is None:
        parser.print_help(sys.stderr)
        return EXIT_USAGE
    try:
        return handler(args)
    except KeyboardInterrupt:
        print("Interrupted.", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # The reader went away (`bulkwizard-cli fields Leads | head`): not an error worth a
        # traceback. Point stdout at devnull so the interpreter's final flush stays quiet.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0


if __name__ == "__main__":
    raise SystemExit(main())
