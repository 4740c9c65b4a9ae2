"""The Qt boundary: nothing outside bulkwizard.ui may pull in PySide6.

Checked in a fresh interpreter, since this test process may already have imported Qt for the UI
tests. Every submodule is imported (pkgutil.walk_packages), not only the package roots, so a Qt
import hidden in any module is caught.
"""

from __future__ import annotations

import json
import subprocess
import sys

PACKAGES = (
    "bulkwizard.core",
    "bulkwizard.zoho",
    "bulkwizard.storage",
    "bulkwizard.sandbox",
    "bulkwizard.commands",
)

_SCRIPT = """
import importlib, json, pkgutil, sys
imported, failed = [], []
for name in ("bulkwizard.cli",):
    importlib.import_module(name)
    imported.append(name)
for root in {packages!r}:
    package = importlib.import_module(root)
    imported.append(root)
    for info in pkgutil.walk_packages(package.__path__, root + "."):
        try:
            importlib.import_module(info.name)
            imported.append(info.name)
        except Exception as exc:  # reported, so a broken module cannot hide a Qt import
            failed.append(f"{{info.name}}: {{type(exc).__name__}}: {{exc}}")
import bulkwizard.cli
bulkwizard.cli.build_parser()  # imports every registered command module
print(json.dumps({{
    "imported": imported,
    "failed": failed,
    "qt": sorted(m for m in sys.modules if m == "PySide6" or m.startswith("PySide6.")),
    "commands": sorted(m for m in sys.modules if m.startswith("bulkwizard.commands.")),
}}))
"""


def test_non_ui_packages_import_without_pyside6() -> None:
    result = subprocess.run(
        [sys.executable, "-c", _SCRIPT.format(packages=PACKAGES)],
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report["failed"] == []
    assert report["qt"] == []
    # the walk really covered the packages (validation modules at least)
    assert "bulkwizard.core.validation.validate" in report["imported"]
    assert "bulkwizard.core.job" in report["imported"]
    assert "bulkwizard.commands.validate" in report["commands"]
