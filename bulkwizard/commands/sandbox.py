"""``bulkwizard-cli sandbox``: run the built-in Zoho CRM sandbox, or mint a grant code for it.

bulkwizard-cli sandbox [--host 127.0.0.1] [--port 8765] [--data DIR] [--latency MS]
                       [--faults SPEC] [--token-ttl S] [--max-jobs N] [--daily-credits N]
bulkwizard-cli sandbox --grant-code [--scopes ZohoCRM.modules.ALL,...] [--data DIR]
"""

from __future__ import annotations

import argparse
import json
import signal
import sys
import time
from pathlib import Path
from types import FrameType
from typing import Any

from bulkwizard.commands import EXIT_OK, EXIT_USAGE
from bulkwizard.sandbox.dispatch import is_loopback_name
from bulkwizard.sandbox.faults import FaultSpec, FaultSpecError
from bulkwizard.sandbox.http import FULL_SCOPES, is_valid_scope, parse_scope_list
from bulkwizard.sandbox.server import (
    CREDENTIALS_FILE,
    SandboxBusyError,
    SandboxServer,
    reset_data,
    write_credentials,
)
from bulkwizard.sandbox.state import SandboxConfig, SandboxState
from bulkwizard.storage.paths import sandbox_dir

DEFAULT_PORT = 8765

_FAULTS_HELP = """\
fault injection spec, comma separated (default: none), e.g.
  500=0.1,429=0.05,retry_after=2,slow=0.2:1500,expire_tokens=0.1,fail_job=1,seed=7
  500=P            answer P of the API calls with 500 INTERNAL_ERROR
  429=P            answer P of the API calls with 429 TOO_MANY_REQUESTS + Retry-After
  retry_after=S    seconds in that Retry-After header (default 1)
  slow=P:MS        delay P of the API calls by MS milliseconds
  expire_tokens=P  expire the presented access token on P of the calls (401 INVALID_TOKEN)
  token_uses=N     every access token expires after N calls
  fail_job=P       P of the bulk-write jobs end FAILED
  truncate_result=P  P of the result zips are cut short
  paths=REGEX      apply HTTP faults only to matching paths
  seed=N           random seed: same seed + same calls = same faults
P is a probability 0..1 (1 = always). OAuth endpoints are never faulted."""


