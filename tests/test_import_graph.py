"""The package's modules import each other without a cycle, not even inside a function.

The graph is read from the source (every ``import`` statement, at any depth), so the check
needs no import and cannot be fooled by import order. ``loaders/`` and ``properties/`` are
installed as ``reanalyze.loaders`` and ``reanalyze.properties``.
"""

from __future__ import annotations

import ast
from pathlib import Path

import numpy as np
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import connected_components
from support import REPO

#: Package folders and the module name each is installed as.
ROOTS = {
    "reanalyze": "reanalyze",
    "loaders": "reanalyze.loaders",
    "properties": "reanalyze.properties",
}


def module_files() -> dict[str, Path]:
    """``{module name: file}`` of every module of the package."""
    modules = {}
    for folder, package in ROOTS.items():
        root = REPO / folder
        for path in sorted(root.rglob("*.py")):
            relative = path.relative_to(root).with_suffix("")
            if (
                any(part in ("loaders", "properties") for part in relative.parts[:1])
                and folder == "reanalyze"
            ):
                continue  # links to the top-level folders in a development tree
            parts = [p for p in relative.parts if p != "__init__"]
            modules[".".join([package, *parts])] = path
    return modules


def imported(tree: ast.AST, module: str, is_package: bool, known: set[str]) -> set[str]:
    """The package's modules that ``module`` imports.

    A package's own ``__init__`` runs before any of its modules, which is no edge here: only
    what a statement names counts (``from reanalyze.report import exact`` is an edge to
    ``reanalyze.report.exact``, ``from reanalyze.report import write_report`` one to
    ``reanalyze.report``).
    """
    out = set()
    base = module.split(".") if is_package else module.split(".")[:-1]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                prefix = ".".join(base[: len(base) - node.level + 1])
                source = f"{prefix}.{node.module}" if node.module else prefix
            else:
                source = node.module or ""
            # ``from package import module`` imports the module; any other name, the source
            names = [
                f"{source}.{a.name}" if f"{source}.{a.name}" in known else source
                for a in node.names
            ]
        else:
            continue
        for name in names:
            # the longest known module that the name is or is inside of
            parts = name.split(".")
            for n in range(len(parts), 0, -1):
                candidate = ".".join(parts[:n])
                if candidate in known:
                    out.add(candidate)
                    break
    out.discard(module)
    return out


def import_graph() -> dict[str, set[str]]:
    files = module_files()
    known = set(files)
    return {
        name: imported(ast.parse(path.read_text(encoding="utf-8")), name,
                       path.name == "__init__.py", known)
        for name, path in files.items()
    }  # fmt: skip


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Groups of modules that reach each other (strongly connected, more than one)."""
    names = sorted(graph)
    index = {n: i for i, n in enumerate(names)}
    rows = [index[a] for a, targets in graph.items() for _ in targets]
    cols = [index[b] for targets in graph.values() for b in targets]
    matrix = csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(len(names),) * 2)
    _, labels = connected_components(matrix, directed=True, connection="strong")
    groups: dict[int, list[str]] = {}
    for name, label in zip(names, labels, strict=True):
        groups.setdefault(int(label), []).append(name)
    return [g for g in groups.values() if len(g) > 1]


def test_the_graph_is_read() -> None:
    graph = import_graph()
    assert "reanalyze.twin.search" in graph["reanalyze.workflows"]
    assert "reanalyze.units" in graph["reanalyze.properties.magnetocaloric"]


def test_a_cycle_is_found() -> None:
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_no_module_imports_itself_through_others() -> None:
    assert cycles(import_graph()) == []
