"""Metadata snapshots pulled from Zoho and cached per profile under the cache dir.

``<cache dir>/metadata/<profile>/`` holds a :class:`~bulkwizard.core.metadata.MetadataSnapshot`
folder (``modules.json`` + ``fields/<Module>.json``) plus ``layouts/<Module>.json`` for parent
modules. The validator and the wizard read the cached copy; :func:`pull_snapshot` refreshes it.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bulkwizard.core.metadata import MetadataSnapshot, ModuleMeta, write_json_atomic
from bulkwizard.storage import paths
from bulkwizard.zoho.client import ZohoClient
from bulkwizard.zoho.errors import ZohoApiError
from bulkwizard.zoho.redact import get_logger

log = get_logger(__name__)

# Modules whose fields a snapshot needs: parents, and the subform/linking modules of children.
_FIELD_MODULE_TYPES = frozenset({"default", "custom", "subform", "linking"})


def snapshot_folder(profile_name: str) -> Path:
    """Where ``profile_name``'s cached snapshot lives."""
    return paths.cache_dir() / "metadata" / profile_name


def _wants_fields(module: ModuleMeta) -> bool:
    if not module.api_supported or module.generated_type not in _FIELD_MODULE_TYPES:
        return False
    return module.creatable or module.generated_type in ("subform", "linking")


def pull_snapshot(
    client: ZohoClient,
    folder: Path,
    *,
    layouts: bool = True,
    progress: Callable[[str], None] | None = None,
) -> MetadataSnapshot:
    """Fetch modules, fields (and layouts) and write them as a snapshot folder, atomically.

    The new snapshot is written next to ``folder`` and swapped in only when complete, so a
    failed pull never leaves half a snapshot behind.
    """
    modules_body = client.modules_body()
    snapshot = MetadataSnapshot.from_responses(modules_body, {})
    fields_bodies: dict[str, dict[str, Any]] = {}
    layouts_bodies: dict[str, dict[str, Any]] = {}
    pending = [m.api_name for m in snapshot.modules.values() if _wants_fields(m)]
    while pending:
        name = pending.pop(0)
        if name in fields_bodies:
            continue
        if progress is not None:
            progress(name)
        try:
            fields_bodies[name] = client.fields_body(name)
        except ZohoApiError as exc:
            if exc.http_status in (400, 404) and exc.code in ("INVALID_MODULE", "NOT_SUPPORTED"):
                log.warning("skipping fields of %s: %s", name, exc.code)
                continue
            raise
        # Children named by fields but missing from the module list still need their fields.
        partial = MetadataSnapshot.from_responses(modules_body, {name: fields_bodies[name]})
        for child in partial.child_module_names(name):
            if child not in fields_bodies and child not in pending:
                pending.append(child)
        module = snapshot.modules.get(name)
        if layouts and module is not None and module.can_be_parent:
            try:
                layouts_bodies[name] = client.layouts_body(name)
            except ZohoApiError as exc:
                if exc.http_status not in (400, 404):
                    raise
                log.warning("no layouts for %s: %s", name, exc.code)
    folder.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(dir=folder.parent, prefix=f".{folder.name}-"))
    try:
        MetadataSnapshot.save_responses(staging, modules_body, fields_bodies)
        for name, body in layouts_bodies.items():
            write_json_atomic(staging / "layouts" / f"{name}.json", body)
        if folder.exists():
            old = folder.with_name(f".{folder.name}-old")
            shutil.rmtree(old, ignore_errors=True)
            folder.rename(old)
            staging.rename(folder)
            shutil.rmtree(old, ignore_errors=True)
        else:
            staging.rename(folder)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return MetadataSnapshot.from_responses(modules_body, fields_bodies)


def cached_snapshot(client: ZohoClient, *, refresh: bool = False) -> tuple[MetadataSnapshot, Path]:
    """The profile's snapshot from the cache, pulled first if absent or ``refresh`` is set."""
    folder = snapshot_folder(client.profile.name)
    if refresh or not (folder / "modules.json").is_file():
        snapshot = pull_snapshot(client, folder)
        return snapshot, folder
    return MetadataSnapshot.load(folder), folder
