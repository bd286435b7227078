"""Dependency rules of ARCHITECTURE.md, checked on every import statement in the tree."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
OURS = {
    "core",
    "domain",
    "schema",
    "resolvers",
    "jobs",
    "integrations",
    "server",
    "gateway",
    "transfers",
    "platforms",
    "cli",
    "models",
}

# package -> top-level names it must never import
FORBIDDEN = {
    "core": {
        "strawberry",
        "starlette",
        "schema",
        "resolvers",
        "jobs",
        "integrations",
        "server",
        "gateway",
        "transfers",
        "platforms",
        "domain",
        "cli",
        "models",
    },
    "domain": {
        "strawberry",
        "starlette",
        "schema",
        "resolvers",
        "jobs",
        "integrations",
        "server",
        "gateway",
        "transfers",
        "platforms",
        "cli",
    },
    "integrations": {"schema", "resolvers", "jobs", "server", "gateway", "transfers", "platforms", "cli"},
}


def imports_of(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(), str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def files(package: str) -> list[Path]:
    return sorted((ROOT / package).rglob("*.py"))


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_inner_layers_do_not_import_outer_ones(package):
    wrong = []
    for path in files(package):
        for name in imports_of(path):
            if name.split(".")[0] in FORBIDDEN[package]:
                wrong.append(f"{path.relative_to(ROOT)} imports {name}")
    assert wrong == []


def test_schema_areas_do_not_import_resolvers():
    """schema/<area>/ holds types only; schema/root.py (and the context it wires) may reach resolvers."""
    areas = [p for p in files("schema") if p.parent != ROOT / "schema"]
    assert areas, "no schema areas found"
    wrong = [f"{p.relative_to(ROOT)} imports {n}" for p in areas for n in imports_of(p) if n.split(".")[0] == "resolvers"]
    assert wrong == []


def test_the_rule_itself_catches_a_leak(tmp_path):
    leak = tmp_path / "leak.py"
    leak.write_text("from strawberry import type as t\nimport schema.root\n")
    assert {"strawberry", "schema.root"} <= imports_of(leak)


def test_sql_is_built_only_in_repositories_and_the_kernel():
    """resolvers/, schema/ and jobs/ call repositories; they never import SQLAlchemy's statement builders."""
    wrong = []
    for package in ("resolvers", "schema", "jobs"):
        for path in files(package):
            for name in imports_of(path):
                if name == "sqlalchemy" or name.startswith("sqlalchemy.sql"):
                    wrong.append(f"{path.relative_to(ROOT)} imports {name}")
    assert wrong == []
