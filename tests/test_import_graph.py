"""The import graph of ``bulkwizard/``: no circles, and imports only flow down the layers.

The graph is read from the source with :mod:`ast` (nothing is imported), counting every import,
also those inside functions and under ``TYPE_CHECKING``: a lazy import still says who depends on
whom. Importing ``a.b.c`` from outside package ``a.b`` runs ``a/b/__init__.py`` first, so that is
an edge to the package face too; that is how a face that imports too much shows up as a circle.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1] / "bulkwizard"

# Layer -> the layers of ours it may import. "core" is pure; "ui" and the CLI sit on top.
ALLOWED_LAYERS = {
    "core": {"core"},
    "storage": {"core", "storage"},
    "zoho": {"core", "zoho"},
    "sandbox": {"core", "sandbox"},
    "commands": {"core", "storage", "zoho", "sandbox", "commands"},
    "cli": {"commands"},
    "ui": {"core", "storage", "zoho", "sandbox", "ui"},
    "__main__": {"ui"},
}
# Imports between the middle layers that the design needs, each with its reason.
EXCEPTIONS = {
    ("zoho", "storage"): "the client signs in with a saved connection profile, keeps its tokens in"
    " the keyring store, and caches metadata and pending-job notes in the user folders",
}
QT_LAYERS = {"ui"}


def module_name(path: Path, root: Path) -> str:
    """``bulkwizard/core/reading/scan.py`` -> ``bulkwizard.core.reading.scan``."""
    parts = list(path.relative_to(root.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def read_graph(root: Path) -> tuple[dict[str, set[str]], dict[str, set[str]]]:
    """Our modules with the modules of ours each imports, and the outside packages each imports."""
    files = {module_name(p, root): p for p in root.rglob("*.py")}
    packages = {name for name, p in files.items() if p.name == "__init__.py"}
    ours: dict[str, set[str]] = {name: set() for name in files}
    outside: dict[str, set[str]] = {name: set() for name in files}
    top = root.name
    for name, path in files.items():
        own_package = name if name in packages else name.rpartition(".")[0]
        for target in _imported(ast.parse(path.read_text(encoding="utf-8")), own_package):
            if target.split(".")[0] != top:
                outside[name].add(target.split(".")[0])
                continue
            while target not in files and "." in target:  # `from pkg.mod import Name`
                target = target.rpartition(".")[0]
            ours[name].add(target)
            # Importing a.b.c from outside a.b runs a/b/__init__.py first.
            parent = target.rpartition(".")[0]
            while parent.count(".") >= 1 and not name.startswith(parent + ".") and name != parent:
                ours[name].add(parent)
                parent = parent.rpartition(".")[0]
        ours[name].discard(name)
    return ours, outside


def _imported(tree: ast.AST, package: str) -> Iterable[str]:
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                base = ".".join(anchor + ([node.module] if node.module else []))
            # `from pkg import mod` imports the module pkg.mod; `from mod import Name` just mod.
            yield from (f"{base}.{alias.name}" for alias in node.names)


def circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components with more than one module (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for other in sorted(graph.get(node, ())):
            if other not in index:
                visit(other)
                low[node] = min(low[node], low[other])
            elif other in on_stack:
                low[node] = min(low[node], index[other])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def layer_of(module: str) -> str:
    """``bulkwizard.core.reading.scan`` -> ``core``; ``bulkwizard.cli`` -> ``cli``."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else ""


def test_the_graph_has_no_circle() -> None:
    graph, _ = read_graph(ROOT)
    assert "bulkwizard.core.reading.scan" in graph["bulkwizard.commands.inspect"] | {
        d for m in graph["bulkwizard.commands.inspect"] for d in graph.get(m, ())
    }, "the graph reader lost the imports"
    assert circles(graph) == []


def test_imports_flow_down_the_layers() -> None:
    graph, _ = read_graph(ROOT)
    wrong = []
    for module, targets in graph.items():
        layer = layer_of(module)
        if not layer:
            continue
        for target in targets:
            other = layer_of(target)
            if not other or other in ALLOWED_LAYERS[layer] or (layer, other) in EXCEPTIONS:
                continue
            wrong.append(f"{module} -> {target}")
    assert wrong == []


def test_only_the_ui_imports_qt() -> None:
    _, outside = read_graph(ROOT)
    using_qt = sorted(m for m, names in outside.items() if "PySide6" in names)
    assert using_qt
    assert {layer_of(m) for m in using_qt} <= QT_LAYERS, using_qt


@pytest.mark.parametrize(
    ("files", "expected"),
    [
        # two modules importing each other
        (
            {"pkg/a.py": "from pkg import b\n", "pkg/b.py": "from pkg.a import X\n"},
            [["pkg.a", "pkg.b"]],
        ),
        # a face importing a module that imports the face back, lazily inside a function
        (
            {
                "pkg/sub/__init__.py": "from pkg.sub.m import f\n",
                "pkg/sub/m.py": "def f():\n    from pkg.other import g\n",
                "pkg/other.py": "from pkg.sub import f\ndef g(): ...\n",
            },
            [["pkg.other", "pkg.sub", "pkg.sub.m"]],
        ),
        # a module importing its own package's face is not a circle (the face runs first)
        (
            {
                "pkg/sub/__init__.py": "from pkg.sub.m import f\n",
                "pkg/sub/m.py": "from pkg.sub.n import g\n",
                "pkg/sub/n.py": "",
            },
            [],
        ),
    ],
)
def test_the_circle_finder_finds_circles(
    tmp_path: Path, files: dict[str, str], expected: list[list[str]]
) -> None:
    for name, text in files.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        for folder in path.relative_to(tmp_path).parents:
            init = tmp_path / folder / "__init__.py"
            if folder != Path(".") and not init.exists():
                init.write_text("", encoding="utf-8")
    graph, _ = read_graph(tmp_path / "pkg")
    assert circles(graph) == expected
