"""Where the app's icons, samples and stylesheet live (``resources/`` beside the package)."""

from __future__ import annotations

from pathlib import Path

_PACKAGE_DIR = Path(__file__).resolve().parent.parent
# Source checkout: resources/ sits next to the package. Installed wheel: packaged copy.
_CANDIDATES = (_PACKAGE_DIR.parent / "resources", _PACKAGE_DIR / "resources")


def resources_dir() -> Path:
    for candidate in _CANDIDATES:
        if candidate.is_dir():
            return candidate
    return _CANDIDATES[0]


def icon_path(name: str) -> Path:
    return resources_dir() / "icons" / name
