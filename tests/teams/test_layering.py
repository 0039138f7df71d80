"""`teams` is the ground floor: it imports no app built on it (docs/architecture.md)."""

import ast
from pathlib import Path

import teams

ABOVE_TEAMS = {
    "meetings",
    "reflections",
    "supervision",
    "intervision",
    "dashboards",
    "security",
    "data_rights",
    "devdata",
}


def imported_apps(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            found.add(node.module.split(".")[0])
    return found


def test_teams_imports_no_app_above_it():
    root = Path(teams.__file__).parent
    upward = {
        str(path.relative_to(root)): sorted(imported_apps(path) & ABOVE_TEAMS)
        for path in root.rglob("*.py")
        if "migrations" not in path.parts
    }
    assert {path: apps for path, apps in upward.items() if apps} == {}
