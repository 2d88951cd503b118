"""The arrows between the project's top-level packages, and any loops among them.

    .venv/bin/python scripts/import_graph.py

Reads the packages from [tool.importlinter] in pyproject.toml; `make lint` (lint-imports) is what
enforces the layers, this only counts.
"""

import sys
import tomllib
from pathlib import Path

import grimp

ROOT = Path(__file__).resolve().parent.parent


def loops(edges: dict[str, set[str]]) -> list[list[str]]:
    """Groups of packages that import each other, directly or around a ring (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for target in edges[node]:
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for node in edges:
        if node not in index:
            visit(node)
    return found


def main() -> None:
    sys.path.insert(0, str(ROOT))
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]
    packages = config["root_packages"]
    graph = grimp.build_graph(*packages)
    edges = {
        a: {
            b
            for b in packages
            if b != a and graph.direct_import_exists(importer=a, imported=b, as_packages=True)
        }
        for a in packages
    }
    print(f"{sum(len(targets) for targets in edges.values())} arrows between {len(packages)} packages")
    for package in packages:
        print(f"  {package} -> {', '.join(sorted(edges[package])) or '(none)'}")
    rings = loops(edges)
    print(f"{len(rings)} loop(s)" + "".join(f"\n  {' <-> '.join(ring)}" for ring in rings))


if __name__ == "__main__":
    main()
