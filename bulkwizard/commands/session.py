"""What the commands that talk to a CRM share: the --profile option, logging, error reporting.

Apart from :mod:`bulkwizard.commands.common` because it needs the HTTP client, which the offline
commands (``validate --metadata``, ``inspect``, ``check``) must not pay for at start-up.
"""

from __future__ import annotations

import argparse
import logging
import logging.handlers
import sys

from bulkwizard.commands import EXIT_NETWORK, EXIT_PROBLEMS, EXIT_USAGE
from bulkwizard.commands.common import UsageError
from bulkwizard.core.errors import CsvFormatError, JobFormatError, MetadataError
from bulkwizard.core.metadata import MetadataSnapshot
from bulkwizard.storage import paths, secrets
from bulkwizard.storage.profiles import ProfileError, ProfileStore
from bulkwizard.zoho.connection import connect
from bulkwizard.zoho.errors import ZohoApiError, ZohoAuthError, ZohoNetworkError
from bulkwizard.zoho.loopback import SignInCancelled
from bulkwizard.zoho.metadata_cache import pull_snapshot, snapshot_folder
from bulkwizard.zoho.packaging import PackagingError
from bulkwizard.zoho.redact import protect_handler

LOG_FILE = "bulkwizard-cli.log"
LOG_MAX_BYTES = 5 * 1024 * 1024

# The token endpoint's error when too many access tokens were minted (zoho-api.md §1.5).
TOKEN_THROTTLE_CODE = "Access Denied"


def add_profile_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--profile",
        metavar="NAME",
        help="connection profile to use (default: the default profile; see `profiles`)",
    )


def setup_logging() -> None:
    """Debug log to ``<log dir>/bulkwizard-cli.log`` and warnings to stderr, both redacted."""
    root = logging.getLogger()
    for handler in [h for h in root.handlers if getattr(h, "_bulkwizard", False)]:
        root.removeHandler(handler)
        handler.close()
    log_dir = paths.log_dir()
    log_dir.mkdir(parents=True, exist_ok=True)
    # Rotated: a nightly scripted import would otherwise grow one debug log without end.
    file_handler = logging.handlers.RotatingFileHandler(
        log_dir / LOG_FILE, maxBytes=LOG_MAX_BYTES, backupCount=3, encoding="utf-8"
    )
    file_handler.setLevel(logging.DEBUG)
    file_handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    stderr_handler = logging.StreamHandler(sys.stderr)
    stderr_handler.setLevel(logging.WARNING)
    stderr_handler.setFormatter(logging.Formatter("%(levelname)s: %(message)s"))
    handlers: list[logging.Handler] = [file_handler, stderr_handler]
    for handler in handlers:
        protect_handler(handler)
        setattr(handler, "_bulkwizard", True)  # noqa: B010 (marks our handlers for removal)
        root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    # urllib3 logs request lines at debug level; the handler filter redacts them.
    logging.getLogger("urllib3").setLevel(logging.DEBUG)


def report_error(command: str, exc: BaseException) -> int:
    """Print a typed error plainly and return the matching exit code."""
    print(f"bulkwizard-cli {command}: {exc}", file=sys.stderr)
    if isinstance(exc, secrets.KeyringUnavailableError | secrets.SecretStoreError):
        return EXIT_NETWORK
    if isinstance(exc, ZohoAuthError) and exc.code == TOKEN_THROTTLE_CODE:
        # Signing in again would not help: the limit is on minting tokens, and it lifts by itself.
        print(
            "  Zoho limits how many access tokens can be created (about 10 per 10 minutes); "
            "wait a few minutes and try again.",
            file=sys.stderr,
        )
        return EXIT_NETWORK
    if isinstance(exc, ZohoAuthError):
        print("  Sign in again with `bulkwizard-cli login`.", file=sys.stderr)
        return EXIT_NETWORK
    if isinstance(exc, ZohoNetworkError) or (
        isinstance(exc, ZohoApiError)
        and (exc.http_status in (429,) or (exc.http_status or 0) >= 500)
    ):
        return EXIT_NETWORK
    if isinstance(exc, SignInCancelled):
        return EXIT_NETWORK
    if isinstance(exc, ZohoApiError) and exc.code == "RESOURCE_NOT_FOUND":
        # An id the CRM does not know (a mistyped job id): the user's input, not a failed import.
        print(
            "  Check the id; `bulkwizard-cli status` takes the job id `submit` printed.",
            file=sys.stderr,
        )
        return EXIT_USAGE
    if isinstance(exc, ZohoApiError):
        return EXIT_PROBLEMS
    if isinstance(
        exc, ProfileError | UsageError | JobFormatError | CsvFormatError | MetadataError
    ) or isinstance(exc, PackagingError | ValueError):
        return EXIT_USAGE
    return EXIT_PROBLEMS


def snapshot_for_profile(profile_name: str | None, *, refresh: bool = False) -> MetadataSnapshot:
    """The profile's metadata: the cached snapshot, pulled from Zoho when absent or ``refresh``.

    For ``validate --profile``: ``snapshot = snapshot_for_profile(args.profile)``.

    Raises:
        ProfileError, ZohoApiError, KeyringUnavailableError, MetadataError.
    """
    profile = ProfileStore().get(profile_name)
    folder = snapshot_folder(profile.name)
    if not refresh and (folder / "modules.json").is_file():
        return MetadataSnapshot.load(folder)
    return pull_snapshot(connect(profile), folder)
