"""The sandbox HTTP server: a local, threaded, Zoho-CRM-compatible server on 127.0.0.1.

Use it in-process (tests, the GUI's "Try the sandbox")::

    with SandboxServer(data_dir=tmp, port=0) as sandbox:
        sandbox.base_url          # http://127.0.0.1:54321
        sandbox.credentials       # what credentials.json holds
        code = sandbox.mint_grant_code(["ZohoCRM.modules.ALL"])

or from the command line: ``bulkwizard-cli sandbox``. This module is where the sandbox is put
together: the endpoint packages (:mod:`bulkwizard.sandbox.api`, :mod:`bulkwizard.sandbox.bulk`)
register their routes on one :class:`~bulkwizard.sandbox.http.Router` over one shared state.
"""

from __future__ import annotations

import json
import os
import shutil
import threading
from pathlib import Path
from types import TracebackType
from typing import Any

from bulkwizard.core.atomic import atomic_write_text
from bulkwizard.sandbox.api import (
    register_metadata_routes,
    register_oauth_routes,
    register_record_routes,
)
from bulkwizard.sandbox.bulk import register_routes as register_bulk_routes
from bulkwizard.sandbox.dispatch import Dispatcher, SandboxHttpServer
from bulkwizard.sandbox.faults import FaultSpec
from bulkwizard.sandbox.http import (
    FULL_SCOPES,
    VERSION,
    ApiError,
    HttpError,
    Request,
    Response,
    Router,
    UploadedFile,
)
from bulkwizard.sandbox.lock import DataDirLock, SandboxBusyError
from bulkwizard.sandbox.state import DATABASE_NAME, SandboxConfig, SandboxState

__all__ = [
    "VERSION",
    "ApiError",
    "Dispatcher",
    "HttpError",
    "Request",
    "Response",
    "Router",
    "SandboxBusyError",
    "SandboxServer",
    "UploadedFile",
    "build_router",
]

CREDENTIALS_FILE = "credentials.json"


def build_router(state: SandboxState) -> Router:
    """Every endpoint of the sandbox, specific routes before the generic records routes."""
    router = Router()
    register_oauth_routes(router, state)
    register_metadata_routes(router, state)
    register_bulk_routes(router, state)
    register_record_routes(router, state)
    return router


