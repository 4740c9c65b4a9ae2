"""Connection profiles: which Zoho org (and which endpoints) a sign-in belongs to.

Profiles live in ``<config dir>/profiles.json``, a versioned JSON file written atomically::

    {"version": 1, "default": "work", "profiles": [{"name": "work", "datacentre": "EU", ...}]}

A profile holds no secret. Its refresh token and client secret are in the keyring
(:mod:`bulkwizard.storage.secrets`); access tokens exist only in memory.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any

from bulkwizard.core.errors import BulkWizardError
from bulkwizard.core.metadata import write_json_atomic
from bulkwizard.storage import paths

FORMAT_VERSION = 1
FILE_NAME = "profiles.json"
DEFAULT_PROFILE = "default"
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.@-]{0,63}$")


class ProfileError(BulkWizardError):
    """A profile that does not exist, has a bad name, or a profiles file that cannot be read."""


@dataclass
class Profile:
    """One connection: endpoints, org and user identity, and the OAuth client id.

    Attributes:
        name: the profile name given with ``--profile``.
        datacentre: ``US``, ``EU`` ... or ``CUSTOM`` (the sandbox, a proxy).
        accounts_url / api_url / upload_url / download_url: the resolved base URLs.
        client_id: the OAuth client id (not a secret; the client secret is in the keyring).
        org_zgid: the org's zgid, sent as ``X-CRM-ORG`` on uploads.
    """

    name: str
    datacentre: str
    accounts_url: str
    api_url: str
    upload_url: str
    download_url: str
    client_id: str
    org_zgid: str = ""
    org_name: str = ""
    user_name: str = ""
    user_email: str = ""
    scopes: list[str] = field(default_factory=list)
    redirect_uri: str = ""
    sandbox: bool = False

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: Mapping[str, Any], where: str) -> Profile:
        known = {f.name for f in fields(cls)}
        missing = [
            name
            for name in ("name", "datacentre", "accounts_url", "api_url", "client_id")
            if not isinstance(data.get(name), str)
        ]
        if missing:
            raise ProfileError(f"{where}: a profile lacks {', '.join(missing)}")
        values = {key: value for key, value in data.items() if key in known}
        values.setdefault("upload_url", values["api_url"])
        values.setdefault("download_url", values["api_url"])
        return cls(**values)


def validate_name(name: str) -> str:
    """Return ``name`` if it is a usable profile name, else raise :class:`ProfileError`."""
    if not _NAME.match(name):
        raise ProfileError(
            f"{name!r} is not a usable profile name: use 1-64 letters, digits, '.', '_', '-' or"
            " '@', starting with a letter or digit"
        )
    return name


class ProfileStore:
    """Read and write ``profiles.json`` in the config dir (or ``folder`` for tests)."""

    def __init__(self, folder: Path | None = None) -> None:
        self.folder = folder if folder is not None else paths.config_dir()

    @property
    def path(self) -> Path:
        return self.folder / FILE_NAME

    def _read(self) -> tuple[list[Profile], str | None]:
        if not self.path.exists():
            return [], None
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except json.JSONDecodeError as exc:
            raise ProfileError(
                f"{self.path}, line {exc.lineno}: not valid JSON ({exc.msg}); "
                "fix or delete the file"
            ) from None
        except OSError as exc:
            raise ProfileError(f"{self.path}: cannot be read ({exc})") from None
        if not isinstance(data, dict) or not isinstance(data.get("profiles"), list):
            raise ProfileError(f"{self.path}: expected an object with a 'profiles' array")
        version = data.get("version", 1)
        if not isinstance(version, int) or version > FORMAT_VERSION:
            raise ProfileError(
                f"{self.path}: written by a newer bulkwizard (format {version}); upgrade bulkwizard"
            )
        profiles = [
            Profile.from_json(item, f"{self.path} profiles[{i}]")
            for i, item in enumerate(data["profiles"])
            if isinstance(item, dict)
        ]
        default = data.get("default")
        return profiles, default if isinstance(default, str) else None

    def _write(self, profiles: list[Profile], default: str | None) -> None:
        write_json_atomic(
            self.path,
            {
                "version": FORMAT_VERSION,
                "default": default,
                "profiles": [p.to_json() for p in sorted(profiles, key=lambda p: p.name)],
            },
        )

    def list(self) -> list[Profile]:
        """All profiles, by name."""
        return sorted(self._read()[0], key=lambda p: p.name)

    def default_name(self) -> str | None:
        """The profile used when no ``--profile`` is given, if one is set."""
        profiles, default = self._read()
        if default and any(p.name == default for p in profiles):
            return default
        return profiles[0].name if len(profiles) == 1 else None

    def get(self, name: str | None = None) -> Profile:
        """The named profile, or the default one.

        Raises:
            ProfileError: it does not exist (the message says how to create one).
        """
        profiles, _ = self._read()
        wanted = name or self.default_name()
        for profile in profiles:
            if profile.name == wanted:
                return profile
        if not profiles:
            raise ProfileError(
                "no connection profile yet: sign in first with `bulkwizard-cli login`"
            )
        names = ", ".join(p.name for p in profiles)
        if wanted is None:
            raise ProfileError(f"several profiles exist ({names}); choose one with --profile NAME")
        raise ProfileError(f"no profile named {wanted!r} (profiles: {names})")

    def save(self, profile: Profile, *, make_default: bool = False) -> None:
        """Add or replace ``profile``; the first profile saved becomes the default."""
        validate_name(profile.name)
        profiles, default = self._read()
        profiles = [p for p in profiles if p.name != profile.name] + [profile]
        if make_default or default is None:
            default = profile.name
        self._write(profiles, default)

    def delete(self, name: str) -> bool:
        """Remove a profile; return whether it existed."""
        profiles, default = self._read()
        remaining = [p for p in profiles if p.name != name]
        if len(remaining) == len(profiles):
            return False
        if default == name:
            default = remaining[0].name if remaining else None
        self._write(remaining, default)
        return True
