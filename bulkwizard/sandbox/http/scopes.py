"""OAuth scope matching as Zoho applies it (zoho-api.md §1.8).

A scope reads ``Service.path.OPERATION``, e.g. ``ZohoCRM.settings.fields.READ``. A granted scope
covers a required one when the service matches, the granted path is a prefix of the required
path (``ZohoCRM.settings.ALL`` covers ``ZohoCRM.settings.fields.READ``; ``ZohoCRM.modules.ALL``
covers ``ZohoCRM.modules.leads.CREATE``) and the operation covers the required operation
(``ALL`` covers every operation, ``WRITE`` covers CREATE, UPDATE and DELETE). Matching ignores
case, as Zoho's own material mixes ``READ`` and ``read``.
"""

from __future__ import annotations

from collections.abc import Iterable

OPERATIONS = frozenset({"ALL", "READ", "CREATE", "UPDATE", "DELETE", "WRITE", "CUSTOM"})
_WRITE_COVERS = frozenset({"CREATE", "UPDATE", "DELETE", "WRITE"})

# Every scope the sandbox grants to its demo client, enough for everything the app does.
FULL_SCOPES: tuple[str, ...] = (
    "ZohoCRM.bulk.ALL",
    "ZohoCRM.modules.ALL",
    "ZohoFiles.files.ALL",
    "ZohoCRM.settings.ALL",
    "ZohoCRM.org.ALL",
    "ZohoCRM.users.ALL",
    "aaaserver.profile.READ",
)


def split_scope(scope: str) -> tuple[str, tuple[str, ...], str] | None:
    """Return (service, path, operation) upper-cased, or ``None`` if it is not a scope."""
    parts = [part.strip().upper() for part in scope.strip().split(".")]
    if len(parts) < 3 or not all(parts) or parts[-1] not in OPERATIONS:
        return None
    return parts[0], tuple(parts[1:-1]), parts[-1]


def is_valid_scope(scope: str) -> bool:
    """Whether ``scope`` has the ``Service.name.OPERATION`` syntax."""
    return split_scope(scope) is not None


def parse_scope_list(text: str) -> list[str]:
    """Split a scope string as Zoho takes it: comma separated (spaces accepted too)."""
    return [part for part in text.replace(" ", ",").split(",") if part.strip()]


def grants(granted: str, required: str) -> bool:
    """Whether the granted scope covers the required one."""
    have = split_scope(granted)
    need = split_scope(required)
    if have is None or need is None:
        return False
    if have[0] != need[0] or have[1] != need[1][: len(have[1])]:
        return False
    operation = have[2]
    if operation == "ALL" or operation == need[2]:
        return True
    return operation == "WRITE" and need[2] in _WRITE_COVERS


def grants_any(granted: Iterable[str], alternatives: Iterable[str]) -> bool:
    """Whether any granted scope covers any of the alternatives (``|``-separated also accepted)."""
    owned = list(granted)
    for entry in alternatives:
        for required in entry.split("|"):
            if any(grants(scope, required) for scope in owned):
                return True
    return False