def register(subparsers: Any) -> None:
    """Add the ``sandbox`` command."""
    parser = subparsers.add_parser(
        "sandbox",
        help="run the built-in Zoho CRM sandbox (a local demo org)",
        description="Run a local server that behaves like Zoho CRM, with a demo org. It prints "
        "its base URL and the path of credentials.json (the demo OAuth client and a refresh "
        "token) and serves until Ctrl+C. Data persists in the data folder.",
        formatter_class=argparse.RawTextHelpFormatter,
    )
    parser.add_argument(
        "--host", default="127.0.0.1", help="address to listen on (default %(default)s)"
    )
    parser.add_argument(
        "--port",
        type=int,
        default=DEFAULT_PORT,
        help="port; 0 picks a free one (default %(default)s)",
    )
    parser.add_argument(
        "--data",
        type=Path,
        default=None,
        help="data folder (default: 'sandbox' in the user data folder)",
    )
    parser.add_argument(
        "--latency",
        type=int,
        default=0,
        metavar="MS",
        help="delay every API call by MS milliseconds",
    )
    parser.add_argument("--faults", default=None, metavar="SPEC", help=_FAULTS_HELP)
    parser.add_argument(
        "--token-ttl",
        type=int,
        default=3600,
        metavar="S",
        help="access token lifetime in seconds (default %(default)s)",
    )
    parser.add_argument(
        "--max-jobs",
        type=int,
        default=2,
        metavar="N",
        help="bulk jobs processed at once (default %(default)s)",
    )
    parser.add_argument(
        "--daily-credits",
        type=int,
        default=None,
        metavar="N",
        help="daily API credit allowance (default 60000)",
    )
    parser.add_argument(
        "--reset",
        action="store_true",
        help="delete the sandbox's records, jobs and tokens first and start with a fresh demo org",
    )
    parser.add_argument(
        "--grant-code",
        action="store_true",
        help="mint a Self Client grant code for the demo client, print it, store it in "
        "credentials.json and exit",
    )
    parser.add_argument(
        "--scopes",
        default=",".join(FULL_SCOPES),
        help="comma-separated scopes of the grant code (default: every scope)",
    )
    parser.add_argument(
        "--grant-ttl",
        type=int,
        default=180,
        metavar="S",
        help="grant code validity in seconds (default %(default)s)",
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Handle ``bulkwizard-cli sandbox``."""
    data_dir: Path = args.data if args.data is not None else sandbox_dir()
    if args.grant_code:
        return _grant_code(args, data_dir)
    try:
        faults = FaultSpec.parse(args.faults)
    except FaultSpecError as exc:
        print(f"error: --faults: {exc}", file=sys.stderr)
        return EXIT_USAGE
    for name, value in (
        ("--port", args.port),
        ("--latency", args.latency),
        ("--token-ttl", args.token_ttl),
    ):
        if value < 0 or (name == "--token-ttl" and value == 0):
            print(f"error: {name} must be positive", file=sys.stderr)
            return EXIT_USAGE
    if args.reset:
        try:
            reset_data(data_dir)
        except SandboxBusyError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return EXIT_USAGE
    server = SandboxServer(
        data_dir,
        host=args.host,
        port=args.port,
        token_ttl=args.token_ttl,
        latency_ms=args.latency,
        faults=faults,
        max_concurrent_jobs=max(args.max_jobs, 1),
        daily_credits=args.daily_credits,
    )
    try:
        server.start()
    except SandboxBusyError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except OSError as exc:
        print(
            f"error: cannot listen on {args.host}:{args.port}: {exc.strerror or exc}",
            file=sys.stderr,
        )
        print("Choose another port with --port (0 picks a free one).", file=sys.stderr)
        return EXIT_USAGE
    previous = signal.signal(signal.SIGTERM, _interrupt)
    try:
        print(f"Zoho CRM sandbox running at {server.base_url}")
        warning = exposure_warning(args.host)
        if warning:
            print(warning, file=sys.stderr)
        print(f"  credentials: {server.credentials_path}")
        print(f"  data:        {data_dir}")
        if faults.probabilities or faults.token_uses:
            print(f"  faults:      {args.faults}")
        print("Press Ctrl+C to stop.", flush=True)
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
        signal.signal(signal.SIGTERM, previous)
    print("Sandbox stopped.", flush=True)
    return EXIT_OK


def exposure_warning(host: str) -> str | None:
    """A warning when ``--host`` makes the sandbox reachable from other machines."""
    if is_loopback_name(host):
        return None
    return (
        f"warning: listening on {host}: other machines on the network can reach the sandbox, "
        "its OAuth consent page and the demo org. Use --host 127.0.0.1 unless you mean it."
    )


def _interrupt(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt


def _grant_code(args: argparse.Namespace, data_dir: Path) -> int:
    scopes = parse_scope_list(args.scopes)
    bad = [scope for scope in scopes if not is_valid_scope(scope)]
    if not scopes or bad:
        print(f"error: --scopes: not a scope: {', '.join(bad) or '(empty)'}", file=sys.stderr)
        return EXIT_USAGE
    state = SandboxState(SandboxConfig(data_dir=data_dir, host=args.host, port=args.port))
    try:
        path = data_dir / CREDENTIALS_FILE
        if path.exists():
            try:
                # Keep the URLs of a sandbox that may be running on another port right now.
                state.base_url = json.loads(path.read_text(encoding="utf-8"))["api_domain"]
            except (OSError, ValueError, KeyError):
                pass
        code = state.tokens.mint_grant_code(
            state.client_id, scopes, state.records.current_user["id"], ttl=args.grant_ttl
        )
        write_credentials(
            state,
            path,
            {
                "grant_code": code,
                "grant_code_scopes": scopes,
                "grant_code_expires_at": int(time.time()) + args.grant_ttl,
            },
        )
    finally:
        state.db.close()
    print(code)
    print(
        f"Grant code for {len(scopes)} scope(s), valid {args.grant_ttl} s, single use; also in "
        f"{path}",
        file=sys.stderr,
    )
    return EXIT_OK