class SandboxServer:
    """The sandbox, startable in-process; a context manager (see the module docstring)."""

    def __init__(
        self,
        data_dir: str | os.PathLike[str],
        host: str = "127.0.0.1",
        port: int = 0,
        token_ttl: int = 3600,
        latency_ms: int = 0,
        faults: FaultSpec | str | None = None,
        max_concurrent_jobs: int = 2,
        daily_credits: int | None = None,
        token_mint_limit: int | None = 10,
        seed_demo_records: bool = True,
        max_concurrent_calls: int | None = 20,
    ) -> None:
        config = SandboxConfig(
            data_dir=Path(data_dir),
            host=host,
            port=port,
            token_ttl=token_ttl,
            latency_ms=latency_ms,
            faults=faults,
            max_concurrent_jobs=max_concurrent_jobs,
            token_mint_limit=token_mint_limit,
            seed_demo_records=seed_demo_records,
            max_concurrent_calls=max_concurrent_calls,
        )
        if daily_credits is not None:
            config.daily_credits = daily_credits
        self.config = config
        self.state: SandboxState | None = None
        self._httpd: SandboxHttpServer | None = None
        self._thread: threading.Thread | None = None
        self._lock: DataDirLock | None = None

    # ---------------------------------------------------------------- lifecycle

    def start(self) -> SandboxServer:
        """Open the database, bind the port, write credentials.json and serve in a thread."""
        lock = DataDirLock(Path(self.config.data_dir))
        lock.acquire()
        try:
            state = SandboxState(self.config)
        except BaseException:
            lock.release()
            raise
        try:
            router = build_router(state)
            httpd = SandboxHttpServer(
                (self.config.host, self.config.port), Dispatcher(router, state)
            )
        except BaseException:
            state.db.close()
            lock.release()
            raise
        self._lock = lock
        port = int(httpd.server_address[1])
        state.base_url = f"http://{self.config.host}:{port}"
        self.state, self._httpd = state, httpd
        try:
            state.start()
            self._write_credentials()
        except BaseException:
            self.stop()
            raise
        # A short poll interval keeps stop() quick (shutdown waits for one poll).
        self._thread = threading.Thread(
            target=httpd.serve_forever, args=(0.05,), name="sandbox-http", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving, stop workers and close the database (idempotent)."""
        if self._httpd is not None:
            if self._thread is not None:  # shutdown() would wait forever for an unstarted loop
                self._httpd.shutdown()
            self._httpd.close_connections()
            self._httpd.server_close()
            self._httpd = None
        if self._thread is not None:
            self._thread.join(timeout=10)
            self._thread = None
        try:
            if self.state is not None:
                self.state.stop()
        finally:
            self.state = None
            if self._lock is not None:
                self._lock.release()
                self._lock = None

    def serve_forever(self) -> None:
        """Start (if needed) and block until interrupted (Ctrl+C), then stop."""
        if self.state is None:
            self.start()
        try:
            while self._thread is not None and self._thread.is_alive():
                self._thread.join(timeout=0.5)
        finally:
            self.stop()

    def __enter__(self) -> SandboxServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    # ------------------------------------------------------------------ access

    def _state(self) -> SandboxState:
        if self.state is None:
            raise RuntimeError("the sandbox is not running; call start() first")
        return self.state

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:<port>``: accounts server, API domain and upload host at once."""
        return self._state().base_url

    @property
    def port(self) -> int:
        """The port the server listens on."""
        return int(self.base_url.rsplit(":", 1)[1])

    @property
    def credentials_path(self) -> Path:
        """Where credentials.json is."""
        return Path(self.config.data_dir) / CREDENTIALS_FILE

    @property
    def credentials(self) -> dict[str, Any]:
        """The contents of credentials.json (demo client, refresh token, URLs, zgid)."""
        data: dict[str, Any] = json.loads(self.credentials_path.read_text(encoding="utf-8"))
        return data

    def mint_grant_code(
        self, scopes: list[str] | tuple[str, ...] = FULL_SCOPES, ttl: int = 180
    ) -> str:
        """A Self Client grant code for the demo client (single use, valid ``ttl`` seconds)."""
        state = self._state()
        return state.tokens.mint_grant_code(
            state.client_id, list(scopes), state.records.current_user["id"], ttl=ttl
        )

    def _write_credentials(self) -> None:
        write_credentials(self._state(), self.credentials_path)


def write_credentials(
    state: SandboxState, path: Path, extra: dict[str, Any] | None = None
) -> dict[str, Any]:
    """Write credentials.json for ``state`` (keeping a still-valid refresh token); return it."""
    previous: dict[str, Any] = {}
    if path.exists():
        try:
            previous = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            previous = {}
    refresh_token = previous.get("refresh_token")
    if not refresh_token or not state.tokens.refresh_token_valid(refresh_token):
        refresh_token = state.tokens.issue_refresh_token(
            state.client_id, FULL_SCOPES, state.records.current_user["id"]
        )
    data: dict[str, Any] = {
        "client_id": state.client_id,
        "client_secret": state.client_secret,
        "refresh_token": refresh_token,
        "scopes": list(FULL_SCOPES),
        "accounts_url": state.base_url,
        "api_domain": state.base_url,
        "upload_url": state.base_url,
        "zgid": state.zgid,
        "user_email": state.records.current_user["email"],
    }
    data.update(extra or {})
    write_private_json(path, data)
    return data


def reset_data(data_dir: str | os.PathLike[str]) -> None:
    """Delete a sandbox's data (database, uploads, results, credentials) for a fresh demo org.

    Only the sandbox's own files are removed. Raises :class:`SandboxBusyError` while a sandbox
    runs on the folder.
    """
    folder = Path(data_dir)
    if not folder.exists():
        return
    lock = DataDirLock(folder)
    lock.acquire()
    try:
        for name in (
            DATABASE_NAME,
            f"{DATABASE_NAME}-wal",
            f"{DATABASE_NAME}-shm",
            CREDENTIALS_FILE,
        ):
            (folder / name).unlink(missing_ok=True)
        shutil.rmtree(folder / "files", ignore_errors=True)
    finally:
        lock.release()


def write_private_json(path: Path, data: dict[str, Any]) -> None:
    """Write JSON atomically, readable by the owner only (it holds the demo client's secrets)."""
    # mkstemp creates the file with mode 0600, so the secrets are never world-readable.
    with atomic_write_text(path) as handle:
        json.dump(data, handle, indent=2)
        handle.write("\n")
